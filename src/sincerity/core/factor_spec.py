"""The factor spec: what every factor reads from the records, as data derived from the policy.

A factor's evidence is a set of tallies — decayed sums over one kind's records that pass a few
tests, each record weighted by a constant, a severity ladder and, for ratings, its rater's
credibility — or flags (a record of some kind exists). Its form turns the sums into a quality in
[0, 1]: a Beta mean of positive and negative evidence, a penalty exp(−negative), a share of flags,
or years of history in good standing. The Python scorer (`core/tally.py`, generated from this
spec) and the SQL compiler (`batch/compile.py`, DuckDB and Spark, the finish included) read the
same spec; so adding a factor is one entry in `factor_specs` plus its words (`core/factors.py`
for its summary, `core/explain.py` for its reason). See docs/adding-a-factor.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from sincerity.core.policy import FACTOR_NAMES, Policy

Op = Literal["==", "!=", "<", ">"]
Test = tuple[str, Op, str | float]  # (record field, operator, value)
Form = Literal["beta", "penalty", "flags", "years"]


@dataclass(frozen=True)
class Rung:
    """One rung of a severity ladder: when every test holds, the record weighs `value`."""

    when: tuple[Test, ...]
    value: float


@dataclass(frozen=True)
class Tally:
    """A sum over one kind's active records that pass `when`: each adds its decay
    2^(−age / half_life_days) (1 without a half-life), times `scale`, times the first rung of
    `ladder` whose tests hold, times its rater's credibility when `trusted`."""

    name: str
    kind: str
    when: tuple[Test, ...] = ()
    half_life_days: float | None = None
    scale: float = 1.0
    ladder: tuple[Rung, ...] = ()
    trusted: bool = False


@dataclass(frozen=True)
class Flag:
    """Raised by any active record of `kind` that passes `when`; worth `share` of the factor."""

    name: str
    kind: str
    when: tuple[Test, ...]
    share: float


@dataclass(frozen=True)
class FactorSpec:
    """One factor: its weight, its label, its form and the evidence it reads."""

    name: str
    label: str
    form: Form
    weight: float
    positive: tuple[Tally, ...] = ()
    negative: tuple[Tally, ...] = ()
    flags: tuple[Flag, ...] = ()
    full_after_years: float = 1.0

    @property
    def tallies(self) -> tuple[Tally, ...]:
        return self.positive + self.negative


_BY_VERSION: dict[str, tuple[FactorSpec, ...]] = {}


def factor_specs(policy: Policy) -> tuple[FactorSpec, ...]:
    """The policy's factors as a spec, in the policy's fixed factor order (built once per
    policy version: the scorer asks for it on every score)."""
    found = _BY_VERSION.get(policy.version)
    if found is None:
        found = _BY_VERSION[policy.version] = _build_specs(policy)
    return found


def _payments(policy: Policy) -> FactorSpec:
    f = policy.factors.payment_history
    sev, days = f.severity, f.half_life_days
    ladder = (
        Rung((("status", "==", "missed"),), sev.missed),
        Rung((("status", "==", "defaulted"),), sev.defaulted),
        Rung((("days_late", "<", 30),), sev.late_1_29),
        Rung((("days_late", "<", 60),), sev.late_30_59),
        Rung((("days_late", "<", 90),), sev.late_60_89),
        Rung((), sev.late_90_plus),
    )
    return FactorSpec(
        "payment_history",
        f.label,
        "beta",
        f.weight,
        positive=(Tally("pay_pos", "payment", (("status", "==", "on_time"),), days),),
        negative=(Tally("pay_neg", "payment", (("status", "!=", "on_time"),), days, 1.0, ladder),),
    )


def _contracts(policy: Policy) -> FactorSpec:
    f = policy.factors.contract_fulfilment
    days = f.half_life_days
    return FactorSpec(
        "contract_fulfilment",
        f.label,
        "beta",
        f.weight,
        positive=(Tally("con_pos", "contract", (("status", "==", "fulfilled"),), days),),
        negative=(
            Tally("con_neg", "contract", (("status", "==", "breached"),), days, f.breach_severity),
        ),
    )


def _ratings(policy: Policy) -> FactorSpec:
    # The sign counts, not the size; each rating weighs as much as its rater is credible.
    f = policy.factors.counterparty_ratings
    days = f.half_life_days
    return FactorSpec(
        "counterparty_ratings",
        f.label,
        "beta",
        f.weight,
        positive=(Tally("rat_pos", "rating", (("rating", ">", 0),), days, trusted=True),),
        negative=(
            Tally(
                "rat_neg", "rating", (("rating", "<", 0),), days, f.negative_weight, trusted=True
            ),
        ),
    )


def _judgments(policy: Policy) -> FactorSpec:
    f = policy.factors.judgments
    days = f.half_life_days
    return FactorSpec(
        "judgments",
        f.label,
        "penalty",
        f.weight,
        negative=(
            Tally("jud_unpaid", "judgment", (("status", "==", "unpaid"),), days, f.unpaid_severity),
            Tally(
                "jud_satisfied",
                "judgment",
                (("status", "==", "satisfied"),),
                days,
                f.satisfied_severity,
            ),
        ),
    )


def _identity(policy: Policy) -> FactorSpec:
    f = policy.factors.verified_identity
    share = f.identity_share
    return FactorSpec(
        "verified_identity",
        f.label,
        "flags",
        f.weight,
        flags=(
            Flag("identity", "verification", (("what", "==", "identity"),), share),
            Flag("licence", "verification", (("what", "==", "licence"),), 1.0 - share),
        ),
    )


def _history(policy: Policy) -> FactorSpec:
    f = policy.factors.history_length
    return FactorSpec(
        "history_length", f.label, "years", f.weight, full_after_years=f.full_after_years
    )


# One entry per factor, in the policy's fixed factor order.
SPEC_OF: dict[str, Callable[[Policy], FactorSpec]] = {
    "payment_history": _payments,
    "contract_fulfilment": _contracts,
    "counterparty_ratings": _ratings,
    "judgments": _judgments,
    "verified_identity": _identity,
    "history_length": _history,
}


def _build_specs(policy: Policy) -> tuple[FactorSpec, ...]:
    return tuple(SPEC_OF[name](policy) for name in FACTOR_NAMES)


def spec_max_points(policy: Policy, specs: tuple[FactorSpec, ...]) -> dict[str, float]:
    """Each factor's maximum points: its weight's share of the score range."""
    total = math.fsum(s.weight for s in specs)
    span = policy.range.max - policy.range.min
    return {s.name: span * s.weight / total for s in specs}


def reason_threshold(max_points: float, span: float) -> float:
    """A factor is a reason a score is not higher only when it costs at least this many points:
    a noticeable share of its own points and of the range. (The Python explanation and the
    SQL finish both ask here.)"""
    return max(0.05 * max_points, 0.01 * span)


def _passes(tests: tuple[Test, ...], event: Mapping[str, object]) -> bool:
    for field, op, value in tests:
        actual = event.get(field)
        if op == "==" and actual != value:
            return False
        if op == "!=" and actual == value:
            return False
        if op in ("<", ">"):
            if not isinstance(actual, int | float) or isinstance(value, str):
                return False
            if (op == "<" and not actual < value) or (op == ">" and not actual > value):
                return False
    return True


def event_weight(tally: Tally, event: Mapping[str, object]) -> float | None:
    """What one undecayed record like `event` (a dict of record fields, `kind` included) adds to
    `tally` — its scale times its ladder rung — or None when the tally does not read it. (The
    lab's synthetic agents keep counts of such events instead of records.)"""
    if event.get("kind") != tally.kind or not _passes(tally.when, event):
        return None
    rung = next((r.value for r in tally.ladder if _passes(r.when, event)), 1.0)
    return tally.scale * rung


def quality_columns(
    specs: tuple[FactorSpec, ...],
    sums: Mapping[str, NDArray[np.floating]],
    flags: Mapping[str, NDArray[np.floating]],
    years: NDArray[np.floating],
) -> NDArray[np.floating]:
    """Every factor's quality for many subjects at once (one row each, one column per factor),
    from their tallies' sums, flags (0 or 1) and years in good standing — the same forms as the
    Python scorer and the SQL, vectorised."""
    columns = []
    n = len(years)
    zero = np.zeros(n, dtype=years.dtype)  # float32 in the lab, float64 elsewhere
    for spec in specs:
        pos = sum((sums[t.name] for t in spec.positive), zero)
        neg = sum((sums[t.name] for t in spec.negative), zero)
        if spec.form == "beta":
            quality = (pos + 1.0) / (pos + neg + 2.0)
        elif spec.form == "penalty":
            quality = np.exp(-neg)
        elif spec.form == "flags":
            quality = sum((flags[f.name] * f.share for f in spec.flags), zero)
        else:
            quality = years / spec.full_after_years
        columns.append(np.clip(quality, 0.0, 1.0))
    return np.column_stack(columns) if columns else np.zeros((n, 0), dtype=years.dtype)
