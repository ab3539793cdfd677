"""Every lab finding has a control: a rule whose penalty is 0 changes nothing (the same random
draws, the same society, month by month), and a rule's effect is the paired difference from
that control with a bootstrap interval."""

from __future__ import annotations

import math

import pytest

from sincerity.lab import LabConfig, load_lab_policy
from sincerity.lab.effects import RULE_PENALTIES, rule_effects, rules_in, without
from sincerity.lab.model import Model, reflect
from sincerity.lab.run import bootstrap_interval
from sincerity.policies import shipped_policy

REGISTRIES = {"default": shipped_policy()}
SMALL = LabConfig(agents=2000)


def described():  # type: ignore[no-untyped-def]
    return load_lab_policy("described", REGISTRIES)


def history(policy, seed: int = 3, steps: int = 24):  # type: ignore[no-untyped-def]
    return Model(policy, SMALL, seed).run(steps)


def same(a: list[dict[str, float]], b: list[dict[str, float]]) -> bool:
    return all(
        x.keys() == y.keys()
        and all((math.isnan(x[k]) and math.isnan(y[k])) or x[k] == y[k] for k in x)
        for x, y in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("rule", list(RULE_PENALTIES))
def test_a_rule_with_penalty_zero_is_no_rule_at_all(rule: str) -> None:
    field, _ = RULE_PENALTIES[rule]
    policy = described()
    if getattr(policy, field) is None:
        pytest.skip(f"the described preset has no {rule} rule")
    control = without(policy, rule)
    absent = policy.model_copy(update={field: None})
    assert same(history(control), history(absent))
    assert not same(history(policy), history(control))  # the rule itself does something


def test_ties_are_cut_in_every_society_so_the_association_rule_is_measured_against_that() -> None:
    none = load_lab_policy("none", REGISTRIES)
    assert history(none)[-1]["ties_cut_to_critics"] > 0  # distancing is a strategy for all


def test_reflected_mutation_stays_in_bounds_without_piling_up_on_them() -> None:
    import numpy as np

    values = reflect(np.array([-0.3, 0.2, 1.25, 2.5, -1.75], dtype=np.float32))
    assert np.allclose(values, [0.3, 0.2, 0.75, 0.5, 0.25])
    walk = np.zeros(20000, dtype=np.float32)
    rng = np.random.default_rng(1)
    for _ in range(400):
        walk = reflect(walk + rng.normal(0, 0.05, walk.size).astype(np.float32))
    assert (walk == 0).mean() < 0.001  # clipping would leave about half the mass at 0
    assert abs(float(walk.mean()) - 0.5) < 0.05  # and a reflected walk spreads out evenly


def test_the_speech_penalty_lowers_the_mean_score_against_its_control() -> None:
    policy = described()
    assert "speech" in rules_in(policy)
    effects = rule_effects(policy, SMALL, 24, [1, 2, 3, 4, 5], ["speech"])
    mean_score = next(e for e in effects if e.metric == "mean_score")
    assert mean_score.seeds == 5
    assert mean_score.high < 0  # the whole interval below zero: critics lose points
    assert mean_score.effect == pytest.approx(mean_score.treated - mean_score.control)


def test_a_bootstrap_interval_covers_the_mean_and_collapses_without_spread() -> None:
    low, high = bootstrap_interval([1.0, 2.0, 3.0, 4.0])
    assert low < 2.5 < high
    assert bootstrap_interval([0.5, 0.5, 0.5]) == (0.5, 0.5)


def test_dose_response_is_against_dose_zero_on_the_same_seeds() -> None:
    from sincerity.lab.effects import dose_response

    points = dose_response(described(), "speech", [1.0, 2.0], SMALL, 12, [1, 2, 3])
    voicing = {p.dose: p for p in points if p.metric == "critics_voicing_share"}
    assert sorted(voicing) == [0.0, 1.0, 2.0]
    assert voicing[0.0].effect == 0.0 and (voicing[0.0].low, voicing[0.0].high) == (0, 0)
    # A heavier sanction silences more critics (the score then falls *less*: fewer posts).
    assert voicing[2.0].effect < voicing[1.0].effect < 0
    assert voicing[1.0].high < 0


def synthetic_rows(trend: float) -> list[dict[str, float | str]]:
    from sincerity.lab.run import METRICS

    rows: list[dict[str, float | str]] = []
    for seed in (1.0, 2.0, 3.0):
        for step in range(1, 41):
            row: dict[str, float | str] = {"preset": "p", "seed": seed, "step": float(step)}
            for metric in METRICS:
                row[metric] = 0.5 + 0.01 * seed
            row["mean_score"] = 600.0 + trend * step + seed
            rows.append(row)
    return rows


def test_a_metric_still_moving_at_the_end_is_flagged_and_a_settled_one_is_not() -> None:
    from sincerity.lab.run import convergence, horizons

    moving = {c.metric: c for c in convergence(synthetic_rows(trend=1.0))}
    assert moving["mean_score"].moving and moving["mean_score"].change == pytest.approx(12.0)
    assert not moving["opinion_entropy"].moving
    assert "ties_cut_to_critics" not in moving  # cumulative: never asked to settle
    settled = {c.metric: c for c in convergence(synthetic_rows(trend=0.0))}
    assert not settled["mean_score"].moving
    at = horizons(synthetic_rows(trend=1.0))
    assert sorted(at) == [10, 20, 40]
    score_at = {step: next(s for s in v if s.metric == "mean_score").mean for step, v in at.items()}
    assert score_at[10] == pytest.approx(612.0) and score_at[40] == pytest.approx(642.0)


def test_a_shares_interval_over_few_seeds_stays_within_zero_and_one() -> None:
    from sincerity.lab.run import METRICS, summarize

    rows: list[dict[str, float | str]] = []
    for seed, share in ((1.0, 0.0), (2.0, 0.0), (3.0, 1.0)):  # a t-interval would reach -0.9
        rows.append({"preset": "p", "seed": seed, "step": 1.0, **dict.fromkeys(METRICS, share)})
    found = {s.metric: s for s in summarize(rows)}["honest_punished_share"]
    assert 0.0 <= found.low <= found.mean <= found.high <= 1.0
