"""Classic reputation baselines over a rating graph, for comparison in the same run."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from sincerity.core.reputation import FloatArray, RatingGraph, power_iteration


def mean_rating(graph: RatingGraph, ratings: FloatArray) -> FloatArray:
    """The mean rating each node received (0 where none)."""
    counts = np.bincount(graph.targets, minlength=graph.size)
    sums = np.bincount(graph.targets, ratings, graph.size)
    return np.divide(sums, counts, out=np.zeros(graph.size), where=counts > 0)


def plain_beta(graph: RatingGraph) -> FloatArray:
    """(positive + 1) / (positive + negative + 2), undecayed and unweighted."""
    positive = np.bincount(graph.targets, (graph.signs > 0).astype(float), graph.size)
    negative = np.bincount(graph.targets, (graph.signs < 0).astype(float), graph.size)
    return (positive + 1.0) / (positive + negative + 2.0)


def fairness_goodness(
    graph: RatingGraph, ratings: FloatArray, tolerance: float = 1e-6, max_iterations: int = 500
) -> FloatArray:
    """Goodness of each node (Kumar, Spezzano, Subrahmanian & Faloutsos, ICDM 2016).

    goodness(v) = mean over raters u of fairness(u) · w(u, v);
    fairness(u) = 1 − mean over rated v of |w(u, v) − goodness(v)| / 2; w = rating / 10.
    """
    weight = ratings / 10.0
    n = graph.size
    in_count = np.bincount(graph.targets, minlength=n)
    out_count = np.bincount(graph.raters, minlength=n)
    fairness = np.ones(n)
    goodness = np.ones(n)
    for _ in range(max_iterations):
        new_goodness = np.divide(
            np.bincount(graph.targets, fairness[graph.raters] * weight, n),
            in_count,
            out=np.zeros(n),
            where=in_count > 0,
        )
        error = np.abs(weight - new_goodness[graph.targets])
        new_fairness = 1.0 - np.divide(
            np.bincount(graph.raters, error, n),
            2.0 * out_count,
            out=np.zeros(n),
            where=out_count > 0,
        )
        new_fairness[out_count == 0] = 1.0
        change = np.abs(new_goodness - goodness).sum() + np.abs(new_fairness - fairness).sum()
        goodness, fairness = new_goodness, new_fairness
        if change < tolerance:
            break
    return goodness


def pagerank_positive(graph: RatingGraph, ratings: FloatArray, damping: float = 0.15) -> FloatArray:
    """PageRank over positive ratings weighted by their value, uniform teleport."""
    n = graph.size
    positive = ratings > 0
    matrix = sp.csr_matrix(
        (ratings[positive], (graph.raters[positive], graph.targets[positive])), shape=(n, n)
    )
    row_sums = np.asarray(matrix.sum(axis=1)).ravel()
    scale = np.divide(1.0, row_sums, out=np.zeros(n), where=row_sums > 0)
    transition_t = (sp.diags(scale) @ matrix).T.tocsr()
    teleport = np.full(n, 1.0 / n)
    rank, _, _ = power_iteration(
        transition_t, row_sums == 0, teleport, damping, teleport.copy(), 1e-10, 1000
    )
    return rank
