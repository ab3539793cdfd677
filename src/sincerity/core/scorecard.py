"""Scorecards: binned features with points, as a lender fits them from outcome data.

A scorecard file is validated and versioned like a policy, and the pure core runs it: each
feature's value falls in one bin and earns its points; the score is their sum. Protected
attributes are never features — they may be named only for the fairness audit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from pydantic import Field, model_validator

from sincerity.core.explain import MAX_REASONS
from sincerity.core.refusals import is_purchase_purpose, refused_category
from sincerity.core.strict import StrictModel


class NumericBin(StrictModel):
    """Values in [lower, upper) earn `points`; None is an open end."""

    lower: float | None
    upper: float | None
    points: float


class CategoryBin(StrictModel):
    categories: list[str] = Field(min_length=1)
    points: float


class Feature(StrictModel):
    """One feature's bins and points. An ordinal feature is a categorical one with a documented
    order (`ranking`, from one end to the other): its categories are binned by rank, as numbers
    are, so its points are monotone in that order."""

    name: str
    kind: Literal["numerical", "categorical", "ordinal"]
    numeric_bins: list[NumericBin] = Field(default_factory=list)
    category_bins: list[CategoryBin] = Field(default_factory=list)
    ranking: list[str] = Field(
        default_factory=list, description="Ordinal: the categories in order; others are missing."
    )
    missing_points: float
    other_points: float = Field(description="Points for a category never seen in fitting.")

    @model_validator(mode="after")
    def _bins_match_kind(self) -> Feature:
        if self.kind in ("numerical", "ordinal") and not self.numeric_bins:
            raise ValueError(f"{self.kind} feature {self.name!r} needs numeric_bins")
        if self.kind == "ordinal" and len(set(self.ranking)) < 2:
            raise ValueError(f"ordinal feature {self.name!r} needs a ranking of its categories")
        if self.kind == "categorical" and not self.category_bins:
            raise ValueError(f"categorical feature {self.name!r} needs category_bins")
        return self

    @property
    def monotone(self) -> bool:
        """Whether the points only rise, or only fall, along the feature's order."""
        if self.kind == "categorical":
            return False
        points = [b.points for b in self.numeric_bins]
        return points == sorted(points) or points == sorted(points, reverse=True)

    @property
    def best(self) -> float:
        bins = self.numeric_bins if self.kind != "categorical" else self.category_bins
        return max(b.points for b in bins)

    def points_for(self, value: Any) -> tuple[float, str]:
        """Points for a value, and the bin it fell in, in words."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return self.missing_points, "missing"
        if self.kind == "ordinal":
            text = str(value)
            if text not in self.ranking:
                return self.missing_points, f"{text} (outside the ranking)"
            rank = float(self.ranking.index(text))
            for b in self.numeric_bins:
                if (b.lower is None or rank >= b.lower) and (b.upper is None or rank < b.upper):
                    return b.points, text
            return self.other_points, "out of range"
        if self.kind == "numerical":
            x = float(value)
            for b in self.numeric_bins:
                if (b.lower is None or x >= b.lower) and (b.upper is None or x < b.upper):
                    low = "" if b.lower is None else f"{b.lower:g} ≤ "
                    high = "" if b.upper is None else f" < {b.upper:g}"
                    return b.points, f"{low}{self.name}{high}".strip()
            return self.other_points, "out of range"
        text = str(value)
        for group in self.category_bins:
            if text in group.categories:
                return group.points, text
        return self.other_points, f"{text} (not seen in fitting)"


class Scorecard(StrictModel):
    """A fitted scorecard: features with points, the scaling, and what it was fitted on."""

    name: str
    target: str
    event: str = Field(description="The target value meaning the bad outcome.")
    pdo: float = Field(gt=0)
    odds: float = Field(gt=0)
    base_points: float
    features: list[Feature] = Field(min_length=1)
    protected: list[str] = Field(default_factory=list, description="Audit only; never features.")
    decision_threshold: float
    offset: float = Field(
        default=0.0,
        description="Points added to every score: the prior correction from the sample's bad "
        "rate to the population's (0 when the sample is the population).",
    )
    allows_purpose: bool = Field(
        default=False,
        description="The lender chose to score what the loan buys (--allow-purpose), where its "
        "law permits; the registry refuses it by default.",
    )
    evaluation: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_refused_features(self) -> Scorecard:
        for feature in self.features:
            category = refused_category(feature.name)
            if self.allows_purpose and is_purchase_purpose(feature.name):
                continue
            if feature.name in self.protected or category is not None:
                raise ValueError(
                    f"feature {feature.name!r} is refused ({category or 'declared protected'}): "
                    "protected attributes and refused inputs are never scored"
                )
        return self

    @cached_property
    def version(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json", exclude={"evaluation"}), sort_keys=True)
        return f"{self.name}@{hashlib.sha256(canonical.encode()).hexdigest()[:12]}"

    def probability_of_event(self, score: float) -> float:
        """The bad-outcome probability a score stands for, under the card's scaling."""
        factor = self.pdo / math.log(2)
        odds_good = self.odds * math.exp((score - self.base_points) / factor)
        return 1.0 / (1.0 + odds_good)


@dataclass(frozen=True)
class ScoredRow:
    """One applicant's points per feature, score, and at most four reasons."""

    points: dict[str, float]
    score: float
    reasons: tuple[str, ...]


def apply_scorecard(card: Scorecard, row: Mapping[str, Any]) -> ScoredRow:
    """Score one row (a mapping of column to value). Columns the card does not use are ignored."""
    points: dict[str, float] = {}
    lost: list[tuple[float, str]] = []
    for feature in card.features:
        earned, where = feature.points_for(row.get(feature.name))
        points[feature.name] = earned
        gap = feature.best - earned
        if gap > 1e-9:
            lost.append((gap, f"{feature.name}: {where} ({gap:.0f} points below the best)"))
    lost.sort(key=lambda item: (-item[0], item[1]))
    return ScoredRow(
        points,
        math.fsum(points.values()) + card.offset,
        tuple(text for _, text in lost[:MAX_REASONS]),
    )
