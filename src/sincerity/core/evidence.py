"""From records to evidence: which records count as of a date, and what each factor sees.

Every sum here is `math.fsum` (exactly rounded), so the result does not depend on record order.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sincerity.core.factor_spec import FactorSpec, factor_specs
from sincerity.core.policy import Policy
from sincerity.core.records import (
    RECORD_KINDS,
    AnyRecord,
    Contract,
    Judgment,
    Payment,
    Rating,
)
from sincerity.core.tally import tally_function

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
    """What the factors see: the spec's tallies and flags (the arithmetic), and the counts and
    dates their words and the badges need."""

    tallies: dict[str, list[float]] = field(default_factory=dict)
    flags: frozenset[str] = frozenset()
    payment_counts: dict[str, int] = field(default_factory=dict)
    last_adverse_payment: date | None = None
    payment_sequence: list[tuple[int, str, bool]] = field(default_factory=list)
    contract_counts: dict[str, int] = field(default_factory=dict)
    rating_counts: dict[str, int] = field(default_factory=dict)
    judgment_counts: dict[str, int] = field(default_factory=dict)
    oldest_positive: date | None = None
    oldest_any: date | None = None
    last_adverse: date | None = None

    def total(self, *names: str) -> float:
        """The exactly rounded sum of these tallies."""
        return math.fsum(w for name in names for w in self.tallies.get(name, ()))

    @property
    def identity_verified(self) -> bool:
        return "identity" in self.flags

    @property
    def licence_verified(self) -> bool:
        return "licence" in self.flags


def _latest(current: int | None, ordinals: Iterable[int]) -> int | None:
    found = max(ordinals, default=None)
    return found if current is None or (found is not None and found > current) else current


def _words(by_kind: Mapping[str, Sequence[Any]], ev: Evidence) -> int | None:
    """The counts and dates the words and the badges need; returns the last adverse record as
    an ordinal. Each kind is one pass of built-ins: this runs on every score."""
    payments: Sequence[Payment] = by_kind["payment"]
    ev.payment_counts.update(Counter(p.status for p in payments))
    ev.payment_sequence.extend(
        (p.occurred_on.toordinal(), p.id, p.status == "on_time") for p in payments
    )
    adverse_payments = [p for p in payments if p.status != "on_time"]
    ev.last_adverse_payment = max((p.occurred_on for p in adverse_payments), default=None)
    contracts: Sequence[Contract] = by_kind["contract"]
    ev.contract_counts.update(Counter(c.status for c in contracts))
    ratings: Sequence[Rating] = by_kind["rating"]
    ev.rating_counts.update(
        Counter(
            "positive" if r.rating > 0 else "negative" if r.rating < 0 else "neutral"
            for r in ratings
        )
    )
    judgments: Sequence[Judgment] = by_kind["judgment"]
    ev.judgment_counts.update(Counter(j.status for j in judgments))
    last = _latest(
        None,
        (
            p.occurred_on.toordinal()
            for p in adverse_payments
            if p.status != "late" or p.days_late >= 30
        ),
    )
    last = _latest(last, (c.occurred_on.toordinal() for c in contracts if c.status == "breached"))
    last = _latest(last, (j.occurred_on.toordinal() for j in judgments))
    return last


def gather(
    active: Iterable[AnyRecord],
    policy: Policy,
    as_of: date,
    rater_trust: Mapping[str, float] | None = None,
    rating_damping: Mapping[str, float] | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> Evidence:
    """What the factors see: the spec's generated evidence pass for the arithmetic, then the
    counts and dates of each kind for the words and the badges."""
    by_kind: dict[str, list[Any]] = {kind: [] for kind in RECORD_KINDS}
    for record in active:
        by_kind[record.kind].append(record)
    found = tally_function(specs or factor_specs(policy))(
        by_kind, as_of.toordinal(), rater_trust, rating_damping
    )
    ev = Evidence(tallies=found.sums, flags=found.flags)
    last_adverse = _words(by_kind, ev)
    as_date = date.fromordinal
    ev.oldest_any = None if found.oldest_any is None else as_date(found.oldest_any)
    ev.oldest_positive = None if found.oldest_positive is None else as_date(found.oldest_positive)
    ev.last_adverse = None if last_adverse is None else as_date(last_adverse)
    return ev
