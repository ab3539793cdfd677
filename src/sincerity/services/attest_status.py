"""What an attestation claims, whether it is still true, and the status bit that revokes it.

Kept apart from issuance so the scorer's shell can revoke attestations whose claims stopped
being true in the same transaction that changed the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from sincerity.core.policy import Policy
from sincerity.core.scoring import Score
from sincerity.credentials.status_list import REVOKED, StatusList
from sincerity.db import repo

STATUS_LIST_ID = 1
STATUS_LIST_SIZE = 131_072  # 16 KiB of bits; indices are never reused


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


def load_status_list(conn: Connection, now: datetime, for_update: bool = False) -> StatusList:
    """The status list (made empty on first use); locked for the transaction with `for_update`."""
    bits = repo.status_bits(conn, STATUS_LIST_ID, for_update)
    if bits is None:
        empty = StatusList.empty(STATUS_LIST_SIZE)
        repo.insert_status_list(conn, STATUS_LIST_ID, bytes(empty.data), now)
        return empty
    return StatusList(bytearray(bits))


def allocate_index(conn: Connection, now: datetime) -> int:
    """The next never-used status index (the row lock serialises concurrent issuers)."""
    load_status_list(conn, now, for_update=True)
    return repo.take_status_index(conn, STATUS_LIST_ID)


def revoke_indices(conn: Connection, indices: Sequence[int], now: datetime) -> None:
    """Set the status bits of these attestations to revoked."""
    if not indices:
        return
    status = load_status_list(conn, now, for_update=True)
    for index in indices:
        status.set(index, REVOKED)
    repo.save_status_bits(conn, STATUS_LIST_ID, bytes(status.data), now)


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
    revoke_indices(conn, [row["status_index"] for row in untrue], now)
    return len(untrue)


def revoke_all_attestations(conn: Connection, subject_id: str, now: datetime) -> int:
    """Set the status bit of every attestation of the subject and delete their rows (erasure):
    a proof shared before the erasure fails from now on, and nothing of it is kept."""
    indices = repo.unrevoked_indices(conn, subject_id)
    revoke_indices(conn, indices, now)
    repo.delete_attestations_of(conn, subject_id)
    return len(indices)
