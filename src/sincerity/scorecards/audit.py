"""Fairness audit of a scorecard at its decision threshold, on out-of-fold predictions.

Approval = score at or above the threshold. The scores judged are, by default, each applicant's
out-of-fold score (from a fold model that never saw them), not the card applied to its own
training rows. By group: selection rate, true- and false-positive rates (a positive is an
approved applicant, the truth a good outcome) — computed with fairlearn's MetricFrame — the
demographic parity ratio (lowest over highest selection rate) with a bootstrap 95% interval and
the probability that the four-fifths rule fails, the equalized odds difference with its interval,
calibration by group, and a flag on groups too small to conclude anything about. Population
stability (PSI) between two periods. And the documented remedy: the single threshold closest to
the current one that passes the four-fifths rule — one threshold for everyone, because a
threshold per protected group would itself be treatment by group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sincerity.core.scorecard import Scorecard, apply_scorecard

FOUR_FIFTHS = 0.8
MIN_GROUP = 50  # fewer applicants than this and a group's rates say little (37 non-foreign workers)
BOOTSTRAP = 2000


def scores_of(card: Scorecard, frame: Any) -> np.ndarray:
    """The card applied to each row (in-sample when `frame` is the card's training data)."""
    names = [f.name for f in card.features]
    return np.array([apply_scorecard(card, row).score for row in frame[names].to_dict("records")])


def group_rates(
    approved: np.ndarray, good: np.ndarray | None, labels: np.ndarray
) -> dict[str, dict[str, float]]:
    """Applicants, selection rate and (with outcomes) true- and false-positive rates by group,
    computed with fairlearn's MetricFrame."""
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    metrics: dict[str, Any] = {"applicants": count, "selection_rate": selection_rate}
    if good is not None:
        metrics |= {
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
        }
    frame = MetricFrame(
        metrics=metrics,
        y_true=(good if good is not None else approved).astype(int),
        y_pred=approved.astype(int),
        sensitive_features=labels,
    ).by_group
    out: dict[str, dict[str, float]] = {}
    for group in sorted(frame.index, key=str):
        row = frame.loc[group]
        entry = {name: float(row[name]) for name in metrics}
        if good is not None:  # a group with no good (or no bad) applicant has no such rate
            inside = labels == group
            if not (good & inside).any():
                entry["true_positive_rate"] = math.nan
            if not (~good & inside).any():
                entry["false_positive_rate"] = math.nan
        out[str(group)] = entry
    return out


def _ratio(rates: Sequence[float]) -> float:
    return min(rates) / max(rates) if max(rates) > 0 else math.nan


def _bootstrap(
    approved: np.ndarray, good: np.ndarray | None, labels: np.ndarray, seed: int
) -> dict[str, Any]:
    """Resample applicants: the spread of the parity ratio and of the equalized odds difference,
    and how often the parity ratio falls under four-fifths."""
    rng = np.random.default_rng(seed)
    groups = sorted(set(labels.tolist()), key=str)
    member = np.stack([labels == g for g in groups])  # groups x applicants
    n = len(labels)
    ratios = np.empty(BOOTSTRAP)
    odds = np.empty(BOOTSTRAP) if good is not None else None
    for b in range(BOOTSTRAP):
        idx = rng.integers(0, n, n)
        inside = member[:, idx]
        counts = inside.sum(1)
        picked = (inside & approved[idx]).sum(1)
        rates = np.divide(picked, counts, out=np.full(len(groups), np.nan), where=counts > 0)
        present = rates[~np.isnan(rates)]
        ratios[b] = present.min() / present.max() if present.size and present.max() > 0 else 1.0
        if odds is not None and good is not None:
            g, a = good[idx], approved[idx]
            tpr = _rates_where(inside, a, g)
            fpr = _rates_where(inside, a, ~g)
            odds[b] = max(_spread(tpr), _spread(fpr))
    result: dict[str, Any] = {
        "demographic_parity_ratio_ci": [float(np.quantile(ratios, q)) for q in (0.025, 0.975)],
        "probability_four_fifths_fails": float((ratios < FOUR_FIFTHS).mean()),
    }
    if odds is not None:
        result["equalized_odds_difference_ci"] = [
            float(np.quantile(odds, q)) for q in (0.025, 0.975)
        ]
    return result


def _rates_where(inside: np.ndarray, approved: np.ndarray, truth: np.ndarray) -> np.ndarray:
    base = inside & truth
    counts = base.sum(1)
    rates: np.ndarray = np.divide(
        (base & approved).sum(1), counts, out=np.full(len(counts), np.nan), where=counts > 0
    )
    return rates


def _spread(values: np.ndarray) -> float:
    present = values[~np.isnan(values)]
    return float(present.max() - present.min()) if present.size else 0.0


def psi(base: np.ndarray, current: np.ndarray, bins: int = 10) -> float:
    """Population stability index of `current` against `base`, over base deciles."""
    edges = np.unique(np.quantile(base, np.linspace(0, 1, bins + 1)))
    edges[0], edges[-1] = -np.inf, np.inf
    expected = np.histogram(base, edges)[0] / len(base)
    actual = np.histogram(current, edges)[0] / len(current)
    expected, actual = np.clip(expected, 1e-6, None), np.clip(actual, 1e-6, None)
    return float(((actual - expected) * np.log(actual / expected)).sum())


def psi_band(value: float) -> str:
    return "stable" if value < 0.10 else ("shifting: watch" if value < 0.25 else "shifted: refit")


def audit(
    card: Scorecard,
    frame: Any,
    groups: Mapping[str, Sequence[Any]],
    threshold: float | None = None,
    compare: Any = None,
    scores: np.ndarray | None = None,
    predictions: str = "in-sample",
    seed: int = 0,
) -> dict[str, Any]:
    """The audit as plain data (the JSON report); `groups` maps an audit name to row labels.
    `scores` are the scores to judge (out-of-fold ones, by the CLI's default); without them the
    card is applied to `frame`, and `predictions` should say so."""
    from fairlearn.metrics import demographic_parity_ratio, equalized_odds_difference

    threshold = card.decision_threshold if threshold is None else threshold
    scores = scores_of(card, frame) if scores is None else np.asarray(scores, dtype=float)
    approved = scores >= threshold
    good = None
    if card.target in frame.columns:
        good = (frame[card.target].astype(str) != card.event).to_numpy()
    result: dict[str, Any] = {
        "scorecard": card.version,
        "predictions": predictions,
        "threshold": threshold,
        "applicants": len(scores),
        "approval_rate": float(approved.mean()),
        "min_group": MIN_GROUP,
        "audits": {},
    }
    for name, labels in groups.items():
        labels_array = np.asarray([str(v) for v in labels])
        by_group = group_rates(approved, good, labels_array)
        ratio = float(
            demographic_parity_ratio(
                (good if good is not None else approved).astype(int),
                approved.astype(int),
                sensitive_features=labels_array,
            )
        )
        small = sorted(g for g, v in by_group.items() if v["applicants"] < MIN_GROUP)
        entry: dict[str, Any] = {
            "groups": by_group,
            "demographic_parity_ratio": ratio,
            "four_fifths_violation": bool(ratio < FOUR_FIFTHS),
            "too_small_to_conclude": small,
            **_bootstrap(approved, good, labels_array, seed),
        }
        if good is not None:
            entry["equalized_odds_difference"] = float(
                equalized_odds_difference(
                    good.astype(int), approved.astype(int), sensitive_features=labels_array
                )
            )
            entry["calibration"] = _calibration(scores, good, labels_array)
        entry["rebalanced_threshold"] = (
            _rebalance(scores, labels_array, threshold, good)
            if entry["four_fifths_violation"]
            else None
        )
        result["audits"][name] = entry
    if compare is not None:
        value = psi(scores, scores_of(card, compare))
        result["psi"] = {"value": value, "band": psi_band(value)}
    return result


def _calibration(scores: np.ndarray, good: np.ndarray, labels: np.ndarray) -> list[dict[str, Any]]:
    edges = np.quantile(scores, [0, 0.25, 0.5, 0.75, 1.0])
    band = np.clip(np.searchsorted(edges, scores, side="right") - 1, 0, 3)
    rows = []
    for b in range(4):
        for group in sorted(set(labels.tolist())):
            inside = (band == b) & (labels == group)
            if inside.any():
                rows.append(
                    {
                        "band": f"{edges[b]:.0f}–{edges[b + 1]:.0f}",
                        "group": group,
                        "applicants": int(inside.sum()),
                        "observed_bad_rate": float((~good[inside]).mean()),
                    }
                )
    return rows


def _rebalance(
    scores: np.ndarray, labels: np.ndarray, threshold: float, good: np.ndarray | None
) -> dict[str, Any] | None:
    """The single threshold nearest the current one at which the four-fifths rule holds."""
    groups = sorted(set(labels.tolist()))
    for candidate in sorted(np.unique(scores), key=lambda c: abs(c - threshold)):
        approved = scores >= candidate
        ratio = _ratio([float(approved[labels == g].mean()) for g in groups])
        if ratio >= FOUR_FIFTHS:
            entry = {
                "threshold": float(candidate),
                "demographic_parity_ratio": ratio,
                "approval_rate": float(approved.mean()),
            }
            if good is not None and approved.any():
                entry["bad_rate_among_approved"] = float((~good[approved]).mean())
            return entry
    return None
