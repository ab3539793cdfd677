"""Our scorecard from optbinning's fitted one: the same bins, the same points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sincerity.core.scorecard import CategoryBin, Feature, NumericBin, Scorecard
from sincerity.scorecards.scale import BASE_POINTS, ODDS, PDO


def to_scorecard(
    opt: Any,
    chosen: Sequence[str],
    name: str,
    target: str,
    event: str,
    protected: Sequence[str],
    threshold: float,
    evaluation: dict[str, Any],
    rankings: Mapping[str, Sequence[str]] | None = None,
    offset: float = 0.0,
    allows_purpose: bool = False,
) -> Scorecard:
    """Our scorecard from optbinning's fitted one: the same bins, the same points."""
    rankings = rankings or {}
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
            ranked = variable in rankings
            features.append(
                Feature(
                    name=variable,
                    kind="ordinal" if ranked else "numerical",
                    numeric_bins=numeric,
                    ranking=list(rankings.get(variable, [])),
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
        offset=round(offset, 6),
        allows_purpose=allows_purpose,
        evaluation=evaluation,
    )
