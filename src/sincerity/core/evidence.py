"""From records to evidence: which records count as of a date, and what each factor sees.

Every sum here is `math.fsum` (exactly rounded), so the result does not depend on record order.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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


@dataclass(slots=True)
class _Marks:
    """Dates (as ordinals) that span every kind: the first record, the first record in good
    standing, the last adverse one."""

    oldest_any: int | None = None
    oldest_positive: int | None = None
    last_adverse: int | None = None

    def seen(self, ordinal: int, positive: bool, adverse: bool) -> None:
        if self.oldest_any is None or ordinal < self.oldest_any:
            self.oldest_any = ordinal
        if positive and (self.oldest_positive is None or ordinal < self.oldest_positive):
            self.oldest_positive = ordinal
        if adverse and (self.last_adverse is None or ordinal > self.last_adverse):
            self.last_adverse = ordinal


def _payments(
    records: list[Payment], ev: Evidence, policy: Policy, today: int, marks: _Marks
) -> None:
    rate = -1.0 / policy.factors.payment_history.half_life_days
    exp2, counts = math.exp2, ev.payment_counts
    add_sequence = ev.payment_sequence.append
    add_on_time, add_adverse = ev.payments_on_time.append, ev.payments_adverse.append
    for record in records:
        ordinal = record.occurred_on.toordinal()
        status = record.status
        counts[status] = counts.get(status, 0) + 1
        on_time = status == "on_time"
        add_sequence((ordinal, record.id, on_time))
        if on_time:
            add_on_time(exp2((today - ordinal) * rate))
            marks.seen(ordinal, True, False)
            continue
        add_adverse(exp2((today - ordinal) * rate) * payment_severity(record, policy))
        marks.seen(ordinal, False, status != "late" or record.days_late >= 30)
        if ev.last_adverse_payment is None or record.occurred_on > ev.last_adverse_payment:
            ev.last_adverse_payment = record.occurred_on


def _contracts(
    records: list[Contract], ev: Evidence, policy: Policy, today: int, marks: _Marks
) -> None:
    rate = -1.0 / policy.factors.contract_fulfilment.half_life_days
    breach_severity = policy.factors.contract_fulfilment.breach_severity
    counts = ev.contract_counts
    for record in records:
        ordinal = record.occurred_on.toordinal()
        counts[record.status] = counts.get(record.status, 0) + 1
        weight = math.exp2((today - ordinal) * rate)
        if record.status == "fulfilled":
            ev.contracts_kept.append(weight)
        elif record.status == "breached":
            ev.contracts_breached.append(weight * breach_severity)
        marks.seen(ordinal, record.status == "fulfilled", record.status == "breached")


def _ratings(
    records: list[Rating],
    ev: Evidence,
    policy: Policy,
    today: int,
    marks: _Marks,
    rater_trust: Mapping[str, float] | None,
    rating_damping: Mapping[str, float] | None,
) -> None:
    # The sign counts, not the size; each rating weighs as much as its rater is credible.
    rate = -1.0 / policy.factors.counterparty_ratings.half_life_days
    negative_weight = policy.factors.counterparty_ratings.negative_weight
    counts = ev.rating_counts
    for record in records:
        ordinal = record.occurred_on.toordinal()
        trust = 1.0 if rater_trust is None else rater_trust.get(record.rater, 0.0)
        if rating_damping is not None:
            trust *= rating_damping.get(record.id, 1.0)
        strength = math.exp2((today - ordinal) * rate) * trust
        sign = "positive" if record.rating > 0 else "negative" if record.rating < 0 else "neutral"
        counts[sign] = counts.get(sign, 0) + 1
        if sign == "positive":
            ev.ratings_positive.append(strength)
        elif sign == "negative":
            ev.ratings_negative.append(strength * negative_weight)
        marks.seen(ordinal, sign == "positive" and strength > 0.0, False)


def _judgments(
    records: list[Judgment], ev: Evidence, policy: Policy, today: int, marks: _Marks
) -> None:
    half_life = policy.factors.judgments.half_life_days
    for record in records:
        ordinal = record.occurred_on.toordinal()
        weight = math.exp2(-(today - ordinal) / half_life)
        (ev.judgments_unpaid if record.status == "unpaid" else ev.judgments_satisfied).append(
            weight
        )
        marks.seen(ordinal, False, True)


def _verifications(records: list[Verification], ev: Evidence, marks: _Marks) -> None:
    for record in records:
        if record.what == "identity":
            ev.identity_verified = True
        else:
            ev.licence_verified = True
        marks.seen(record.occurred_on.toordinal(), True, False)


def gather(
    active: Iterable[AnyRecord],
    policy: Policy,
    as_of: date,
    rater_trust: Mapping[str, float] | None = None,
    rating_damping: Mapping[str, float] | None = None,
) -> Evidence:
    """What the factors see, weighting each record by its age: one tight pass per kind.

    This is the scorer's hot loop (a subject may have thousands of records), so each kind's pass
    keeps its state in locals.
    """
    by_kind: dict[type, list[Any]] = {
        Payment: [],
        Contract: [],
        Rating: [],
        Judgment: [],
        Verification: [],
    }
    for record in active:
        by_kind[type(record)].append(record)
    ev, marks, today = Evidence(), _Marks(), as_of.toordinal()
    _payments(by_kind[Payment], ev, policy, today, marks)
    _contracts(by_kind[Contract], ev, policy, today, marks)
    _ratings(by_kind[Rating], ev, policy, today, marks, rater_trust, rating_damping)
    _judgments(by_kind[Judgment], ev, policy, today, marks)
    _verifications(by_kind[Verification], ev, marks)
    as_date = date.fromordinal
    ev.oldest_any = None if marks.oldest_any is None else as_date(marks.oldest_any)
    ev.oldest_positive = None if marks.oldest_positive is None else as_date(marks.oldest_positive)
    ev.last_adverse = None if marks.last_adverse is None else as_date(marks.last_adverse)
    return ev
