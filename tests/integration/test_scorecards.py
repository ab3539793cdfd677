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
from sincerity.datasets.german import NOT_IDENTIFIABLE, ORDINAL_RANKINGS, PROTECTED
from sincerity.policies import dump_yaml, load_scorecard
from sincerity.scorecards.audit import audit, psi
from sincerity.scorecards.fit import fit_scorecard, parity_gap
from sincerity.scorecards.proxies import proxy_report


@pytest.fixture(scope="module")
def fitted():
    frame = german_credit()
    card, evaluation, opt = fit_scorecard(
        frame,
        "creditability",
        "bad",
        list(PROTECTED),
        rankings=ORDINAL_RANKINGS,
        exclude=["purpose"],
    )
    return frame, card, evaluation, opt


def test_the_corrected_coding_of_personal_status_and_sex_is_pinned() -> None:
    frame = german_credit()
    assert frame["personal_status_and_sex"].value_counts().to_dict() == {
        "male : married/widowed": 548,  # A93, documented wrongly as "male : single"
        "female : non-single, or male : single": 310,  # A92: sex not identifiable
        "female : single": 92,  # A94, documented wrongly as "male : married/widowed"
        "male : divorced/separated": 50,  # A91
    }
    assert frame["sex"].value_counts().to_dict() == {
        "male": 598,
        NOT_IDENTIFIABLE: 310,
        "female": 92,
    }


def test_german_credit_card_is_accurate_and_says_which_features_are_monotone(fitted) -> None:
    _, card, evaluation, _ = fitted
    summary = evaluation.summary()
    assert summary["folds"] == 10 and summary["auc_mean"] >= 0.75
    assert 0 < summary["auc_sd"] < 0.1 and summary["ks_mean"] > 0.4
    assert len(card.features) <= 12
    assert not {f.name for f in card.features} & {*PROTECTED, "purpose"}
    kinds = {f.name: f.kind for f in card.features}
    for name in ORDINAL_RANKINGS:
        if name in kinds:
            assert kinds[name] == "ordinal"
    for feature in card.features:
        assert feature.monotone == (feature.kind != "categorical"), feature.name
    employment = next(f for f in card.features if f.name == "present_employment_since")
    points = {c: employment.points_for(c)[0] for c in ORDINAL_RANKINGS[employment.name]}
    assert points["... >= 7 years"] >= points["4 <= ... < 7 years"]  # never less for longer


def test_purpose_is_refused_by_default_and_its_cost_can_be_measured() -> None:
    frame = german_credit()
    with pytest.raises(InvalidInputError) as caught:
        fit_scorecard(frame, "creditability", "bad", list(PROTECTED), folds=2)
    assert {p.field for p in caught.value.problems} == {"purpose"}
    assert "--allow-purpose" in str(caught.value)
    card, with_purpose, _ = fit_scorecard(
        frame, "creditability", "bad", list(PROTECTED), folds=3, allow_purpose=True
    )
    assert card.allows_purpose and "purpose" in {f.name for f in card.features}
    smuggled = card.model_dump(mode="json") | {"allows_purpose": False}
    with pytest.raises(ValueError, match="refused"):
        Scorecard.model_validate(smuggled)
    _, without, _ = fit_scorecard(
        frame, "creditability", "bad", list(PROTECTED), folds=3, exclude=["purpose"]
    )
    assert 0.7 < without.summary()["auc_mean"] < 0.85
    assert 0.7 < with_purpose.summary()["auc_mean"] < 0.85


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
    assert named == {"age_in_years", "foreign_worker", "purpose"}
    frame = frame.rename(columns={"telephone": "applicant_religion"})
    with pytest.raises(InvalidInputError, match="applicant_religion"):
        fit_scorecard(frame, "creditability", "bad", list(PROTECTED), folds=2, exclude=["purpose"])


def test_a_scorecard_file_cannot_smuggle_a_protected_feature(fitted) -> None:
    _, card, _, _ = fitted
    data = card.model_dump(mode="json")
    data["features"][0]["name"] = "gender"
    with pytest.raises(ValueError, match="refused"):
        Scorecard.model_validate(data)


def test_the_fairness_audit_by_sex_and_age(fitted) -> None:
    frame, card, evaluation, _ = fitted
    age = ["under 25" if a < 25 else "25 and over" for a in frame["age_in_years"]]
    result = audit(
        card,
        frame,
        {"sex": frame["sex"], "age": age},
        compare=frame.sample(500, random_state=3),
        scores=evaluation.oof_scores,
        predictions="out-of-fold",
    )
    for name in ("sex", "age"):
        entry = result["audits"][name]
        rates = [g["selection_rate"] for g in entry["groups"].values()]
        assert entry["demographic_parity_ratio"] == pytest.approx(min(rates) / max(rates))
        assert entry["four_fifths_violation"] == (entry["demographic_parity_ratio"] < 0.8)
        low, high = entry["demographic_parity_ratio_ci"]
        assert low <= entry["demographic_parity_ratio"] <= high
        assert 0 <= entry["probability_four_fifths_fails"] <= 1
        assert 0 <= entry["equalized_odds_difference"] <= 1
        assert entry["calibration"]
    strict = audit(card, frame, {"age": age}, threshold=560)  # a stricter cut-off
    entry = strict["audits"]["age"]
    if entry["four_fifths_violation"]:
        fix = entry["rebalanced_threshold"]
        assert fix is not None and fix["demographic_parity_ratio"] >= 0.8
    assert result["psi"]["band"] in ("stable", "shifting: watch")
    json.dumps(result)


def test_the_audit_equals_fairlearn_on_the_same_predictions(fitted) -> None:
    from fairlearn.metrics import (
        MetricFrame,
        demographic_parity_ratio,
        equalized_odds_difference,
        selection_rate,
    )

    frame, card, evaluation, _ = fitted
    scores = evaluation.oof_scores
    approved = (scores >= card.decision_threshold).astype(int)
    good = (frame["creditability"] != "bad").astype(int).to_numpy()
    labels = frame["foreign_worker"].astype(str).to_numpy()
    entry = audit(card, frame, {"fw": labels}, scores=scores)["audits"]["fw"]
    rates = MetricFrame(
        metrics=selection_rate, y_true=good, y_pred=approved, sensitive_features=labels
    ).by_group
    for group, rate in rates.items():
        assert entry["groups"][group]["selection_rate"] == pytest.approx(rate, abs=1e-12)
        by_hand = approved[labels == group].mean()  # and the wiring is right
        assert entry["groups"][group]["selection_rate"] == pytest.approx(by_hand, abs=1e-12)
    assert entry["demographic_parity_ratio"] == pytest.approx(
        demographic_parity_ratio(good, approved, sensitive_features=labels), abs=1e-12
    )
    assert entry["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(good, approved, sensitive_features=labels), abs=1e-12
    )
    assert entry["too_small_to_conclude"] == ["no"]  # 37 non-foreign workers


def test_out_of_fold_scores_are_not_the_in_sample_ones(fitted) -> None:
    from sincerity.scorecards.audit import scores_of

    frame, card, evaluation, _ = fitted
    in_sample = scores_of(card, frame)
    assert evaluation.oof_scores.shape == in_sample.shape
    assert not np.allclose(evaluation.oof_scores, in_sample)
    bad_rate = (frame["creditability"] == "bad").mean()
    approved = (evaluation.oof_scores >= card.decision_threshold).mean()
    assert approved == pytest.approx(1 - bad_rate, abs=0.01)  # threshold set out of fold


def test_the_card_features_that_predict_a_protected_attribute_are_named(fitted) -> None:
    frame, card, _, _ = fitted
    age = ["under 25" if a < 25 else "25 and over" for a in frame["age_in_years"]]
    report = proxy_report(card, frame, {"age": age, "foreign_worker": frame["foreign_worker"]})
    assert report["age"]["auc"] > 0.7 and report["age"]["strong_proxy"]
    assert "housing" in report["age"]["carriers"]
    assert report["foreign_worker"]["strong_proxy"]
    top = report["age"]["features"][0]
    assert top["cramers_v"] >= report["age"]["features"][-1]["cramers_v"]


def test_prior_correction_moves_the_scale_to_the_population_bad_rate(fitted) -> None:
    frame = fitted[0]
    corrected, evaluation, corrected_opt = fit_scorecard(
        frame,
        "creditability",
        "bad",
        list(PROTECTED),
        folds=3,
        rankings=ORDINAL_RANKINGS,
        exclude=["purpose"],
        population_bad_rate=0.05,
    )
    assert corrected.offset > 0  # a 30% sample makes everyone look riskier than at 5%
    assert parity_gap(corrected, corrected_opt, frame) < 1e-6
    rows = evaluation.summary()["calibration"]
    predicted = np.mean([r["predicted_population_bad_rate"] for r in rows])
    observed = np.mean([r["observed_population_bad_rate"] for r in rows])
    assert predicted == pytest.approx(observed, abs=0.02) and predicted < 0.1


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
    assert report.auc_fitted_policy > report.auc_current_policy
    assert (
        policy.thin_file == registry.policy.thin_file
        and policy.obsolescence == registry.policy.obsolescence
    )
    assert sum(report.weights.values()) == pytest.approx(100, abs=0.01)
    registry.close()
