"""Vectorised building blocks of the lab's dynamics: bounded-confidence meetings (Deffuant et
al. 2000), disjoint pairing, the logistic curve."""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]


def deffuant(
    opinions: F32,
    i: NDArray[np.int64],
    j: NDArray[np.int64],
    epsilon: float,
    mu: float,
    heard: F32 | None = None,
) -> int:
    """One round of bounded-confidence meetings between disjoint pairs (i, j); returns how many
    pairs were close enough to move. Each moves towards what the other said: `heard` (the
    expressed opinions) if given, else the other's opinion itself (the classic model)."""
    said = opinions if heard is None else heard
    oi, oj = opinions[i], opinions[j]
    si, sj = said[i], said[j]
    close_i = np.abs(oi - sj) < epsilon
    close_j = np.abs(oj - si) < epsilon
    opinions[i] = oi + (mu * (sj - oi) * close_i).astype(np.float32)
    opinions[j] = oj + (mu * (si - oj) * close_j).astype(np.float32)
    return int((close_i | close_j).sum())


def disjoint_pairs(
    i: NDArray[np.int64], j: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Keep only pairs whose agents appear in no earlier pair, so each agent meets once."""
    both = np.concatenate([i, j])
    _, first = np.unique(both, return_index=True)
    used = np.zeros(len(both), dtype=bool)
    used[first] = True
    ok = used[: len(i)] & used[len(i) :] & (i != j)
    return i[ok], j[ok]


def degrees(edges: NDArray[np.integer], n: int) -> NDArray[np.int64]:
    """Each agent's number of ties (ties are undirected)."""
    found: NDArray[np.int64] = np.bincount(edges[:, 0], minlength=n) + np.bincount(
        edges[:, 1], minlength=n
    )
    return found


def neighbour_sum(
    edges: NDArray[np.integer], values: NDArray[np.generic], n: int
) -> NDArray[np.float64]:
    """Each agent's sum of `values` over its neighbours (each end of a tie counts the other)."""
    a, b = edges[:, 0], edges[:, 1]
    # With weights, bincount sums in float64 (its stubs say integers).
    return cast(NDArray[np.float64], np.bincount(a, values[b], n) + np.bincount(b, values[a], n))


def sigmoid(x: F32) -> F32:
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def bounded_confidence(agents: int, epsilon: float, rounds: int, seed: int, mu: float = 0.5) -> F32:
    """Opinions under bounded confidence alone (the classic setting): uniform initial opinions,
    everyone meets one random partner per round."""
    rng = np.random.default_rng(seed)
    opinions = rng.uniform(0, 1, agents).astype(np.float32)
    half = agents // 2
    for _ in range(rounds):
        order = rng.permutation(agents).astype(np.int64)
        i, j = disjoint_pairs(order[:half], order[half : 2 * half])
        deffuant(opinions, i, j, epsilon, mu)
    return opinions
