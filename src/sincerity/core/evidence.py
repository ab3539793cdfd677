"""From records to evidence: which records count as of a date, and what each factor sees.

Every sum here is `math.fsum` (exactly rounded), so the result does not depend on record order.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sincerity.core.policy import Policy
from sincerity.core.records import (
    RECORD_KINDS,
    AnyRecord,
    Contract,
    Judgment,
    Payment,
    Rating,
    Verification,
)

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True, slots=True)
class Selection:
    """The records that count as of a date, and how many were left out and why."""

    active: tuple[AnyRecord, ...]
    excluded: Mapping[str, int]


def select_active(
    records: Iterable[AnyRecord],
    policy: Policy,
    as_of: date,
    disputed: Collection[str] = (),
) -> Selection:
    """Drop what must not count: not yet known on `as_of`, disputed, superseded, or obsolete."""
    by_id: dict[str, AnyRecord] = {}
    for record in records:
        seen = by_id.setdefault(record.id, record)
        if seen is not record and seen != record:
            raise ValueError(f"record id {record.id!r} appears twice with different content")
    disputed_ids = frozenset(disputed)
    not_yet = in_dispute = 0
    undisputed: list[AnyRecord] = []
    for record in by_id.values():
        if record.reported_on > as_of or record.occurred_on > as_of:
            not_yet += 1
        elif record.id in disputed_ids:
            in_dispute += 1
        else:
            undisputed.append(record)
    superseded = {r.supersedes for r in undisputed if r.supersedes is not None}
    limits = {kind: policy.obsolete_after_days(kind) for kind in RECORD_KINDS}
    today = as_of.toordinal()
    active: list[AnyRecord] = []
    replaced = obsolete = 0
    for record in undisputed:
        if superseded and record.id in superseded:
            replaced += 1
        elif today - record.occurred_on.toordinal() > limits[record.kind]:
            obsolete += 1
        else:
            active.append(record)
    excluded = {
        "not_yet_reported": not_yet,
        "disputed": in_dispute,
        "superseded": replaced,
        "obsolete": obsolete,
    }
    return Selection(tuple(active), excluded)


def beta_quality(positive: float, negative: float) -> float:
    """Expected value of a Beta(positive + 1, negative + 1) reputation (Jøsang & Ismail 2002)."""
    return (positive + 1.0) / (positive + negative + 2.0)


@dataclass(slots=True)
class Evidence:
    """What the factors see, gathered in one pass over the active records."""

    payments_on_time: list[float] = field(default_factory=list)
    payments_adverse: list[float] = field(default_factory=list)
    payment_counts: dict[str, int] = field(default_factory=dict)
    last_adverse_payment: date | None = None
    payment_sequence: list[tuple[int, str, bool]] = field(default_factory=list)
    contracts_kept: list[float] = field(default_factory=list)
    contracts_breached: list[float] = field(default_factory=list)
    contract_counts: dict[str, int] = field(default_factory=dict)
    ratings_positive: list[float] = field(default_factory=list)
    ratings_negative: list[float] = field(default_factory=list)
    rating_counts: dict[str, int] = field(default_factory=dict)
    judgments_unpaid: list[float] = field(default_factory=list)
    judgments_satisfied: list[float] = field(default_factory=list)
    identity_verified: bool = False
    licence_verified: bool = False
    oldest_positive: date | None = None
    oldest_any: date | None = None
    last_adverse: date | None = None


def payment_severity(record: Payment, policy: Policy) -> float:
    """Negative evidence of one payment that was not on time."""
    severity = policy.factors.payment_history.severity
    if record.status == "missed":
        return severity.missed
    if record.status == "defaulted":
        return severity.defaulted
    days = record.days_late
    if days < 30:
        return severity.late_1_29
    if days < 60:
        return severity.late_30_59
    if days < 90:
        return severity.late_60_89
    return severity.late_90_plus


def gather(
    active: Iterable[AnyRecord],
    policy: Policy,
    as_of: date,
    rater_trust: Mapping[str, float] | None = None,
    rating_damping: Mapping[str, float] | None = None,
) -> Evidence:
    """One pass over the active records, weighting each by its age.

    This is the scorer's hot loop (a subject may have thousands of records), so it keeps its
    state in locals and writes the Evidence once at the end.
    """
    factors = policy.factors
    pay_hl = factors.payment_history.half_life_days
    con_hl = factors.contract_fulfilment.half_life_days
    rat_hl = factors.counterparty_ratings.half_life_days
    jud_hl = factors.judgments.half_life_days
    breach_severity = factors.contract_fulfilment.breach_severity
    negative_weight = factors.counterparty_ratings.negative_weight
    ev = Evidence()
    today = as_of.toordinal()
    exp2 = math.exp2
    oldest_any = oldest_positive = last_adverse = None
    pay_counts, con_counts, rat_counts = ev.payment_counts, ev.contract_counts, ev.rating_counts
    pay_rate, con_rate, rat_rate = -1.0 / pay_hl, -1.0 / con_hl, -1.0 / rat_hl
    add_sequence = ev.payment_sequence.append
    add_on_time, add_adverse = ev.payments_on_time.append, ev.payments_adverse.append
    for record in active:
        day = record.occurred_on
        ordinal = day.toordinal()
        age = today - ordinal
        if oldest_any is None or ordinal < oldest_any:
            oldest_any = ordinal
        positive = False
        adverse = False
        if isinstance(record, Payment):
            pay_status = record.status
            pay_counts[pay_status] = pay_counts.get(pay_status, 0) + 1
            on_time = pay_status == "on_time"
            add_sequence((ordinal, record.id, on_time))
            if on_time:
                add_on_time(exp2(age * pay_rate))
                positive = True
            else:
                add_adverse(exp2(age * pay_rate) * payment_severity(record, policy))
                adverse = pay_status != "late" or record.days_late >= 30
                if ev.last_adverse_payment is None or day > ev.last_adverse_payment:
                    ev.last_adverse_payment = day
        elif isinstance(record, Contract):
            con_status = record.status
            con_counts[con_status] = con_counts.get(con_status, 0) + 1
            if con_status == "fulfilled":
                ev.contracts_kept.append(exp2(age * con_rate))
                positive = True
            elif con_status == "breached":
                ev.contracts_breached.append(exp2(age * con_rate) * breach_severity)
                adverse = True
        elif isinstance(record, Rating):
            # The sign counts, not the size; each rating weighs as much as its rater is credible.
            trust = 1.0 if rater_trust is None else rater_trust.get(record.rater, 0.0)
            if rating_damping is not None:
                trust *= rating_damping.get(record.id, 1.0)
            strength = exp2(age * rat_rate) * trust
            if record.rating > 0:
                rat_counts["positive"] = rat_counts.get("positive", 0) + 1
                ev.ratings_positive.append(strength)
                positive = strength > 0.0
            elif record.rating < 0:
                rat_counts["negative"] = rat_counts.get("negative", 0) + 1
                ev.ratings_negative.append(strength * negative_weight)
            else:
                rat_counts["neutral"] = rat_counts.get("neutral", 0) + 1
        elif isinstance(record, Judgment):
            weight = exp2(-age / jud_hl)
            if record.status == "unpaid":
                ev.judgments_unpaid.append(weight)
            else:
                ev.judgments_satisfied.append(weight)
            adverse = True
        elif isinstance(record, Verification):
            if record.what == "identity":
                ev.identity_verified = True
            else:
                ev.licence_verified = True
            positive = True
        if positive and (oldest_positive is None or ordinal < oldest_positive):
            oldest_positive = ordinal
        if adverse and (last_adverse is None or ordinal > last_adverse):
            last_adverse = ordinal
    as_date = date.fromordinal
    ev.oldest_any = None if oldest_any is None else as_date(oldest_any)
    ev.oldest_positive = None if oldest_positive is None else as_date(oldest_positive)
    ev.last_adverse = None if last_adverse is None else as_date(last_adverse)
    return ev
