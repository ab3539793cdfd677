"""Each factor turns evidence into a quality in [0, 1] and a sentence a person understands."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sincerity.core.evidence import DAYS_PER_YEAR, Evidence, beta_quality
from sincerity.core.policy import FACTOR_NAMES, Policy


@dataclass(frozen=True, slots=True)
class FactorScore:
    """One factor's share of a score."""

    name: str
    label: str
    points: float
    max_points: float
    quality: float
    summary: str
    positive: float
    negative: float

    @property
    def points_lost(self) -> float:
        return self.max_points - self.points


def plural(count: int, word: str) -> str:
    """'1 payment', '3 payments': the one way a count is put into words."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def max_points(policy: Policy) -> dict[str, float]:
    """Each factor's maximum points: its weight's share of the score range."""
    weights = {name: getattr(policy.factors, name).weight for name in FACTOR_NAMES}
    total = math.fsum(weights.values())
    span = policy.range.max - policy.range.min
    return {name: span * weight / total for name, weight in weights.items()}


def history_years(ev: Evidence, as_of: date) -> float:
    """Years since the oldest record in good standing."""
    if ev.oldest_positive is None:
        return 0.0
    return (as_of - ev.oldest_positive).days / DAYS_PER_YEAR


@dataclass(frozen=True, slots=True)
class Reading:
    """What one factor reads from the evidence: its quality, in words, and the evidence for and
    against (the Beta counts the steps to the next tier are computed from)."""

    quality: float
    summary: str
    positive: float
    negative: float


def _payments(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    pos, neg = math.fsum(ev.payments_on_time), math.fsum(ev.payments_adverse)
    counts = ev.payment_counts
    total = sum(counts.values())
    adverse = total - counts.get("on_time", 0)
    if total == 0:
        summary = "No payments on record"
    elif adverse == 0:
        summary = f"All {plural(total, 'payment')} on time"
    else:
        parts = [
            plural(counts[k], label)
            for k, label in (
                ("late", "late payment"),
                ("missed", "missed payment"),
                ("defaulted", "default"),
            )
            if counts.get(k)
        ]
        summary = f"{counts.get('on_time', 0)} of {total} payments on time; " + ", ".join(parts)
    return Reading(beta_quality(pos, neg), summary, pos, neg)


def _contracts(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    pos, neg = math.fsum(ev.contracts_kept), math.fsum(ev.contracts_breached)
    kept, breached = ev.contract_counts.get("fulfilled", 0), ev.contract_counts.get("breached", 0)
    open_ = ev.contract_counts.get("signed", 0)
    if kept + breached + open_ == 0:
        summary = "No contracts on record"
    else:
        summary = f"{plural(kept, 'contract')} kept, {breached} breached"
        if open_:
            summary += f", {open_} open"
    return Reading(beta_quality(pos, neg), summary, pos, neg)


def _ratings(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    pos, neg = math.fsum(ev.ratings_positive), math.fsum(ev.ratings_negative)
    good, bad = ev.rating_counts.get("positive", 0), ev.rating_counts.get("negative", 0)
    if good + bad + ev.rating_counts.get("neutral", 0) == 0:
        summary = "No counterparty ratings"
    else:
        summary = f"{plural(good, 'positive rating')}, {bad} negative"
    return Reading(beta_quality(pos, neg), summary, pos, neg)


def _judgments(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    f = policy.factors.judgments
    unpaid = math.fsum(ev.judgments_unpaid) * f.unpaid_severity
    satisfied = math.fsum(ev.judgments_satisfied) * f.satisfied_severity
    neg = math.fsum((unpaid, satisfied))
    n_unpaid, n_sat = len(ev.judgments_unpaid), len(ev.judgments_satisfied)
    if n_unpaid + n_sat == 0:
        summary = "No judgments"
    else:
        summary = f"{plural(n_unpaid, 'unpaid judgment')}, {n_sat} satisfied"
    return Reading(math.exp(-neg), summary, 0.0, neg)


def _identity(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    share = policy.factors.verified_identity.identity_share
    quality = (share if ev.identity_verified else 0.0) + (
        (1.0 - share) if ev.licence_verified else 0.0
    )
    checks = [
        n for n, ok in (("identity", ev.identity_verified), ("licence", ev.licence_verified)) if ok
    ]
    summary = ("Verified: " + " and ".join(checks)) if checks else "Identity not verified"
    return Reading(quality, summary, quality, 0.0)


def _history(ev: Evidence, policy: Policy, as_of: date) -> Reading:
    years = history_years(ev, as_of)
    quality = years / policy.factors.history_length.full_after_years
    return Reading(quality, f"{years:.1f} years of history in good standing", years, 0.0)


# Each factor's reading of the evidence, in the policy's fixed factor order.
READINGS: dict[str, Callable[[Evidence, Policy, date], Reading]] = {
    "payment_history": _payments,
    "contract_fulfilment": _contracts,
    "counterparty_ratings": _ratings,
    "judgments": _judgments,
    "verified_identity": _identity,
    "history_length": _history,
}


def compute_factors(ev: Evidence, policy: Policy, as_of: date) -> tuple[FactorScore, ...]:
    """Every factor's points, in the policy's fixed factor order."""
    caps = max_points(policy)
    results = []
    for name in FACTOR_NAMES:
        reading = READINGS[name](ev, policy, as_of)
        quality = min(1.0, max(0.0, reading.quality))
        label = getattr(policy.factors, name).label
        results.append(
            FactorScore(
                name,
                label,
                quality * caps[name],
                caps[name],
                quality,
                reading.summary,
                reading.positive,
                reading.negative,
            )
        )
    return tuple(results)
