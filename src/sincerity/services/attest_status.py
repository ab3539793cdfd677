"""What an attestation claims, whether it is still true, and the status bit that revokes it.

Kept apart from issuance so the scorer's shell can revoke attestations whose claims stopped
being true in the same transaction that changed the score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from sincerity.core.errors import NotFoundError
from sincerity.core.policy import Policy
from sincerity.core.scoring import Score
from sincerity.credentials.status_list import REVOKED, VALID, StatusList
from sincerity.db import repo

STATUS_LIST_SIZE = 131_072  # bits per list (16 KiB); a new list starts when one is full
REUSE_AFTER_EXPIRY = timedelta(days=1)  # past any verifier's clock leeway


@dataclass(frozen=True)
class Slot:
    """Where an attestation's status bit lives."""

    list_id: int
    index: int


def attestable_claims(score: Score, policy: Policy, subject_id: str) -> dict[str, Any]:
    """The claims a subject may choose to prove, from their score: only true statements."""
    claims: dict[str, Any] = {"subject": subject_id}
    if score.status == "scored" and score.tier and score.value is not None:
        claims["tier"] = score.tier
        for threshold in policy.thresholds:
            if score.value >= threshold:
                claims[f"score_at_least_{threshold}"] = True
    for badge in score.badges:
        if badge.earned:
            claims[f"badge_{badge.id}"] = True
    identity = next((f for f in score.factors if f.name == "verified_identity"), None)
    share = policy.factors.verified_identity.identity_share
    if identity is not None and share > 0 and identity.quality >= share - 1e-9:
        claims["identity_verified"] = True
    return claims


def still_true(attested: Mapping[str, Any], now_true: Mapping[str, Any], policy: Policy) -> bool:
    """Whether every attested claim still holds (a tier may have risen, never fallen)."""
    ranks = {tier.name: rank for rank, tier in enumerate(policy.tiers)}
    for name, value in attested.items():
        if name == "subject":
            continue
        if name == "tier":
            current = now_true.get("tier")
            if current is None or ranks.get(current, -1) < ranks.get(value, len(ranks)):
                return False
        elif now_true.get(name) != value:
            return False
    return True


def _load(conn: Connection, list_id: int) -> StatusList:
    bits = repo.status_bits(conn, list_id, for_update=True)
    if bits is None:
        raise NotFoundError(f"no status list {list_id}")
    return StatusList(bytearray(bits))


def _new_list(conn: Connection, list_id: int, capacity: int, now: datetime) -> None:
    repo.insert_status_list(conn, list_id, bytes(StatusList.empty(capacity).data), now)


def allocate_slot(conn: Connection, now: datetime, capacity: int = STATUS_LIST_SIZE) -> Slot:
    """A status slot for a new attestation: the next unused index of the newest list; when that
    list is full, the slot of an attestation that expired more than REUSE_AFTER_EXPIRY ago (its
    bit reset to valid: verifiers check expiry before status, so the old proof still fails);
    failing both, index 0 of a new list of `capacity` bits. The newest list's row lock
    serialises concurrent issuers."""
    newest = repo.newest_status_list(conn)
    if newest is None:
        _new_list(conn, 1, capacity, now)
        return Slot(1, repo.take_status_index(conn, 1))
    list_id, next_index, size = newest
    if next_index < size:
        return Slot(list_id, repo.take_status_index(conn, list_id))
    reusable = repo.reusable_slot(conn, now - REUSE_AFTER_EXPIRY)
    if reusable is not None:
        attestation_id, old_list, index = reusable
        repo.release_slot(conn, attestation_id)
        status = _load(conn, old_list)
        status.set(index, VALID)
        repo.save_status_bits(conn, old_list, bytes(status.data), now)
        return Slot(old_list, index)
    _new_list(conn, list_id + 1, capacity, now)
    return Slot(list_id + 1, repo.take_status_index(conn, list_id + 1))


def revoke_slots(conn: Connection, slots: Sequence[tuple[int, int]], now: datetime) -> None:
    """Set the status bits of these (list, index) slots to revoked."""
    by_list: dict[int, list[int]] = defaultdict(list)
    for list_id, index in slots:
        by_list[list_id].append(index)
    for list_id, indices in sorted(by_list.items()):
        status = _load(conn, list_id)
        for index in indices:
            status.set(index, REVOKED)
        repo.save_status_bits(conn, list_id, bytes(status.data), now)


def revoke_untrue(
    conn: Connection, policy: Policy, scores: Mapping[str, Score], now: datetime
) -> int:
    """Revoke each live attestation of these subjects whose claims their new score no longer
    supports. Returns how many were revoked."""
    live = repo.live_attestations(conn, list(scores), now)
    untrue = [
        row
        for row in live
        if not still_true(
            row["claims"],
            attestable_claims(scores[row["subject_id"]], policy, row["subject_id"]),
            policy,
        )
    ]
    if untrue:
        repo.mark_revoked(
            conn, [row["id"] for row in untrue], now, "an attested claim is no longer true"
        )
    revoke_slots(conn, [(r["status_list_id"], r["status_index"]) for r in untrue], now)
    return len(untrue)


def revoke_all_attestations(conn: Connection, subject_id: str, now: datetime) -> int:
    """Set the status bit of every attestation of the subject and delete their rows (erasure):
    a proof shared before the erasure fails from now on, and nothing of it is kept."""
    slots = repo.unrevoked_slots(conn, subject_id)
    revoke_slots(conn, slots, now)
    repo.delete_attestations_of(conn, subject_id)
    return len(slots)
