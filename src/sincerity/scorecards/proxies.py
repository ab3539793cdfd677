"""Proxies: how well a scorecard's features predict a protected attribute, and which carry it.

Leaving a protected attribute out of a card does not keep it out of the decision if the card's
features predict it. For each audited grouping this reports the cross-validated AUC of predicting
the group from the card's binned features (one-vs-rest, macro-averaged for more than two groups),
and for each feature its Cramér's V and mutual information with the group. An AUC of 0.70 or
more is flagged as a strong proxy; a feature with Cramér's V of 0.20 or more as a carrier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sincerity.core.scorecard import Scorecard

STRONG_PROXY_AUC = 0.70
CARRIER_V = 0.20


def binned_features(card: Scorecard, frame: Any) -> dict[str, list[str]]:
    """Each applicant's bin of each of the card's features, as the card sees it."""
    rows = frame[[f.name for f in card.features]].to_dict("records")
    return {
        f.name: [f"{f.points_for(row.get(f.name))[0]:.6f}" for row in rows] for f in card.features
    }


def cramers_v(a: Sequence[str] | np.ndarray, b: Sequence[str] | np.ndarray) -> float:
    """Cramér's V of two categorical columns (scipy's association, bias left uncorrected)."""
    from scipy.stats.contingency import association, crosstab

    table = crosstab(np.asarray(a), np.asarray(b)).count
    if min(table.shape) < 2:
        return 0.0
    return float(association(table, method="cramer"))


def proxy_report(
    card: Scorecard, frame: Any, groups: Mapping[str, Sequence[Any]], seed: int = 0
) -> dict[str, Any]:
    """For each grouping: how well the card's features predict it, and which features carry it."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import mutual_info_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.preprocessing import OneHotEncoder

    bins = binned_features(card, frame)
    design = OneHotEncoder(handle_unknown="ignore").fit_transform(
        np.column_stack([bins[f.name] for f in card.features])
    )
    report: dict[str, Any] = {}
    for name, labels in groups.items():
        target = np.asarray([str(v) for v in labels])
        values, counts = np.unique(target, return_counts=True)
        folds = int(min(5, counts.min())) if len(values) > 1 else 0
        auc = None
        if folds >= 2:
            from sklearn.metrics import roc_auc_score

            predicted = cross_val_predict(
                LogisticRegression(max_iter=2000),
                design,
                target,
                cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                method="predict_proba",
            )
            auc = float(
                roc_auc_score(target, predicted[:, 1])
                if len(values) == 2
                else roc_auc_score(target, predicted, multi_class="ovr", average="macro")
            )
        carriers: list[dict[str, Any]] = sorted(
            (
                {
                    "feature": feature,
                    "cramers_v": cramers_v(column, target),
                    "mutual_information": float(mutual_info_score(column, target)),
                }
                for feature, column in bins.items()
            ),
            key=lambda c: -float(c["cramers_v"]),
        )
        report[name] = {
            "auc": auc,
            "strong_proxy": auc is not None and auc >= STRONG_PROXY_AUC,
            "features": carriers,
            "carriers": [c["feature"] for c in carriers if c["cramers_v"] >= CARRIER_V],
        }
    return report
