"""The scorer: records, a policy and a date in; an explained score out. Pure and deterministic.

`score` reads no clock, no database and no file. The same records in any order, the same policy
and the same `as_of` give the same Score, down to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from typing import Any, Literal

from sincerity.core.badges import BadgeStatus, badge_statuses
from sincerity.core.evidence import Evidence, gather, select_active
from sincerity.core.explain import (
    Step,
    key_reasons,
    reason_factors,
    steps_for_reasons,
    steps_to,
)
from sincerity.core.factor_spec import FactorSpec
from sincerity.core.factors import FactorScore, compute_factors
from sincerity.core.policy import Policy
from sincerity.core.records import AnyRecord

ScoreStatus = Literal["scored", "thin_file"]


def rounded(value: float | None) -> int | None:
    """A score as shown to people: a whole number, halves rounded up."""
    return None if value is None else math.floor(value + 0.5)


@dataclass(frozen=True, slots=True)
class Score:
    """A subject's score as of a date, with everything needed to explain and contest it.

    `value` is None when the file is too thin: a thin file never gets a number.
    """

    status: ScoreStatus
    value: float | None
    tier: str | None
    tier_label: str | None
    range_min: int
    range_max: int
    factors: tuple[FactorScore, ...]
    reasons: tuple[str, ...]
    reason_factors: tuple[str, ...]
    steps: tuple[Step, ...]
    next_tier: str | None
    badges: tuple[BadgeStatus, ...]
    privileges: tuple[str, ...]
    policy_version: str
    as_of: date
    records_used: int
    records_excluded: Mapping[str, int]
    trust_snapshot: datetime | None = None  # the global-trust computation ratings were weighed by

    @property
    def rounded(self) -> int | None:
        """The score as shown to people: a whole number."""
        return rounded(self.value)  # the module function, not this property

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Score:
        """A Score from its `to_dict` data (as stored with a subject's score history)."""
        return cls(
            status=data["status"],
            value=data["value"],
            tier=data["tier"],
            tier_label=data["tier_label"],
            range_min=data["range_min"],
            range_max=data["range_max"],
            factors=tuple(FactorScore(**f) for f in data["factors"]),
            reasons=tuple(data["reasons"]),
            reason_factors=tuple(data.get("reason_factors", ())),
            steps=tuple(Step(**s) for s in data["steps"]),
            next_tier=data["next_tier"],
            badges=tuple(BadgeStatus(**b) for b in data["badges"]),
            privileges=tuple(data["privileges"]),
            policy_version=data["policy_version"],
            as_of=date.fromisoformat(data["as_of"]),
            records_used=data["records_used"],
            records_excluded=dict(data["records_excluded"]),
            trust_snapshot=(
                None
                if data.get("trust_snapshot") is None
                else datetime.fromisoformat(data["trust_snapshot"])
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data."""
        data: dict[str, Any] = _plain(self)
        data["as_of"] = self.as_of.isoformat()
        data["rounded"] = self.rounded
        data["records_excluded"] = dict(self.records_excluded)
        data["trust_snapshot"] = (
            None if self.trust_snapshot is None else self.trust_snapshot.isoformat()
        )
        return data


def _plain(value: Any) -> Any:
    """What `dataclasses.asdict` gives, without its deep copy of every leaf (a score's leaves
    are immutable): the copies were a third of the time of rescoring a subject."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(_plain(v) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    return value


def score(
    records: Iterable[AnyRecord],
    policy: Policy,
    as_of: date,
    *,
    disputed: Collection[str] = (),
    rater_trust: Mapping[str, float] | None = None,
    rating_damping: Mapping[str, float] | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> Score:
    """Score one subject's records under `policy` as of `as_of`.

    `disputed` holds the ids of records under dispute or suppressed: they do not count.
    `rater_trust` maps a rater to the credibility of its ratings, 0 to 1 (default: every rater
    counts 1; with a mapping, a rater missing from it counts 0). `rating_damping` maps a rating's
    record id to a factor that damps it (retaliation); see `sincerity.core.reputation`.
    `specs` replaces the policy's factor spec (to try a factor before it joins the policy).
    """
    selection = select_active(records, policy, as_of, disputed)
    evidence = gather(selection.active, policy, as_of, rater_trust, rating_damping, specs)
    factors = compute_factors(evidence, policy, as_of, specs)
    badges = badge_statuses(evidence, policy, as_of)
    count = len(selection.active)
    span_days = 0 if evidence.oldest_any is None else (as_of - evidence.oldest_any).days
    common: dict[str, Any] = {
        "range_min": policy.range.min,
        "range_max": policy.range.max,
        "factors": factors,
        "badges": badges,
        "policy_version": policy.version,
        "as_of": as_of,
        "records_used": count,
        "records_excluded": dict(selection.excluded),
    }
    thin = policy.thin_file
    if count < thin.min_records or span_days < thin.min_history_days:
        return _thin_file(count, span_days, policy, common)
    return _scored(factors, evidence, policy, common)


def _thin_file(count: int, span_days: int, policy: Policy, common: dict[str, Any]) -> Score:
    """Too little history: "not enough history", never a low score."""
    thin = policy.thin_file
    reason = (
        f"Not enough history yet: {count} of {thin.min_records} records needed"
        if count < thin.min_records
        else f"Not enough history yet: {span_days} of {thin.min_history_days} days needed"
    )
    return Score(
        status="thin_file",
        value=None,
        tier=None,
        tier_label=None,
        reasons=(reason,),
        reason_factors=(),
        steps=(),
        next_tier=None,
        privileges=(),
        **common,
    )


def _scored(
    factors: tuple[FactorScore, ...], evidence: Evidence, policy: Policy, common: dict[str, Any]
) -> Score:
    """The value, tier, reasons and steps of a file with enough history."""
    value = policy.range.min + math.fsum(f.points for f in factors)
    value = min(float(policy.range.max), max(float(policy.range.min), value))
    tier = policy.tier_for(value)
    above = policy.next_tier(tier)
    steps: tuple[Step, ...] = ()
    if above is not None:
        steps = steps_to(above.min_score - value, factors, evidence, policy, above.label)
    because = reason_factors(factors, policy)
    steps += steps_for_reasons(because, factors, evidence, policy, {s.factor for s in steps})
    return Score(
        status="scored",
        value=value,
        tier=tier.name,
        tier_label=tier.label,
        reasons=key_reasons(factors, evidence, policy),
        reason_factors=because,
        steps=steps,
        next_tier=None if above is None else above.name,
        privileges=tuple(p.id for p in policy.privileges.get(tier.name, [])),
        **common,
    )
