"""Badges: the game of keeping one's word. Progress is shown so a subject knows what is next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sincerity.core.evidence import DAYS_PER_YEAR, Evidence
from sincerity.core.policy import (
    CleanRecordRule,
    ContractsKeptRule,
    IdentityVerifiedRule,
    PaymentStreakRule,
    Policy,
)


@dataclass(frozen=True, slots=True)
class BadgeStatus:
    """A badge of the policy, whether it is earned, and how far along the subject is."""

    id: str
    name: str
    description: str
    earned: bool
    progress: float
    target: float


def current_streak(ev: Evidence) -> list[int]:
    """The days (ordinals) of the on-time payments in a row, counting back from the most recent
    payment."""
    last_miss = max(
        ((day, record_id) for day, record_id, on_time in ev.payment_sequence if not on_time),
        default=None,
    )
    return [
        day
        for day, record_id, on_time in ev.payment_sequence
        if on_time and (last_miss is None or (day, record_id) > last_miss)
    ]


def streak_progress(rule: PaymentStreakRule, ev: Evidence) -> float:
    """Progress toward `rule.count` payments in a row, held back by the share of `rule.min_years`
    the streak covers in calendar months: 36 payments made two a month are halfway to 'three
    years on time'."""
    days = current_streak(ev)
    if rule.min_years <= 0 or not days:
        return float(len(days))
    months = len({(d.year, d.month) for d in map(date.fromordinal, days)})
    return rule.count * min(len(days) / rule.count, months / round(rule.min_years * 12))


def badge_statuses(ev: Evidence, policy: Policy, as_of: date) -> tuple[BadgeStatus, ...]:
    """Every badge of the policy with its progress, in the policy's order."""
    statuses: list[BadgeStatus] = []
    for badge in policy.badges:
        rule = badge.rule
        if isinstance(rule, PaymentStreakRule):
            progress, target = streak_progress(rule, ev), float(rule.count)
        elif isinstance(rule, ContractsKeptRule):
            progress, target = float(ev.contract_counts.get("fulfilled", 0)), float(rule.count)
        elif isinstance(rule, IdentityVerifiedRule):
            progress, target = (1.0 if ev.identity_verified else 0.0), 1.0
        else:
            assert isinstance(rule, CleanRecordRule)
            start = ev.last_adverse or ev.oldest_any
            clean_years = 0.0 if start is None else (as_of - start).days / DAYS_PER_YEAR
            progress, target = round(clean_years, 2), rule.years
        statuses.append(
            BadgeStatus(
                badge.id,
                badge.name,
                badge.description,
                progress >= target,
                min(progress, target),
                target,
            )
        )
    return tuple(statuses)
