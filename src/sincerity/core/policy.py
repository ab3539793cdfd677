"""The policy model: a declarative, versioned description of how records become a score.

A policy is plain data validated here; reading it from YAML (with line numbers for errors) is the
job of `sincerity.policies`. Its version is a hash of its content, so two files that say the same
thing have the same version, and every score names the version it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from sincerity.core.errors import PolicyError, Problem
from sincerity.core.refusals import refused_category
from sincerity.core.strict import StrictModel

FACTOR_NAMES: tuple[str, ...] = (
    "payment_history",
    "contract_fulfilment",
    "counterparty_ratings",
    "judgments",
    "verified_identity",
    "history_length",
)

# Rules that exist only in the policy lab, acting on simulated traits of synthetic agents.
LAB_ONLY_KEYS: frozenset[str] = frozenset(
    {
        "speech_rules",
        "association_rules",
        "purchase_rules",
        "place_rules",
        "visibility_rules",
        "gamification_rules",
        "lab_rules",
    }
)


class ScoreRange(StrictModel):
    min: int = Field(ge=0)
    max: int

    @model_validator(mode="after")
    def _ordered(self) -> ScoreRange:
        if self.max <= self.min:
            raise ValueError("max must be greater than min")
        return self


class ThinFileRule(StrictModel):
    """Too little history gives "not enough history", never a low score."""

    min_records: int = Field(ge=1)
    min_history_days: int = Field(default=0, ge=0)


class Obsolescence(StrictModel):
    """Records older than this stop counting altogether (FCRA: 7 years; judgments 10)."""

    default_years: float = Field(gt=0)
    by_kind: dict[Literal["payment", "contract", "rating", "judgment", "verification"], float] = (
        Field(default_factory=dict)
    )


class _Factor(StrictModel):
    weight: float = Field(ge=0)
    label: str = Field(min_length=1)


class _DecayingFactor(_Factor):
    half_life_days: float = Field(gt=0)


class PaymentSeverity(StrictModel):
    """Negative evidence of each kind of payment problem (an on-time payment is 1 positive)."""

    late_1_29: float = Field(ge=0)
    late_30_59: float = Field(ge=0)
    late_60_89: float = Field(ge=0)
    late_90_plus: float = Field(ge=0)
    missed: float = Field(ge=0)
    defaulted: float = Field(ge=0)

    @model_validator(mode="after")
    def _monotone(self) -> PaymentSeverity:
        ladder = [self.late_1_29, self.late_30_59, self.late_60_89, self.late_90_plus]
        if ladder != sorted(ladder):
            raise ValueError("severities must not decrease as lateness grows")
        return self


class PaymentHistoryFactor(_DecayingFactor):
    severity: PaymentSeverity


class ContractFactor(_DecayingFactor):
    breach_severity: float = Field(gt=0)


class TrustConfig(StrictModel):
    """Global trust over the rating graph, which sets each rater's credibility."""

    half_life_days: float = Field(gt=0)
    damping: float = Field(gt=0, lt=1)
    tolerance: float = Field(gt=0)
    max_iterations: int = Field(ge=1)
    seeds: Literal["verified_identity"] = "verified_identity"


class RetaliationConfig(StrictModel):
    """A negative rating soon after receiving one from the same party counts less."""

    window_days: float = Field(ge=0)
    damping: float = Field(ge=0, le=1)


class RatingsFactor(_DecayingFactor):
    negative_weight: float = Field(gt=0)
    trust: TrustConfig
    retaliation: RetaliationConfig


class JudgmentsFactor(_DecayingFactor):
    unpaid_severity: float = Field(gt=0)
    satisfied_severity: float = Field(ge=0)

    @model_validator(mode="after")
    def _satisfied_lighter(self) -> JudgmentsFactor:
        if self.satisfied_severity > self.unpaid_severity:
            raise ValueError("a satisfied judgment cannot weigh more than an unpaid one")
        return self


class VerifiedIdentityFactor(_Factor):
    identity_share: float = Field(ge=0, le=1)


class HistoryLengthFactor(_Factor):
    full_after_years: float = Field(gt=0)


class Factors(StrictModel):
    payment_history: PaymentHistoryFactor
    contract_fulfilment: ContractFactor
    counterparty_ratings: RatingsFactor
    judgments: JudgmentsFactor
    verified_identity: VerifiedIdentityFactor
    history_length: HistoryLengthFactor

    @model_validator(mode="after")
    def _some_weight(self) -> Factors:
        if sum(getattr(self, name).weight for name in FACTOR_NAMES) <= 0:
            raise ValueError("at least one factor needs a positive weight")
        return self


class Tier(StrictModel):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    min_score: int


class PaymentStreakRule(StrictModel):
    type: Literal["payment_streak"]
    count: int = Field(ge=1)
    min_years: float = Field(
        default=0.0,
        ge=0,
        le=50,
        description="The streak must also cover this many years of calendar months: several "
        "bills a month must not earn 'three years on time' in eighteen months.",
    )


class ContractsKeptRule(StrictModel):
    type: Literal["contracts_kept"]
    count: int = Field(ge=1)


class IdentityVerifiedRule(StrictModel):
    type: Literal["identity_verified"]


class CleanRecordRule(StrictModel):
    """No missed or defaulted payment, breach or judgment in the last `years`."""

    type: Literal["clean_record"]
    years: float = Field(gt=0)


BadgeRule = Annotated[
    PaymentStreakRule | ContractsKeptRule | IdentityVerifiedRule | CleanRecordRule,
    Field(discriminator="type"),
]


class Badge(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str
    rule: BadgeRule


class Privilege(StrictModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str


class Policy(StrictModel):
    """A complete, validated scoring policy."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = ""
    range: ScoreRange
    thin_file: ThinFileRule
    obsolescence: Obsolescence
    factors: Factors
    tiers: list[Tier] = Field(min_length=1)
    thresholds: list[int] = Field(default_factory=list)
    badges: list[Badge] = Field(default_factory=list)
    privileges: dict[str, list[Privilege]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        mins = [t.min_score for t in self.tiers]
        if mins != sorted(mins) or len(set(mins)) != len(mins):
            raise ValueError("tiers must be listed from lowest to highest min_score, no two equal")
        if mins[0] != self.range.min:
            raise ValueError(f"the lowest tier must start at the range minimum {self.range.min}")
        if mins[-1] > self.range.max:
            raise ValueError("a tier starts above the range maximum")
        names = [t.name for t in self.tiers]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        unknown = sorted(set(self.privileges) - set(names))
        if unknown:
            raise ValueError(f"privileges name tiers that do not exist: {', '.join(unknown)}")
        for threshold in self.thresholds:
            if not self.range.min < threshold <= self.range.max:
                raise ValueError(f"threshold {threshold} is outside the score range")
        badge_ids = [b.id for b in self.badges]
        if len(set(badge_ids)) != len(badge_ids):
            raise ValueError("badge ids must be unique")
        return self

    @property
    def content(self) -> dict[str, Any]:
        """The policy as canonical plain data."""
        return self.model_dump(mode="json")

    @cached_property
    def digest(self) -> str:
        """A content hash: same content, same digest, whatever the file's formatting."""
        canonical = json.dumps(self.content, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def version(self) -> str:
        """What every score names: the policy's name and the first 12 hex digits of its digest."""
        return f"{self.name}@{self.digest[:12]}"

    def tier_for(self, value: float) -> Tier:
        """The highest tier whose minimum the value reaches."""
        chosen = self.tiers[0]
        for tier in self.tiers:
            if value >= tier.min_score:
                chosen = tier
        return chosen

    def next_tier(self, tier: Tier) -> Tier | None:
        """The tier above `tier`, or None at the top."""
        index = [t.name for t in self.tiers].index(tier.name)
        return self.tiers[index + 1] if index + 1 < len(self.tiers) else None

    def obsolete_after_days(self, kind: str) -> float:
        """Age in days past which a record of `kind` no longer counts."""
        years = self.obsolescence.by_kind.get(kind, self.obsolescence.default_years)  # type: ignore[call-overload]
        return float(years) * 365.25


LineLookup = Callable[[tuple[str | int, ...]], int | None]


def _refused_keys(
    data: Any, path: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """Every key in the tree that is a lab-only rule or a refused input, with its message."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            here = (*path, str(key))
            if str(key) in LAB_ONLY_KEYS:
                found.append(
                    (
                        here,
                        f"'{key}' is a lab-only rule: the registry never scores real people on "
                        "speech, associations, purchases, places, visibility or points games "
                        "(use it in a lab policy)",
                    )
                )
            elif refused_category(str(key)) is not None:
                found.append((here, f"'{key}' is refused ({refused_category(str(key))}) by design"))
            else:
                found.extend(_refused_keys(value, here))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(_refused_keys(item, (*path, index)))
    return found


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def policy_from_data(
    data: Any, where: str = "<policy>", line_of: LineLookup | None = None
) -> Policy:
    """Validate plain data as a Policy, or raise PolicyError listing each problem and its place."""

    def line(path: tuple[str | int, ...]) -> int | None:
        if line_of is None:
            return None
        for cut in range(len(path), -1, -1):
            found = line_of(path[:cut])
            if found is not None:
                return found
        return None

    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: a policy must be a mapping of keys to values")
    refused = _refused_keys(data)
    if refused:
        raise PolicyError(
            f"{where}: the policy contains rules the registry refuses",
            [Problem(msg, where, line(path), _dotted(path)) for path, msg in refused],
        )
    try:
        return Policy.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = "unknown key (not part of the policy schema)"
            problems.append(Problem(message, where, line(path), _dotted(path) or None))
        raise PolicyError(f"{where}: the policy is not valid", problems) from None
