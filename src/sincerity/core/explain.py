"""Explanations: the key reasons a score is not higher, and the smallest steps to the next tier.

Steps are computed in closed form from each factor's Beta evidence, so they are exact (applying a
suggested step does reach the tier) and cheap enough to give with every score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sincerity.core.evidence import Evidence, beta_quality
from sincerity.core.factor_spec import reason_threshold
from sincerity.core.factors import FactorScore, plural
from sincerity.core.policy import Policy

MAX_REASONS = 4
MAX_STEP_COUNT = 240  # beyond 20 years of monthly payments a step is not a concrete suggestion


@dataclass(frozen=True, slots=True)
class Step:
    """One concrete thing the subject could do, and the points it would add."""

    action: str
    factor: str
    count: int
    gain: float
    reaches_tier: bool = True


def _reason(factor: FactorScore, ev: Evidence, policy: Policy) -> str:
    name = factor.name
    if name == "payment_history":
        adverse = sum(v for k, v in ev.payment_counts.items() if k != "on_time")
        if adverse:
            latest = ev.last_adverse_payment
            return f"{plural(adverse, 'late or missed payment')} on record, the latest on {latest}"
        return f"Few on-time payments on record yet ({ev.payment_counts.get('on_time', 0)})"
    if name == "contract_fulfilment":
        breached = ev.contract_counts.get("breached", 0)
        if breached:
            return f"{plural(breached, 'contract')} breached"
        return f"Few kept contracts on record yet ({ev.contract_counts.get('fulfilled', 0)})"
    if name == "counterparty_ratings":
        bad = ev.rating_counts.get("negative", 0)
        if bad:
            return f"{plural(bad, 'negative rating')} from counterparties"
        return f"Few counterparty ratings yet ({ev.rating_counts.get('positive', 0)})"
    if name == "judgments":
        unpaid = ev.judgment_counts.get("unpaid", 0)
        if unpaid:
            return f"{plural(unpaid, 'unpaid judgment')} on file"
        satisfied = ev.judgment_counts.get("satisfied", 0)
        return f"{plural(satisfied, 'satisfied judgment')} still on file"
    if name == "verified_identity":
        return "Identity not verified" if not ev.identity_verified else "Licence not verified"
    if name == "history_length":
        full = policy.factors.history_length.full_after_years
        return f"Short history: {factor.positive:.1f} of {full:g} years in good standing"
    # A factor without words of its own (one added to the spec only) still gets a reason.
    return f"{factor.label}: {round(100 * factor.quality)}% of its best"


def reason_factors(factors: tuple[FactorScore, ...], policy: Policy) -> tuple[str, ...]:
    """The factors behind the key reasons (at most four), costliest first, ties by name.

    A factor is a reason only when it costs a noticeable share of its own points and of the range.
    """
    span = policy.range.max - policy.range.min
    costly = [
        f
        for f in factors
        if f.points_lost >= reason_threshold(f.max_points, span) and f.points_lost > 0
    ]
    costly.sort(key=lambda f: (-f.points_lost, f.name))
    return tuple(f.name for f in costly[:MAX_REASONS])


def key_reasons(factors: tuple[FactorScore, ...], ev: Evidence, policy: Policy) -> tuple[str, ...]:
    """At most four reasons in plain words, the factors that cost the most points first (FCRA key
    factors)."""
    by_name = {f.name: f for f in factors}
    return tuple(_reason(by_name[name], ev, policy) for name in reason_factors(factors, policy))


def _beta_count_needed(pos: float, neg: float, target_quality: float) -> int | None:
    """Fewest new full-weight positive observations lifting Beta quality to `target_quality`."""
    if target_quality >= 1.0:
        return None
    if beta_quality(pos, neg) >= target_quality:
        return 0
    need = (target_quality * (pos + neg + 2.0) - pos - 1.0) / (1.0 - target_quality)
    count = max(1, math.ceil(need - 1e-9))
    while beta_quality(pos + count, neg) < target_quality:  # guard against rounding
        count += 1
    return count if count <= MAX_STEP_COUNT else None


def _identity_steps(
    gap: float, by_name: dict[str, FactorScore], ev: Evidence, policy: Policy, tier_label: str
) -> list[Step]:
    """Verifying one's identity, when that alone closes the gap."""
    identity = by_name["verified_identity"]
    if ev.identity_verified:
        return []
    gain = policy.factors.verified_identity.identity_share * identity.max_points
    if gain < gap:
        return []
    return [Step(f"Verify your identity to reach {tier_label}", identity.name, 1, gain)]


def _satisfying_relief(ev: Evidence, policy: Policy) -> float:
    """How much negative evidence satisfying every unpaid judgment would take away: each then
    weighs its satisfied severity instead of its unpaid one."""
    f = policy.factors.judgments
    return ev.total("jud_unpaid") * (f.unpaid_severity - f.satisfied_severity) / f.unpaid_severity


def _judgment_steps(
    gap: float, by_name: dict[str, FactorScore], ev: Evidence, policy: Policy, tier_label: str
) -> list[Step]:
    """Satisfying every unpaid judgment, when that alone closes the gap."""
    judgments = by_name["judgments"]
    n = ev.judgment_counts.get("unpaid", 0)
    if not n:
        return []
    relief = _satisfying_relief(ev, policy)
    gain = (math.exp(-(judgments.negative - relief)) - judgments.quality) * judgments.max_points
    if gain < gap:
        return []
    return [
        Step(
            f"Satisfy your {plural(n, 'unpaid judgment')} to reach {tier_label}",
            judgments.name,
            n,
            gain,
        )
    ]


def _identity_and_payments_steps(
    gap: float, by_name: dict[str, FactorScore], policy: Policy, tier_label: str
) -> list[Step]:
    """Verifying is one action; with it, fewer payments on time close the rest of the gap."""
    identity_gain = policy.factors.verified_identity.identity_share * (
        by_name["verified_identity"].max_points
    )
    payments = by_name["payment_history"]
    if identity_gain <= 0 or payments.max_points <= 0:
        return []
    target = payments.quality + (gap - identity_gain) / payments.max_points
    count = _beta_count_needed(payments.positive, payments.negative, target)
    if not count:
        return []
    gain = identity_gain + payments.max_points * (
        beta_quality(payments.positive + count, payments.negative) - payments.quality
    )
    return [
        Step(
            f"Verify your identity and make your next {count} payments on time "
            f"to reach {tier_label}",
            "verified_identity+payment_history",
            count + 1,
            gain,
        )
    ]


def steps_to(
    gap: float,
    factors: tuple[FactorScore, ...],
    ev: Evidence,
    policy: Policy,
    tier_label: str,
) -> tuple[Step, ...]:
    """The single actions that each alone close `gap` points, fewest actions first."""
    by_name = {f.name: f for f in factors}
    options: list[Step] = []

    def beta_step(name: str, template: str) -> None:
        factor = by_name[name]
        if factor.max_points <= 0:
            return
        target = factor.quality + gap / factor.max_points
        count = _beta_count_needed(factor.positive, factor.negative, target)
        if count:
            gain = beta_quality(factor.positive + count, factor.negative) - factor.quality
            options.append(
                Step(
                    template.format(n=count, s="" if count == 1 else "s", tier=tier_label),
                    name,
                    count,
                    gain * factor.max_points,
                )
            )

    beta_step("payment_history", "Make your next {n} payment{s} on time to reach {tier}")
    beta_step("contract_fulfilment", "Fulfil {n} more contract{s} to reach {tier}")
    beta_step(
        "counterparty_ratings",
        "Earn {n} more top rating{s} from counterparties you deal with to reach {tier}",
    )

    options += _identity_steps(gap, by_name, ev, policy, tier_label)
    options += _judgment_steps(gap, by_name, ev, policy, tier_label)
    if not ev.identity_verified and not any(s.factor == "verified_identity" for s in options):
        options += _identity_and_payments_steps(gap, by_name, policy, tier_label)
    options.sort(key=lambda s: (s.count, -s.gain, s.factor))
    return tuple(options[:3])


# How many of an action a step names when it need not reach a tier: a near, concrete goal.
PARTIAL_COUNTS = {"payment_history": 6, "contract_fulfilment": 2, "counterparty_ratings": 3}
PARTIAL_WORDS = {
    "payment_history": "Make your next {n} payments on time",
    "contract_fulfilment": "Fulfil {n} more contracts",
    "counterparty_ratings": "Earn {n} more top ratings from counterparties you deal with",
}


def steps_for_reasons(
    reasons: tuple[str, ...],
    factors: tuple[FactorScore, ...],
    ev: Evidence,
    policy: Policy,
    covered: set[str],
) -> tuple[Step, ...]:
    """A step for every reason the subject can act on that no tier-reaching step covers, with
    the points it would add (so no reason is left without something to do about it). Reasons
    only time can fix (a short history, satisfied judgments ageing out) have none."""
    by_name = {f.name: f for f in factors}
    steps: list[Step] = []
    for name in reasons:
        if any(name in step_factor.split("+") for step_factor in covered):
            continue
        factor = by_name[name]
        if name in PARTIAL_COUNTS and factor.max_points > 0:
            n = PARTIAL_COUNTS[name]
            gain = (beta_quality(factor.positive + n, factor.negative) - factor.quality) * (
                factor.max_points
            )
            if gain > 0:
                action = PARTIAL_WORDS[name].format(n=n)
                steps.append(Step(f"{action} (+{gain:.0f} points)", name, n, gain, False))
        elif name == "verified_identity":
            share = policy.factors.verified_identity.identity_share
            what, gain = (
                ("identity", share * factor.max_points)
                if not ev.identity_verified
                else ("licence", (1.0 - share) * factor.max_points)
            )
            if gain > 0 and not (what == "licence" and ev.licence_verified):
                steps.append(Step(f"Verify your {what} (+{gain:.0f} points)", name, 1, gain, False))
        elif name == "judgments" and ev.judgment_counts.get("unpaid", 0):
            relief = _satisfying_relief(ev, policy)
            gain = (math.exp(-(factor.negative - relief)) - factor.quality) * factor.max_points
            if gain > 0:
                n = ev.judgment_counts["unpaid"]
                steps.append(
                    Step(
                        f"Satisfy your {plural(n, 'unpaid judgment')} (+{gain:.0f} points)",
                        name,
                        n,
                        gain,
                        False,
                    )
                )
    return tuple(steps)
