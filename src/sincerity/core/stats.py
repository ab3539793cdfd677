"""Rank statistics every part of Sincerity measures with: one ROC AUC, one rank function."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def average_ranks(values: ArrayLike) -> NDArray[np.float64]:
    """1-based ranks, ties sharing their mean rank (scipy's `rankdata`, 'average')."""
    from scipy.stats import rankdata  # scipy.stats is slow to import: only when ranking

    return np.asarray(rankdata(values), dtype=np.float64)


def roc_auc(scores: ArrayLike, positive: ArrayLike) -> float:
    """Area under the ROC curve of `scores` for the `positive` labels (Mann–Whitney U, ties
    counted as one half); NaN when either class is empty."""
    labels = np.asarray(positive, dtype=bool)
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranked = average_ranks(scores)
    return float((ranked[labels].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
