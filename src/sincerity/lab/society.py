"""A synthetic society: private traits and a social network, drawn from a seeded generator."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

F32 = NDArray[np.float32]
I32 = NDArray[np.int32]


@dataclass
class Traits:
    """What each agent is, privately (the policy never sees these directly)."""

    reliability: F32  # initial disposition to keep a promise (keeping is then learned)
    shock: F32  # chance of an income shock in a step
    boldness: F32  # how much speaking one's mind is worth to them
    opinion: F32  # private opinion of a state enterprise, 0 (critical) .. 1 (supportive)
    risk_appetite: F32  # taste for new ventures
    frivolity: F32  # taste for purchases a censor would call frivolous
    roaming: F32  # taste for travel and for venues a censor would flag
    talent: F32  # how likely a venture is to succeed
    temper: F32  # fixed part of the attitude toward the scoring system (a uniform draw)


def draw_traits(n: int, rng: np.random.Generator) -> Traits:
    return Traits(
        reliability=rng.beta(6.0, 2.0, n).astype(np.float32),
        shock=rng.uniform(0.01, 0.08, n).astype(np.float32),
        boldness=rng.uniform(0.0, 1.0, n).astype(np.float32),
        opinion=rng.uniform(0.0, 1.0, n).astype(np.float32),
        risk_appetite=rng.beta(2.0, 6.0, n).astype(np.float32),
        frivolity=rng.beta(2.0, 4.0, n).astype(np.float32),
        roaming=rng.beta(2.0, 5.0, n).astype(np.float32),
        talent=rng.uniform(0.0, 1.0, n).astype(np.float32),
        temper=rng.uniform(0.0, 1.0, n).astype(np.float32),
    )


def small_world(n: int, k: int, rewire: float, rng: np.random.Generator) -> I32:
    """Watts–Strogatz: a ring where each agent knows its k nearest, each tie rewired with
    probability `rewire`. Returns undirected edges as an (m, 2) array."""
    half = max(1, k // 2)
    source = np.repeat(np.arange(n, dtype=np.int64), half)
    target = (source + np.tile(np.arange(1, half + 1, dtype=np.int64), n)) % n
    moved = rng.random(len(source)) < rewire
    target[moved] = rng.integers(0, n, int(moved.sum()))
    keep = source != target
    return np.stack([source[keep], target[keep]], axis=1).astype(np.int32)


def scale_free(n: int, m: int, rng: np.random.Generator) -> I32:
    """Barabási–Albert-like growth, vectorised in rounds: each newcomer links to m agents picked
    in proportion to degree (by sampling endpoints of existing ties)."""
    m = max(1, m)
    seed = min(n, m + 1)
    edges = [
        np.array([[i, j] for i in range(seed) for j in range(i)], dtype=np.int64).reshape(-1, 2)
    ]
    endpoints = edges[0].ravel()
    start = seed
    while start < n:
        stop = min(n, start + max(1, start // 4))  # grow in batches for speed
        newcomers = np.repeat(np.arange(start, stop, dtype=np.int64), m)
        picked = endpoints[rng.integers(0, len(endpoints), len(newcomers))]
        batch = np.stack([newcomers, picked], axis=1)
        edges.append(batch)
        endpoints = np.concatenate([endpoints, batch.ravel()])
        start = stop
    all_edges = np.concatenate(edges)
    all_edges = all_edges[all_edges[:, 0] != all_edges[:, 1]]
    result: I32 = all_edges.astype(np.int32)
    return result
