"""The policy lab: Deffuant's known results, determinism, presets, and the line between the lab's
rules and the registry."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

from sincerity.core.errors import PolicyError
from sincerity.core.stats import roc_auc
from sincerity.lab import LabConfig, Model, load_lab_policy, metrics, run_presets, summarize
from sincerity.lab.dynamics import bounded_confidence
from sincerity.policies import load_policy, shipped_policy

REGISTRIES = {"default": shipped_policy()}
PRESETS_DIR = Path(__file__).parents[2] / "src/sincerity/lab/presets"


@pytest.mark.parametrize("epsilon", [0.55, 0.7])
def test_wide_confidence_reaches_consensus(epsilon: float) -> None:
    opinions = bounded_confidence(2000, epsilon, 300, seed=1)
    assert metrics.clusters(opinions, gap=0.02, min_share=0.02) == 1
    assert float(opinions.max() - opinions.min()) < 0.02


@pytest.mark.parametrize(("epsilon", "expected"), [(0.1, 5), (0.15, 3), (0.25, 2)])
def test_narrow_confidence_leaves_about_one_over_two_epsilon_clusters(
    epsilon: float, expected: int
) -> None:
    found = [
        metrics.clusters(bounded_confidence(2000, epsilon, 400, seed), gap=0.02, min_share=0.02)
        for seed in (1, 2, 3)
    ]
    assert abs(np.mean(found) - expected) <= 1.0, found


def test_same_seed_same_results_and_different_seeds_differ() -> None:
    policy = load_lab_policy("described", REGISTRIES)
    config = LabConfig(agents=1500)
    first = Model(policy, config, seed=7).run(15)
    again = Model(policy, config, seed=7).run(15)
    other = Model(policy, config, seed=8).run(15)
    np.testing.assert_equal(first, again)  # NaN (no mobility yet) equals NaN here
    assert [r["mean_score"] for r in first] != [r["mean_score"] for r in other]


def test_the_registry_refuses_a_lab_policy_file_naming_the_rule() -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(PRESETS_DIR / "described.yaml")
    fields = {p.field for p in caught.value.problems}
    assert {"speech_rules", "association_rules", "purchase_rules", "visibility_rules"} <= fields
    assert all(
        "lab-only rule" in p.message for p in caught.value.problems if p.field.endswith("_rules")
    )


def test_presets_load_and_quote_the_article() -> None:
    for name in ("none", "accountable", "described"):
        policy = load_lab_policy(name, REGISTRIES)
        assert policy.article
    assert load_lab_policy("none", REGISTRIES).registry is None
    assert load_lab_policy("accountable", REGISTRIES).speech_rules is None
    described = load_lab_policy("described", REGISTRIES)
    assert (
        described.speech_rules
        and described.association_rules
        and described.consequences.blacklist_below
    )


def test_a_users_own_lab_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nregistry: default\nspeech_rules: {penalty_per_critical_post: 5}\n")
    assert load_lab_policy(path, REGISTRIES).speech_rules.penalty_per_critical_post == 5
    path.write_text("name: mine\nregistry: default\nspeech_rules: {penalty: 5}\n")
    with pytest.raises(PolicyError, match="not valid"):
        load_lab_policy(path, REGISTRIES)


def test_what_the_presets_do_to_a_small_society() -> None:
    policies = [load_lab_policy(n, REGISTRIES) for n in ("none", "accountable", "described")]
    rows = run_presets(policies, LabConfig(agents=3000), steps=60, seeds=[1, 2])
    last = {(s.preset, s.metric): s.mean for s in summarize(rows)}
    # People distance themselves from critics in every society (what a rule adds to that is
    # measured against its control: tests/unit/test_lab_controls.py).
    assert all(last[(p, "ties_cut_to_critics")] > 0 for p in ("none", "accountable", "described"))
    # Keeping one's word is a strategy: without a reputation to condition on, it erodes (the
    # temptation pays); with a score that partners check, it spreads (indirect reciprocity).
    assert last[("accountable", "keeping_mean")] > last[("none", "keeping_mean")] + 0.15
    assert last[("accountable", "cooperation_rate")] > last[("none", "cooperation_rate")] + 0.2
    # The described system punishes more honest people than the registry's own policy ...
    assert (
        last[("described", "honest_punished_share")]
        > last[("accountable", "honest_punished_share")]
    )
    # ... and its critics voice their criticism far less, saying what is safe instead.
    assert (
        last[("described", "critics_voicing_share")]
        < last[("accountable", "critics_voicing_share")] - 0.15
    )
    assert last[("described", "falsifying_share")] > last[("accountable", "falsifying_share")]
    # Without scoring there is no score.
    assert np.isnan(last[("none", "score_gini")])


def test_metrics_on_known_inputs() -> None:
    assert metrics.gini(np.ones(10)) == pytest.approx(0.0)
    assert metrics.gini(np.array([0, 0, 0, 1.0])) == pytest.approx(0.75)
    assert roc_auc(np.array([1, 2, 3, 4.0]), np.array([False, False, True, True])) == 1.0
    assert metrics.entropy(np.linspace(0, 0.999, 2000), bins=20) == pytest.approx(
        np.log2(20), abs=0.01
    )
    two_camps = np.concatenate([np.full(50, 0.1), np.full(50, 0.9)])
    assert metrics.clusters(two_camps) == 2
    edges = np.array([[0, 1], [1, 2], [3, 4], [4, 5]])
    assert metrics.modularity(edges, np.array([0, 0, 0, 1, 1, 1])) == pytest.approx(0.5)


def test_the_lab_reads_the_score_range_from_the_registry_policy() -> None:
    from sincerity.core.policy import policy_from_data

    base = shipped_policy()
    content = dict(base.content)
    content["range"] = {"min": 0, "max": 1000}
    content["tiers"] = [
        {**tier, "min_score": round((tier["min_score"] - 300) * 1000 / 600)}
        for tier in content["tiers"]
    ]
    wide = policy_from_data(content)
    results = {}
    for name, registry in (("300-900", base), ("0-1000", wide)):
        model = Model(load_lab_policy("described", {"default": registry}), LabConfig(agents=400), 3)
        lo, hi = registry.range.min, registry.range.max
        model.score[:] = lo + 0.5 * (hi - lo)  # the midpoint of dealing's curve on either range
        model.member[:] = True  # everyone's own score is seen (no opt-in stand-in)
        results[name] = float(np.abs(model._in_range(0.5, 0.05)).max())
    assert results == {"300-900": 0.0, "0-1000": 0.0}


def test_the_lab_scores_its_agents_with_the_registrys_own_factor_spec() -> None:
    """An agent's events score as the records they stand for would through the python scorer."""
    from datetime import date, timedelta

    from sincerity.core.scoring import score
    from sincerity.lab.registry_scores import registry_scores
    from tests.conftest import make

    policy = shipped_policy()
    as_of = date(2026, 6, 1)
    # 48 months of history (1,461 days: exactly 4 years): 20 bills paid, 4 missed, 6 contracts
    # kept, 1 broken, all today, with identity and licence verified (as every lab agent's are).
    records = [make("payment", as_of, f"p{i}") for i in range(20)]
    records += [make("payment", as_of, f"m{i}", status="missed") for i in range(4)]
    records += [make("contract", as_of, f"c{i}") for i in range(6)]
    records += [make("contract", as_of, "b", status="breached")]
    records += [
        make("verification", as_of, "id"),
        make("verification", as_of, "lic", what="licence"),
    ]
    records += [make("payment", as_of - timedelta(days=1461), "first")]
    expected = score(records, policy, as_of)

    class Ledger:
        paid = np.array([21.0])
        missed = np.array([4.0])
        kept = np.array([6.0])
        broken = np.array([1.0])
        praised = np.array([0.0])
        blamed = np.array([0.0])

    # The first payment, four years back, has decayed by its half-life as the lab's counts do.
    first = 2.0 ** (-1461 / policy.factors.payment_history.half_life_days)
    Ledger.paid = np.array([20.0 + first])
    lab = registry_scores(policy, Ledger, months=48, n=1)
    assert expected.value is not None
    assert abs(float(lab[0]) - expected.value) < 1e-3  # the lab computes in float32


def test_every_lab_parameter_can_be_set_and_bad_settings_are_all_named() -> None:
    from sincerity.core.errors import InvalidInputError
    from sincerity.lab.config import BOUNDS, with_settings

    changed = with_settings(LabConfig(), ["mutation=0", "degree = 6", "network=scale_free"])
    assert (changed.mutation, changed.degree, changed.network) == (0.0, 6, "scale_free")
    assert set(BOUNDS) | {"network"} == set(asdict(LabConfig()))  # every parameter has a range
    with pytest.raises(InvalidInputError) as caught:
        with_settings(LabConfig(), ["bogus=1", "kappa=abc", "rewire=3", "degree=2.5", "mu"])
    fields = [p.field for p in caught.value.problems]
    assert fields == ["bogus", "kappa", "rewire", "degree", "mu"]


def test_every_parameter_lives_in_the_lab_policy_file_and_can_be_set(tmp_path: Path) -> None:
    from sincerity.core.errors import InvalidInputError
    from sincerity.lab.policy import with_policy_settings

    text = (PRESETS_DIR / "described.yaml").read_text()
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("name: described", "name: mine") + "model: {mutation: 0.0}\n")
    mine = load_lab_policy(path, REGISTRIES)
    assert mine.configured(LabConfig()).mutation == 0.0
    # --set reaches the model parameters and every rule or consequence of the policy.
    changed = with_policy_settings(
        mine,
        ["kappa=0.2", "speech_rules.penalty_per_critical_post=10", "consequences.status_value=0"],
    )
    assert changed.configured(LabConfig()).kappa == 0.2
    assert changed.speech_rules is not None and changed.speech_rules.penalty_per_critical_post == 10
    assert changed.consequences.status_value == 0 and changed.model["mutation"] == 0.0
    accountable = load_lab_policy("accountable", REGISTRIES)
    with pytest.raises(InvalidInputError) as caught:
        with_policy_settings(
            accountable,
            [
                "speech_rules.penalty_per_critical_post=10",  # it has no speech rule
                "consequences.status_value=-1",  # out of range
                "kappa=abc",
                "nonsense.x=1",
                "agents=5",
            ],
        )
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "speech_rules.penalty_per_critical_post",
        "nonsense.x",
        "consequences.status_value",
        "kappa",
        "agents",
    ]
    # A policy file's bad model parameters are named with their place.
    path.write_text(text + "model: {agents: 5, kappa: 0}\n")
    with pytest.raises(PolicyError) as refused:
        load_lab_policy(path, REGISTRIES)
    assert [p.field for p in refused.value.problems] == ["model.agents", "model.kappa"]


def test_the_described_preset_is_calibrated_on_surveyed_approval() -> None:
    """Kostka (2019): about 80% of surveyed Chinese internet users approved of social credit
    systems, more among the better-off. The default parameters must reproduce both, within
    ±0.05 for the level, at the default horizon (docs/lab-model.md, Calibration)."""
    policy = load_lab_policy("described", REGISTRIES)
    rows = run_presets([policy], LabConfig(agents=3000), steps=100, seeds=[1, 2, 3])
    last = {s.metric: s for s in summarize(rows)}
    assert abs(last["approval_share"].mean - 0.80) <= 0.05
    assert last["approval_gap"].low > 0  # the better-off approve more
