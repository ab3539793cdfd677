"""Fairness audit of a scorecard at its decision threshold.

Approval = score at or above the threshold. By group: selection rate, the demographic parity
ratio (lowest over highest selection rate) and the four-fifths flag (ratio under 0.8), the
equalized odds difference (largest gap in true- and false-positive rates, where a positive is an
approved applicant and the truth is a good outcome), and calibration by group (observed bad
rate by score band). Population stability (PSI) between two periods, with the usual 0.10 / 0.25
bands. And the documented remedy: the single threshold closest to the current one that passes
the four-fifths rule — one threshold for everyone, because a threshold per protected group would
itself be treatment by group.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sincerity.core.scorecard import Scorecard, apply_scorecard

FOUR_FIFTHS = 0.8


def scores_of(card: Scorecard, frame: Any) -> np.ndarray:
    names = [f.name for f in card.features]
    return np.array([apply_scorecard(card, row).score for row in frame[names].to_dict("records")])


def _rates(
    approved: np.ndarray, good: np.ndarray | None, groups: np.ndarray
) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for group in sorted(set(groups.tolist()), key=str):
        inside = groups == group
        entry = {
            "applicants": float(inside.sum()),
            "selection_rate": float(approved[inside].mean()),
        }
        if good is not None:
            positives, negatives = good & inside, ~good & inside
            entry["true_positive_rate"] = (
                float(approved[positives].mean()) if positives.any() else math.nan
            )
            entry["false_positive_rate"] = (
                float(approved[negatives].mean()) if negatives.any() else math.nan
            )
        out[str(group)] = entry
    return out


def _parity(by_group: Mapping[str, Mapping[str, float]]) -> tuple[float, bool]:
    rates = [g["selection_rate"] for g in by_group.values()]
    ratio = min(rates) / max(rates) if max(rates) > 0 else math.nan
    return ratio, bool(ratio < FOUR_FIFTHS)


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
) -> dict[str, Any]:
    """The audit as plain data (the JSON report); `groups` maps an audit name to row groups."""
    threshold = card.decision_threshold if threshold is None else threshold
    scores = scores_of(card, frame)
    approved = scores >= threshold
    good = None
    if card.target in frame.columns:
        good = (frame[card.target].astype(str) != card.event).to_numpy()
    result: dict[str, Any] = {
        "scorecard": card.version,
        "threshold": threshold,
        "applicants": len(scores),
        "approval_rate": float(approved.mean()),
        "audits": {},
    }
    for name, labels in groups.items():
        labels_array = np.asarray([str(v) for v in labels])
        by_group = _rates(approved, good, labels_array)
        ratio, violated = _parity(by_group)
        entry: dict[str, Any] = {
            "groups": by_group,
            "demographic_parity_ratio": ratio,
            "four_fifths_violation": violated,
        }
        if good is not None:
            tpr = [
                g["true_positive_rate"]
                for g in by_group.values()
                if not math.isnan(g["true_positive_rate"])
            ]
            fpr = [
                g["false_positive_rate"]
                for g in by_group.values()
                if not math.isnan(g["false_positive_rate"])
            ]
            entry["equalized_odds_difference"] = float(
                max(max(tpr) - min(tpr), max(fpr) - min(fpr))
            )
            entry["calibration"] = _calibration(scores, good, labels_array)
        entry["rebalanced_threshold"] = (
            _rebalance(scores, labels_array, threshold, good) if violated else None
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
    candidates = np.unique(scores)
    for candidate in sorted(candidates, key=lambda c: abs(c - threshold)):
        approved = scores >= candidate
        ratio, violated = _parity(_rates(approved, None, labels))
        if not violated:
            entry = {
                "threshold": float(candidate),
                "demographic_parity_ratio": ratio,
                "approval_rate": float(approved.mean()),
            }
            if good is not None and approved.any():
                entry["bad_rate_among_approved"] = float((~good[approved]).mean())
            return entry
    return None
