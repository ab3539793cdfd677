"""The reputation model: collusion resistance, retaliation, determinism, convergence."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from sincerity.core.records import parse_record
from sincerity.core.reputation import (
    ConvergenceError,
    TrustParams,
    beta_reputation,
    default_seeds,
    global_trust,
    rating_graph,
)
from sincerity.core.scoring import score
from sincerity.datasets import bitcoin_otc
from sincerity.policies import shipped_policy

PARAMS = TrustParams()
TODAY = 20_000.0  # days on any epoch


def honest_world(rng: random.Random, n: int = 200) -> list[tuple[str, str, float, float]]:
    """Honest accounts h0..h{n-1} trading with each other, mostly satisfied."""
    edges = []
    for _ in range(n * 8):
        a, b = rng.sample(range(n), 2)
        rating = 10.0 if rng.random() < 0.9 else -5.0
        edges.append((f"h{a}", f"h{b}", rating, TODAY - rng.randrange(0, 200)))
    return edges


def sybil_ring(size: int = 1000) -> list[tuple[str, str, float, float]]:
    return [
        (f"s{a}", f"s{b}", 10.0, TODAY - 1 - (7 * a + b) % 300)
        for a in range(size)
        for b in range(size)
        if a != b
    ]


def build(edges: list[tuple[str, str, float, float]]):
    raters, targets, ratings, days = zip(*edges, strict=True)
    return rating_graph(raters, targets, ratings, days, TODAY)


def test_a_sybil_ring_stays_below_an_honest_subject_with_twenty_trusted_ratings() -> None:
    rng = random.Random(1)
    seeds = [f"h{i}" for i in range(20)]
    honest = [(seed, "target", 10.0, TODAY - 10 - 10 * i) for i, seed in enumerate(seeds)]
    graph = build(honest_world(rng) + honest + sybil_ring(1000))
    trust = global_trust(graph, PARAMS, default_seeds(graph, verified=seeds))
    _, _, reputation = beta_reputation(graph, trust.credibility, PARAMS)
    index = graph.index()
    sybils = np.array([index[f"s{i}"] for i in range(1000)])
    assert trust.trust[sybils].sum() < 1e-9  # no path of trust: almost nothing flows in
    assert reputation[sybils].max() < reputation[index["target"]]
    # And through the whole scorer: each ring member scores below the honest subject.
    policy = shipped_policy()
    as_of = date.fromordinal(int(TODAY))
    credibility = trust.as_mapping()

    def received(subject: str, edges: list[tuple[str, str, float, float]]):
        return [
            parse_record(
                {
                    "id": f"{r}-{subject}",
                    "source": "market",
                    "subject": subject,
                    "kind": "rating",
                    "rater": r,
                    "transaction": f"t-{r}-{subject}",
                    "rating": int(v),
                    "occurred_on": date.fromordinal(int(d)),
                    "reported_on": date.fromordinal(int(d)),
                }
            )
            for r, t, v, d in edges
            if t == subject
        ]

    honest_score = score(received("target", honest), policy, as_of, rater_trust=credibility)
    ring = sybil_ring(40)  # a member receives the same 10/10 from each other member
    sybil_score = score(received("s0", ring), policy, as_of, rater_trust=credibility)
    assert honest_score.value is not None and sybil_score.value is not None
    assert sybil_score.value < honest_score.value


def test_retaliation_is_damped_not_amplified() -> None:
    base = [("x", "alice", 10.0, TODAY - 50), ("y", "alice", 10.0, TODAY - 40)]
    seeds = ["x", "y", "bob"]
    # bob rates alice down; alice answers in kind three days later (retaliation)...
    retaliation = build(
        [
            *base,
            ("bob", "alice", -10.0, TODAY - 20),
            ("alice", "bob", -10.0, TODAY - 17),
            ("x", "bob", 10.0, TODAY - 30),
        ]
    )
    # ... versus the same negative rating of bob given with no provocation.
    unprovoked = build(
        [
            *base,
            ("carol", "alice", -10.0, TODAY - 20),
            ("alice", "bob", -10.0, TODAY - 17),
            ("x", "bob", 10.0, TODAY - 30),
        ]
    )
    results = []
    for graph in (retaliation, unprovoked):
        trust = global_trust(graph, PARAMS, default_seeds(graph, verified=seeds))
        _, negative, reputation = beta_reputation(graph, np.ones(graph.size), PARAMS)
        results.append((negative[graph.index()["bob"]], reputation[graph.index()["bob"]], trust))
    (neg_retaliated, rep_retaliated, _), (neg_plain, rep_plain, _) = results
    assert neg_retaliated == pytest.approx(PARAMS.retaliation_damping * neg_plain)
    assert rep_retaliated > rep_plain


def test_results_do_not_depend_on_input_or_node_order() -> None:
    rng = random.Random(3)
    edges = honest_world(rng, 120)
    reference = global_trust(build(edges), PARAMS)
    shuffled = list(edges)
    rng.shuffle(shuffled)
    again = global_trust(build(shuffled), PARAMS)
    assert again.nodes == reference.nodes
    assert np.array_equal(again.trust, reference.trust)
    # Renaming every node changes the internal order; trust by node must not change.
    renamed = [(f"z{999 - int(a[1:])}", f"z{999 - int(b[1:])}", v, d) for a, b, v, d in edges]
    seeds_ref = [reference.nodes[i] for i in default_seeds(build(edges))]
    graph = build(renamed)
    renamed_seeds = default_seeds(graph, verified=[f"z{999 - int(s[1:])}" for s in seeds_ref])
    relabelled = global_trust(graph, PARAMS, renamed_seeds)
    by_name = dict(zip(relabelled.nodes, relabelled.trust, strict=True))
    for node, value in zip(reference.nodes, reference.trust, strict=True):
        assert by_name[f"z{999 - int(node[1:])}"] == pytest.approx(value, abs=1e-12)


def test_the_power_iteration_reports_convergence_or_raises() -> None:
    graph = build(honest_world(random.Random(4), 100))
    result = global_trust(graph, PARAMS)
    assert result.residual < PARAMS.tolerance and result.iterations > 1
    assert result.trust.sum() == pytest.approx(1.0)
    with pytest.raises(ConvergenceError, match="did not converge in 3 iterations"):
        global_trust(graph, TrustParams(max_iterations=3))


def test_a_warm_start_saves_most_of_the_work_after_a_few_new_ratings() -> None:
    network = bitcoin_otc()
    order = np.argsort(network.times, kind="stable")[:20_000]
    days = network.times[order] / 86_400
    as_of = float(days.max())
    before = np.ones(len(order), dtype=bool)
    before[np.random.default_rng(7).choice(len(order), 10, replace=False)] = False
    old = global_trust(
        rating_graph(
            network.sources[order][before],
            network.targets[order][before],
            network.ratings[order][before],
            days[before],
            as_of,
        ),
        PARAMS,
    )
    graph = rating_graph(
        network.sources[order], network.targets[order], network.ratings[order], days, as_of
    )
    cold = global_trust(graph, PARAMS)
    warm = global_trust(graph, PARAMS, warm_start=dict(zip(old.nodes, old.trust, strict=True)))
    assert warm.iterations <= 0.6 * cold.iterations
    assert np.abs(warm.trust - cold.trust).sum() < 1e-9


def test_personalised_trust_follows_the_relying_partys_own_seeds() -> None:
    edges = [*honest_world(random.Random(6), 150), ("h149", "newcomer", 10.0, TODAY - 2)]
    graph = build(edges)
    index = graph.index()
    default = global_trust(graph, PARAMS)
    personal = global_trust(graph, PARAMS, seeds=[index["h149"]])
    assert personal.trust[index["newcomer"]] > default.trust[index["newcomer"]]


def test_a_thin_ring_member_does_not_get_history_from_untrusted_raters() -> None:
    policy = shipped_policy()
    as_of = date(2026, 6, 1)
    ratings = [
        parse_record(
            {
                "id": f"r{i}",
                "source": "m",
                "subject": "s0",
                "kind": "rating",
                "rater": f"s{i}",
                "transaction": f"t{i}",
                "rating": 10,
                "occurred_on": as_of - timedelta(days=400 + i),
                "reported_on": as_of - timedelta(days=400 + i),
            }
        )
        for i in range(1, 6)
    ]
    result = score(ratings, policy, as_of, rater_trust={})
    history = next(f for f in result.factors if f.name == "history_length")
    assert history.points == 0.0
