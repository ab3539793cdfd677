"""Fit a scorecard: optimal monotone binning (optbinning), weight-of-evidence logistic regression,
points scaled by PDO and base odds — evaluated by stratified k-fold cross-validation with the
binning and the feature selection fitted inside each fold (no leakage).

Numerical features, and categorical ones with a documented order (`rankings`), are binned with a
monotone trend; other categorical features are grouped by bad rate with no order to respect, and
the card says so. What a loan buys (`purpose`) is refused unless the lender allows it. Scores can
be corrected from the sample's bad rate to a stated population bad rate (prior correction).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sincerity.core.errors import InvalidInputError, Problem
from sincerity.core.refusals import is_purchase_purpose, refused_category
from sincerity.core.scorecard import Scorecard, apply_scorecard
from sincerity.scorecards.convert import to_scorecard
from sincerity.scorecards.scale import (
    BASE_POINTS,
    ODDS,
    PDO,
    calibration_table,
    prior_offset,
    score_of_probability,
)

MIN_PREBIN_SHARE = 0.02  # finest pre-bins hold 2% of applicants (20 of 1,000)


@dataclass
class Evaluation:
    """Cross-validated accuracy, with its spread across folds, a calibration table, and every
    applicant's out-of-fold score (what the audit judges by default)."""

    folds: int
    auc: list[float] = field(default_factory=list)
    ks: list[float] = field(default_factory=list)
    calibration: list[dict[str, float]] = field(default_factory=list)
    oof_scores: Any = None
    settings: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

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
            "settings": self.settings,
            **self.extra,
        }


def check_columns(
    columns: Sequence[str],
    target: str,
    protected: Sequence[str],
    allow_purpose: bool = False,
    exclude: Sequence[str] = (),
) -> list[str]:
    """The candidate features, or a clear refusal naming every problem column."""
    problems = []
    if target not in columns:
        problems.append(
            Problem(
                f"no column named {target!r} (the columns are: {', '.join(columns)})",
                field="--target",
            )
        )
    for column in protected:
        if column not in columns:
            problems.append(Problem(f"no column named {column!r}", field="--protected"))
    for column in exclude:
        if column not in columns:
            problems.append(Problem(f"no column named {column!r}", field="--exclude"))
    candidates = [c for c in columns if c != target and c not in protected and c not in exclude]
    for column in candidates:
        if allow_purpose and is_purchase_purpose(column):
            continue
        category = refused_category(column)
        if category is not None:
            hint = (
                "what a loan buys is a purchase judgement the registry does not make; a lender "
                "whose law permits it may pass --allow-purpose (the card says so); or --exclude it"
                if is_purchase_purpose(column)
                else "declare it --protected (kept for the fairness audit only) or --exclude it"
            )
            problems.append(
                Problem(
                    f"column {column!r} is refused as a feature ({category}): {hint}",
                    field=column,
                )
            )
    if problems:
        raise InvalidInputError("the data cannot be fitted as it is", problems)
    if not candidates:
        raise InvalidInputError("no feature columns left to fit")
    return candidates


def apply_rankings(frame: Any, rankings: Mapping[str, Sequence[str]]) -> Any:
    """The frame with each ranked column's categories replaced by their rank (outside the
    ranking: missing), so they bin like numbers, monotone in the documented order."""
    prepared = frame.copy()
    for column, order in rankings.items():
        if column in prepared.columns:
            rank = {category: float(i) for i, category in enumerate(order)}
            prepared[column] = prepared[column].map(lambda v, r=rank: r.get(str(v), math.nan))
    return prepared


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


@dataclass(frozen=True)
class FitSettings:
    """Everything that decides a fit, recorded in the card so an audit can repeat its folds."""

    target: str
    event: str
    protected: tuple[str, ...] = ()
    max_features: int = 12
    folds: int = 10
    seed: int = 0
    rankings: Mapping[str, Sequence[str]] = field(default_factory=dict)
    allow_purpose: bool = False
    population_bad_rate: float | None = None
    exclude: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "exclude": list(self.exclude),
            "max_features": self.max_features,
            "folds": self.folds,
            "seed": self.seed,
            "rankings": {k: list(v) for k, v in self.rankings.items()},
            "allow_purpose": self.allow_purpose,
            "population_bad_rate": self.population_bad_rate,
        }


def _prepare(frame: Any, settings: FitSettings) -> tuple[Any, Any, list[str], set[str]]:
    names = check_columns(
        list(frame.columns),
        settings.target,
        settings.protected,
        settings.allow_purpose,
        settings.exclude,
    )
    labels = frame[settings.target].astype(str)
    if settings.event not in set(labels):
        raise InvalidInputError(
            f"no row has {settings.target} = {settings.event!r} "
            f"(values: {', '.join(sorted(set(labels))[:10])})"
        )
    y = (labels == settings.event).astype(int).to_numpy()
    unknown = sorted(set(settings.rankings) - set(names))
    if unknown:
        raise InvalidInputError(f"rankings name columns that are not features: {unknown}")
    prepared = apply_rankings(frame, settings.rankings)
    categorical = {
        n
        for n in names
        if n not in settings.rankings
        and (prepared[n].dtype == object or str(prepared[n].dtype) in ("category", "string", "str"))
    }
    return prepared, y, names, categorical


def cross_validate(frame: Any, settings: FitSettings) -> Evaluation:
    """Stratified k-fold cross-validation with binning and selection inside each fold; every
    applicant gets an out-of-fold score on the card's scale (prior-corrected when asked)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    prepared, y, names, categorical = _prepare(frame, settings)
    evaluation = Evaluation(settings.folds)
    out_of_fold = np.zeros(len(y))
    splitter = StratifiedKFold(settings.folds, shuffle=True, random_state=settings.seed)
    for train, test in splitter.split(np.zeros(len(y)), y):
        card, chosen = _fit_fold(
            prepared.iloc[train], y[train], names, categorical, settings.max_features
        )
        probability = card.predict_proba(prepared.iloc[test][chosen])[:, 1]
        out_of_fold[test] = probability
        evaluation.auc.append(float(roc_auc_score(y[test], probability)))
        evaluation.ks.append(_ks(y[test], probability))
    offset = prior_offset(float(y.mean()), settings.population_bad_rate)
    evaluation.oof_scores = score_of_probability(out_of_fold) + offset
    evaluation.calibration = calibration_table(out_of_fold, y, settings.population_bad_rate, offset)
    evaluation.settings = settings.as_dict() | {"sample_bad_rate": float(y.mean())}
    return evaluation


def fit_scorecard(
    frame: Any,
    target: str,
    event: str,
    protected: Sequence[str] = (),
    max_features: int = 12,
    folds: int = 10,
    seed: int = 0,
    name: str = "fitted",
    rankings: Mapping[str, Sequence[str]] | None = None,
    allow_purpose: bool = False,
    population_bad_rate: float | None = None,
    exclude: Sequence[str] = (),
) -> tuple[Scorecard, Evaluation, Any]:
    """Cross-validate, then fit on all the data. Returns our scorecard, the evaluation (with
    out-of-fold scores), and the optbinning scorecard it came from (for the parity check).

    The decision threshold approves the best (1 − bad rate) share of applicants by their
    out-of-fold scores, so it is not chosen on the scores the card was fitted to."""
    settings = FitSettings(
        target,
        event,
        tuple(protected),
        max_features,
        folds,
        seed,
        dict(rankings or {}),
        allow_purpose,
        population_bad_rate,
        tuple(exclude),
    )
    evaluation = cross_validate(frame, settings)
    prepared, y, names, categorical = _prepare(frame, settings)
    card, chosen = _fit_fold(prepared, y, names, categorical, max_features)
    threshold = float(np.quantile(evaluation.oof_scores, y.mean()))
    ours = to_scorecard(
        card,
        chosen,
        name,
        target,
        event,
        protected,
        round(threshold, 2),
        evaluation.summary(),
        settings.rankings,
        prior_offset(float(y.mean()), population_bad_rate),
        allow_purpose,
    )
    return ours, evaluation, card


def settings_of(card: Scorecard) -> FitSettings:
    """The settings a card was fitted with (from its evaluation), to repeat its folds."""
    recorded = card.evaluation.get("settings")
    if not recorded:
        raise InvalidInputError(
            f"scorecard {card.version} does not record how it was fitted: refit it with "
            "`sincerity fit`, or audit it with --in-sample"
        )
    return FitSettings(
        card.target,
        card.event,
        tuple(card.protected),
        int(recorded["max_features"]),
        int(recorded["folds"]),
        int(recorded["seed"]),
        {k: list(v) for k, v in recorded.get("rankings", {}).items()},
        bool(recorded.get("allow_purpose", False)),
        recorded.get("population_bad_rate"),
        tuple(recorded.get("exclude", [])),
    )


def parity_gap(card: Scorecard, opt: Any, frame: Any) -> float:
    """The largest difference between the core's score and optbinning's, over every row."""
    names = [f.name for f in card.features]
    rankings = {f.name: f.ranking for f in card.features if f.kind == "ordinal"}
    theirs = opt.score(apply_rankings(frame, rankings)[names]) + card.offset
    ours = np.array([apply_scorecard(card, row).score for row in frame[names].to_dict("records")])
    return float(np.max(np.abs(ours - theirs))) if len(ours) else 0.0
