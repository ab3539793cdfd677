"""Fitted scorecards and fairness audits on the bundled German Credit data, and a registry
policy fitted to outcome labels on a synthetic population."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sincerity.core.errors import InvalidInputError
from sincerity.core.scorecard import Scorecard, apply_scorecard
from sincerity.datasets import german_credit
from sincerity.datasets.german import PROTECTED
from sincerity.policies import dump_yaml, load_scorecard
from sincerity.scorecards.audit import audit, psi
from sincerity.scorecards.fit import fit_scorecard, parity_gap


@pytest.fixture(scope="module")
def fitted():
    frame = german_credit()
    card, evaluation, opt = fit_scorecard(frame, "creditability", "bad", list(PROTECTED))
    return frame, card, evaluation, opt


def test_german_credit_reaches_the_reference_auc_with_a_small_monotone_card(fitted) -> None:
    _, card, evaluation, _ = fitted
    summary = evaluation.summary()
    assert summary["folds"] == 10 and summary["auc_mean"] >= 0.79
    assert 0 < summary["auc_sd"] < 0.1 and summary["ks_mean"] > 0.4
    assert len(card.features) <= 12
    assert not {f.name for f in card.features} & set(PROTECTED)
    for feature in card.features:
        if feature.kind == "numerical":
            points = [b.points for b in feature.numeric_bins]
            assert points == sorted(points) or points == sorted(points, reverse=True), feature.name


def test_the_core_gives_the_fitted_models_points_for_every_applicant(
    fitted, tmp_path: Path
) -> None:
    frame, card, _, opt = fitted
    assert parity_gap(card, opt, frame) < 1e-6
    path = tmp_path / "card.yaml"
    path.write_text(dump_yaml(card.model_dump(mode="json")))
    reloaded = load_scorecard(path)
    assert reloaded.version == card.version
    row = frame.iloc[0].to_dict()
    assert apply_scorecard(reloaded, row).score == pytest.approx(apply_scorecard(card, row).score)
    assert len(apply_scorecard(card, row).reasons) <= 4


def test_a_protected_attribute_is_refused_as_a_feature() -> None:
    frame = german_credit()
    with pytest.raises(InvalidInputError) as caught:
        fit_scorecard(
            frame, "creditability", "bad", protected=["personal_status_and_sex", "sex"], folds=2
        )
    named = {p.field for p in caught.value.problems}
    assert named == {"age_in_years", "foreign_worker"}
    frame = frame.rename(columns={"telephone": "applicant_religion"})
    with pytest.raises(InvalidInputError, match="applicant_religion"):
        fit_scorecard(frame, "creditability", "bad", list(PROTECTED), folds=2)


def test_a_scorecard_file_cannot_smuggle_a_protected_feature(fitted) -> None:
    _, card, _, _ = fitted
    data = card.model_dump(mode="json")
    data["features"][0]["name"] = "gender"
    with pytest.raises(ValueError, match="refused"):
        Scorecard.model_validate(data)


def test_the_fairness_audit_by_sex_and_age(fitted) -> None:
    frame, card, _, _ = fitted
    age = ["under 25" if a < 25 else "25 and over" for a in frame["age_in_years"]]
    result = audit(
        card, frame, {"sex": frame["sex"], "age": age}, compare=frame.sample(500, random_state=3)
    )
    for name in ("sex", "age"):
        entry = result["audits"][name]
        rates = [g["selection_rate"] for g in entry["groups"].values()]
        assert entry["demographic_parity_ratio"] == pytest.approx(min(rates) / max(rates))
        assert entry["four_fifths_violation"] == (entry["demographic_parity_ratio"] < 0.8)
        assert 0 <= entry["equalized_odds_difference"] <= 1
        assert entry["calibration"]
    strict = audit(card, frame, {"age": age}, threshold=560)  # a stricter cut-off
    entry = strict["audits"]["age"]
    if entry["four_fifths_violation"]:
        fix = entry["rebalanced_threshold"]
        assert fix is not None and fix["demographic_parity_ratio"] >= 0.8
    assert result["psi"]["value"] < 0.1 and result["psi"]["band"] == "stable"
    json.dumps(result)


def test_psi_bands() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(600, 50, 5000)
    assert psi(base, rng.normal(600, 50, 5000)) < 0.1
    assert psi(base, rng.normal(680, 50, 5000)) > 0.25


def test_a_registry_policy_fitted_to_labels_ranks_held_out_subjects_better(tmp_path: Path) -> None:
    from sincerity.services import Registry, load_population
    from sincerity.services.fit_policy import Label, fit_from_registry
    from sincerity.synth import demo_population, outcome_labels

    registry = Registry.create(f"sqlite:///{tmp_path / 'fit.db'}")
    population = demo_population(1200, registry.today(), seed=7)
    load_population(registry, population)
    labels = [Label(subject, bad, registry.today()) for subject, bad in outcome_labels(population)]
    policy, report = fit_from_registry(registry, labels)
    assert report["auc_fitted_policy"] > report["auc_current_policy"]
    assert (
        policy.thin_file == registry.policy.thin_file
        and policy.obsolescence == registry.policy.obsolescence
    )
    assert sum(report["weights"].values()) == pytest.approx(100, abs=0.01)
    registry.close()
