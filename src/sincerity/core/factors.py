"""Each factor turns evidence into a quality in [0, 1] and a sentence a person understands."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sincerity.core.evidence import DAYS_PER_YEAR, Evidence, beta_quality
from sincerity.core.factor_spec import FactorSpec, factor_specs, spec_max_points
from sincerity.core.policy import Policy


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
    return spec_max_points(policy, factor_specs(policy))


def history_years(ev: Evidence, as_of: date) -> float:
    """Years since the oldest record in good standing."""
    if ev.oldest_positive is None:
        return 0.0
    return (as_of - ev.oldest_positive).days / DAYS_PER_YEAR


@dataclass(frozen=True, slots=True)
class Reading:
    """What one factor reads from the evidence: its quality, and the evidence for and against
    (the Beta counts the steps to the next tier are computed from)."""

    quality: float
    positive: float
    negative: float


def read(spec: FactorSpec, ev: Evidence, as_of: date) -> Reading:
    """A factor's quality by its form, from the spec's tallies and flags."""
    if spec.form == "beta":
        pos = ev.total(*(t.name for t in spec.positive))
        neg = ev.total(*(t.name for t in spec.negative))
        return Reading(beta_quality(pos, neg), pos, neg)
    if spec.form == "penalty":
        neg = ev.total(*(t.name for t in spec.negative))
        return Reading(math.exp(-neg), 0.0, neg)
    if spec.form == "flags":
        quality = math.fsum(f.share for f in spec.flags if f.name in ev.flags)
        return Reading(quality, quality, 0.0)
    years = history_years(ev, as_of)
    return Reading(years / spec.full_after_years, years, 0.0)


# Words: each factor's summary, in a sentence a person understands.


def _payments(ev: Evidence) -> str:
    counts = ev.payment_counts
    total = sum(counts.values())
    if total == 0:
        return "No payments on record"
    if total == counts.get("on_time", 0):
        return f"All {plural(total, 'payment')} on time"
    parts = [
        plural(counts[k], label)
        for k, label in (
            ("late", "late payment"),
            ("missed", "missed payment"),
            ("defaulted", "default"),
        )
        if counts.get(k)
    ]
    return f"{counts.get('on_time', 0)} of {total} payments on time; " + ", ".join(parts)


def _contracts(ev: Evidence) -> str:
    kept, breached = ev.contract_counts.get("fulfilled", 0), ev.contract_counts.get("breached", 0)
    open_ = ev.contract_counts.get("signed", 0)
    if kept + breached + open_ == 0:
        return "No contracts on record"
    return f"{plural(kept, 'contract')} kept, {breached} breached" + (
        f", {open_} open" if open_ else ""
    )


def _ratings(ev: Evidence) -> str:
    good, bad = ev.rating_counts.get("positive", 0), ev.rating_counts.get("negative", 0)
    if good + bad + ev.rating_counts.get("neutral", 0) == 0:
        return "No counterparty ratings"
    return f"{plural(good, 'positive rating')}, {bad} negative"


def _judgments(ev: Evidence) -> str:
    n_unpaid, n_sat = ev.judgment_counts.get("unpaid", 0), ev.judgment_counts.get("satisfied", 0)
    if n_unpaid + n_sat == 0:
        return "No judgments"
    return f"{plural(n_unpaid, 'unpaid judgment')}, {n_sat} satisfied"


def _identity(ev: Evidence) -> str:
    checks = [n for n in ("identity", "licence") if n in ev.flags]
    return ("Verified: " + " and ".join(checks)) if checks else "Identity not verified"


SUMMARIES: dict[str, Callable[[Evidence], str]] = {
    "payment_history": _payments,
    "contract_fulfilment": _contracts,
    "counterparty_ratings": _ratings,
    "judgments": _judgments,
    "verified_identity": _identity,
}


def summary_of(spec: FactorSpec, ev: Evidence, reading: Reading) -> str:
    """The factor's summary; a factor without words of its own gets a plain one."""
    if spec.name in SUMMARIES:
        return SUMMARIES[spec.name](ev)
    if spec.form == "years":
        return f"{reading.positive:.1f} years of history in good standing"
    return f"{spec.label}: {round(100 * min(1.0, max(0.0, reading.quality)))}% of its best"


def compute_factors(
    ev: Evidence, policy: Policy, as_of: date, specs: tuple[FactorSpec, ...] | None = None
) -> tuple[FactorScore, ...]:
    """Every factor's points, in the spec's order (the policy's fixed factor order)."""
    specs = specs or factor_specs(policy)
    caps = spec_max_points(policy, specs)
    results = []
    for spec in specs:
        reading = read(spec, ev, as_of)
        quality = min(1.0, max(0.0, reading.quality))
        results.append(
            FactorScore(
                spec.name,
                spec.label,
                quality * caps[spec.name],
                caps[spec.name],
                quality,
                summary_of(spec, ev, reading),
                reading.positive,
                reading.negative,
            )
        )
    return tuple(results)
