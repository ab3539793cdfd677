"""Dispute states, and the one rule of which of them stop a record counting.

open → confirmed (the source sent evidence: the record counts again), corrected (a new record
from the source replaces it), withdrawn (it never counts again), suppressed (no answer in 30
days, or upheld by the operator: it never counts again), or dropped (the subject took the
dispute back: the record counts again, and the subject may dispute it again later).
"""

from __future__ import annotations

from enum import StrEnum


class DisputeState(StrEnum):
    """Where a dispute stands."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    SUPPRESSED = "suppressed"
    DROPPED = "dropped"


# Why a subject says a record is wrong: the categories a dispute may name.
DISPUTE_CATEGORIES: tuple[str, ...] = (
    "not_mine",
    "wrong_details",
    "paid_or_settled",
    "duplicate",
    "other",
)

# From the moment a dispute opens the record stops counting; it counts again only if confirmed.
# (A corrected record is superseded by its replacement, which is how it stops counting.)
NOT_COUNTING: tuple[str, ...] = (
    DisputeState.OPEN.value,
    DisputeState.WITHDRAWN.value,
    DisputeState.SUPPRESSED.value,
)


def stops_counting(state: str | None) -> bool:
    """Whether a record whose latest dispute is in `state` is left out of the score."""
    return state in NOT_COUNTING
