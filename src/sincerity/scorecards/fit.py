"""Fit a scorecard: optimal monotone binning (optbinning), weight-of-evidence logistic regression,
points scaled by PDO and base odds — evaluated by stratified k-fold cross-validation with the
binning and the feature selection fitted inside each fold (no leakage)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sincerity.core.errors import InvalidInputError, Problem
from sincerity.core.refusals import refused_category
from sincerity.core.scorecard import CategoryBin, Feature, NumericBin, Scorecard, apply_scorecard

PDO, ODDS, BASE_POINTS = 20.0, 50.0, 600.0
MIN_PREBIN_SHARE = 0.02  # finest pre-bins hold 2% of applicants (20 of 1,000)


@dataclass
class Evaluation:
    """Cross-validated accuracy, with its spread across folds, and a calibration table."""

    folds: int
    auc: list[float] = field(default_factory=list)
    ks: list[float] = field(default_factory=list)
    calibration: list[dict[str, float]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        auc, ks = np.array(self.auc), np.array(self.ks)
        return {
            "folds": self.folds,
            "auc_mean": float(auc.mean()),
            "auc_sd": float(auc.std(ddof=1)),
            "gini_mean": float(2 * auc.mean() - 1),
            "gini_sd": float(2 * auc.std(ddof=1)),
            "ks_mean": float(ks.mean()),
            "ks_sd": float(ks.std(ddof=1)),
            "calibration": self.calibration,
        }


def check_columns(columns: Sequence[str], target: str, protected: Sequence[str]) -> list[str]:
    """The candidate features, or a clear refusal naming every problem column."""
    problems = []
    if target not in columns:
        problems.append(Problem(f"no column named {target!r}", field="--target"))
    for column in protected:
        if column not in columns:
            problems.append(Problem(f"no column named {column!r}", field="--protected"))
    candidates = [c for c in columns if c != target and c not in protected]
    for column in candidates:
        category = refused_category(column)
        if category is not None:
            problems.append(
                Problem(
                    f"column {column!r} looks like a {category} and cannot be a feature: "
                    "declare it "
                    "--protected (kept for the fairness audit only) or remove it",
                    field=column,
                )
            )
    if problems:
        raise InvalidInputError("the data cannot be fitted as it is", problems)
    if not candidates:
        raise InvalidInputError("no feature columns left to fit")
    return candidates


def _binning_params(names: Sequence[str], categorical: set[str]) -> dict[str, dict[str, Any]]:
    return {
        name: (
            {"min_prebin_size": MIN_PREBIN_SHARE}
            if name in categorical
            else {
                "monotonic_trend": "auto_asc_desc",
                "min_prebin_size": MIN_PREBIN_SHARE,
                "max_n_prebins": 40,
            }
        )
        for name in names
    }


def _fit_fold(
    frame: Any, y: Any, names: Sequence[str], categorical: set[str], max_features: int
) -> Any:
    """Binning, selection of the top features by information value, and the scorecard."""
    from optbinning import BinningProcess
    from optbinning import Scorecard as OptScorecard
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        screen = BinningProcess(
            list(names),
            categorical_variables=[n for n in names if n in categorical],
            binning_fit_params=_binning_params(names, categorical),
        )
        screen.fit(frame[list(names)], y)
        iv = screen.summary().set_index("name")["iv"].astype(float)
        chosen = [
            n
            for n in iv.sort_values(ascending=False, kind="stable").index[:max_features]
            if iv[n] > 0
        ]
        process = BinningProcess(
            chosen,
            categorical_variables=[n for n in chosen if n in categorical],
            binning_fit_params=_binning_params(chosen, categorical),
        )
        card = OptScorecard(
            binning_process=process,
            estimator=LogisticRegression(max_iter=2000),
            scaling_method="pdo_odds",
            scaling_method_params={"pdo": PDO, "odds": ODDS, "scorecard_points": BASE_POINTS},
        )
        card.fit(frame[chosen], y)
    return card, chosen


def _ks(y: Any, score: Any) -> float:
    order = np.argsort(score)
    bad = np.cumsum(y[order]) / max(1, y.sum())
    good = np.cumsum(1 - y[order]) / max(1, (1 - y).sum())
    return float(np.max(np.abs(bad - good)))


def to_scorecard(
    opt: Any,
    chosen: Sequence[str],
    name: str,
    target: str,
    event: str,
    protected: Sequence[str],
    threshold: float,
    evaluation: dict[str, Any],
) -> Scorecard:
    """Our scorecard from optbinning's fitted one: the same bins, the same points."""
    table = opt.table(style="summary")
    features = []
    for variable in chosen:
        rows = table[table["Variable"] == variable]
        binned = opt.binning_process_.get_binned_variable(variable)
        points = rows["Points"].astype(float).tolist()
        labels = [label if isinstance(label, str) else "" for label in rows["Bin"].tolist()]
        missing = points[labels.index("Missing")]
        regular = [
            p
            for p, label in zip(points, labels, strict=True)
            if label not in ("Special", "Missing")
        ]
        if binned.dtype == "categorical":
            groups = [[str(c) for c in group] for group in binned.splits]
            bins = [
                CategoryBin(categories=g, points=p) for g, p in zip(groups, regular, strict=False)
            ]
            features.append(
                Feature(
                    name=variable,
                    kind="categorical",
                    category_bins=bins,
                    missing_points=missing,
                    other_points=min(regular),
                )
            )
        else:
            edges = [None, *[float(s) for s in binned.splits], None]
            numeric = [
                NumericBin(lower=edges[i], upper=edges[i + 1], points=p)
                for i, p in enumerate(regular)
            ]
            features.append(
                Feature(
                    name=variable,
                    kind="numerical",
                    numeric_bins=numeric,
                    missing_points=missing,
                    other_points=min(regular),
                )
            )
    return Scorecard(
        name=name,
        target=target,
        event=event,
        pdo=PDO,
        odds=ODDS,
        base_points=BASE_POINTS,
        features=features,
        protected=list(protected),
        decision_threshold=threshold,
        evaluation=evaluation,
    )


def fit_scorecard(
    frame: Any,
    target: str,
    event: str,
    protected: Sequence[str] = (),
    max_features: int = 12,
    folds: int = 10,
    seed: int = 0,
    name: str = "fitted",
) -> tuple[Scorecard, Evaluation, Any]:
    """Cross-validate, then fit on all the data. Returns our scorecard, the evaluation, and the
    optbinning scorecard it came from (for the parity check)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    names = check_columns(list(frame.columns), target, protected)
    labels = frame[target].astype(str)
    if event not in set(labels):
        raise InvalidInputError(
            f"no row has {target} = {event!r} (values: {', '.join(sorted(set(labels))[:10])})"
        )
    y = (labels == event).astype(int).to_numpy()
    categorical = {
        n
        for n in names
        if frame[n].dtype == object or str(frame[n].dtype) in ("category", "string", "str")
    }
    evaluation = Evaluation(folds)
    out_of_fold = np.zeros(len(y))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(y)), y):
        card, chosen = _fit_fold(frame.iloc[train], y[train], names, categorical, max_features)
        probability = card.predict_proba(frame.iloc[test][chosen])[:, 1]
        out_of_fold[test] = probability
        evaluation.auc.append(float(roc_auc_score(y[test], probability)))
        evaluation.ks.append(_ks(y[test], probability))
    deciles = np.quantile(out_of_fold, np.linspace(0, 1, 11))
    band = np.clip(np.searchsorted(deciles, out_of_fold, side="right") - 1, 0, 9)
    for b in range(10):
        inside = band == b
        if inside.any():
            evaluation.calibration.append(
                {
                    "band": b + 1,
                    "applicants": int(inside.sum()),
                    "predicted_bad_rate": float(out_of_fold[inside].mean()),
                    "observed_bad_rate": float(y[inside].mean()),
                }
            )
    card, chosen = _fit_fold(frame, y, names, categorical, max_features)
    scores = card.score(frame[chosen])
    threshold = float(np.quantile(scores, y.mean()))  # approve the best (1 - event rate) share
    ours = to_scorecard(
        card, chosen, name, target, event, protected, round(threshold, 2), evaluation.summary()
    )
    return ours, evaluation, card


def parity_gap(card: Scorecard, opt: Any, frame: Any) -> float:
    """The largest difference between the core's score and optbinning's, over every row."""
    names = [f.name for f in card.features]
    theirs = opt.score(frame[names])
    ours = np.array([apply_scorecard(card, row).score for row in frame[names].to_dict("records")])
    return float(np.max(np.abs(ours - theirs))) if len(ours) else 0.0
