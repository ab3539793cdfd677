"""Does a reputation computed from the past predict whether the next rating is negative?

Protocol (the same for every method, computed in one run):
1. sort ratings by time; the first 80% are history, the last 20% the future;
2. compute every node's reputation from the history only, as of its last timestamp;
3. for each future rating u → v whose target v was rated in the history, v's reputation
   predicts whether the new rating is positive; report ROC AUC and the share of future ratings
   covered.
No parameter is fitted to the network: Sincerity runs with its policy's parameters, and its seeds
are the √n accounts rated positively by the most distinct raters (no identities are verified in a
public rating network).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sincerity.core.policy import Policy
from sincerity.core.reputation import (
    FloatArray,
    TrustParams,
    beta_reputation,
    global_trust,
    rating_graph,
    trust_params,
)
from sincerity.core.stats import roc_auc
from sincerity.datasets import SignedNetwork
from sincerity.evaluation import baselines

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class MethodResult:
    """One method's AUC on the covered future ratings."""

    method: str
    auc: float
    is_baseline: bool


@dataclass(frozen=True)
class RatingsEvaluation:
    """The protocol's outcome on one network."""

    network: str
    ratings: int
    history: int
    future: int
    covered: int
    positive_share: float
    trust_iterations: int
    params: TrustParams
    results: list[MethodResult] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        return self.covered / self.future if self.future else 0.0


def evaluate_ratings(
    network: SignedNetwork, policy: Policy, history_share: float = 0.8
) -> RatingsEvaluation:
    """Run the protocol for Sincerity's reputation and the baselines, on one network."""
    order = np.argsort(network.times, kind="stable")
    sources = network.sources[order]
    targets = network.targets[order]
    ratings = network.ratings[order]
    days = network.times[order] / SECONDS_PER_DAY
    cut = int(len(ratings) * history_share)
    if cut == 0 or cut == len(ratings):
        raise ValueError("the network is too small to split into history and future")
    as_of = float(days[cut - 1])
    graph = rating_graph(sources[:cut], targets[:cut], ratings[:cut], days[:cut], as_of)
    history_ratings = ratings[:cut][graph.source_index]
    index = graph.index()
    rated = np.zeros(graph.size, dtype=bool)
    rated[graph.targets] = True
    future_targets = np.array([index.get(str(t), -1) for t in targets[cut:]])
    covered = future_targets >= 0
    covered[covered] = rated[future_targets[covered]]
    who = future_targets[covered]
    positive = ratings[cut:][covered] > 0

    params = trust_params(policy)
    trust = global_trust(graph, params)
    _, _, sincerity = beta_reputation(graph, trust.credibility, params)
    _, _, no_credibility = beta_reputation(graph, np.ones(graph.size), params)
    methods: list[tuple[str, FloatArray, bool]] = [
        ("Sincerity: credibility-weighted decayed Beta (default policy)", sincerity, False),
        ("  the same without rater credibility (ablation)", no_credibility, False),
        ("Mean rating received", baselines.mean_rating(graph, history_ratings), True),
        ("Plain Beta (pos+1)/(pos+neg+2)", baselines.plain_beta(graph), True),
        (
            "Fairness-Goodness (Kumar et al. 2016)",
            baselines.fairness_goodness(graph, history_ratings),
            True,
        ),
        ("PageRank on positive edges", baselines.pagerank_positive(graph, history_ratings), True),
    ]
    results = [
        MethodResult(name, roc_auc(values[who], positive), base) for name, values, base in methods
    ]
    return RatingsEvaluation(
        network=network.name,
        ratings=len(ratings),
        history=cut,
        future=len(ratings) - cut,
        covered=int(covered.sum()),
        positive_share=float(positive.mean()) if len(positive) else float("nan"),
        trust_iterations=trust.iterations,
        params=params,
        results=results,
    )
