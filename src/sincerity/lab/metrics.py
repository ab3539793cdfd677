"""What a policy does to a society, measured each step. Every function is vectorised and pure."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sincerity.core.stats import average_ranks

Array = NDArray[np.floating] | NDArray[np.integer] | NDArray[np.bool_]


def gini(values: Array) -> float:
    """Gini coefficient of non-negative values (0 = equal, 1 = one holds all)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    if len(x) == 0 or x.sum() <= 0:
        return 0.0
    n = len(x)
    return float((2.0 * np.arange(1, n + 1) - n - 1).dot(x) / (n * x.sum()))


def rank_correlation(a: Array, b: Array) -> float:
    """Spearman's rank correlation."""
    ra, rb = average_ranks(a), average_ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return float("nan")
    return float(np.corrcoef(ra, rb)[0, 1])


def entropy(values: Array, bins: int = 20) -> float:
    """Shannon entropy (bits) of values in [0, 1], over `bins` equal bins."""
    counts, _ = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = counts[counts > 0] / max(1, counts.sum())
    return float(-(p * np.log2(p)).sum())


def clusters(values: Array, gap: float = 0.02, min_share: float = 0.01) -> int:
    """Opinion clusters: runs of sorted values with no gap wider than `gap`, holding at least
    `min_share` of the agents."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    if len(x) == 0:
        return 0
    breaks = np.flatnonzero(np.diff(x) > gap)
    sizes = np.diff(np.concatenate([[0], breaks + 1, [len(x)]]))
    return int((sizes >= min_share * len(x)).sum())


def modularity(edges: NDArray[np.integer], groups: NDArray[np.integer]) -> float:
    """Newman's modularity of a partition of an undirected network."""
    m = len(edges)
    if m == 0:
        return 0.0
    k = int(groups.max()) + 1
    a, b = groups[edges[:, 0]], groups[edges[:, 1]]
    inside = np.bincount(a[a == b], minlength=k) / m
    degree = np.bincount(a, minlength=k) + np.bincount(b, minlength=k)
    return float((inside - (degree / (2 * m)) ** 2).sum())
