"""Repository: signing keys (sealed private halves), attestations and the token status list.
The caller owns the transaction; nothing here commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from sincerity.db import tables as t


def active_signing_key(conn: Connection) -> tuple[str, str] | None:
    """(kid, sealed private JWK) of the newest key not retired."""
    k = t.signing_keys.c
    row = conn.execute(
        select(k.kid, k.private_jwk)
        .where(k.retired_at.is_(None))
        .order_by(k.created_at.desc())
        .limit(1)
    ).first()
    return None if row is None else (str(row.kid), str(row.private_jwk))


def insert_signing_key(
    conn: Connection, kid: str, sealed_private: str, public_jwk: dict[str, Any], now: datetime
) -> None:
    conn.execute(
        insert(t.signing_keys).values(
            kid=kid, private_jwk=sealed_private, public_jwk=json.dumps(public_jwk), created_at=now
        )
    )


def retire_signing_keys(conn: Connection, now: datetime) -> None:
    k = t.signing_keys.c
    conn.execute(update(t.signing_keys).where(k.retired_at.is_(None)).values(retired_at=now))


def published_public_keys(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Public keys that verify something today: the key in use, and retired keys until the last
    attestation they signed expires."""
    k, a = t.signing_keys.c, t.attestations.c
    still_needed = select(a.kid).where(a.expires_at > now)
    rows = conn.scalars(
        select(k.public_jwk)
        .where(or_(k.retired_at.is_(None), k.kid.in_(still_needed)))
        .order_by(k.created_at)
    )
    return [json.loads(r) for r in rows]


def all_public_keys(conn: Connection) -> list[dict[str, Any]]:
    """Every public key the registry ever signed with."""
    k = t.signing_keys.c
    return [json.loads(r) for r in conn.scalars(select(k.public_jwk).order_by(k.created_at))]


def insert_attestation(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.attestations).values(**values))


def attestations_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    """A subject's attestations, newest first (claims as data)."""
    a = t.attestations.c
    rows = conn.execute(
        select(a.id, a.claims, a.issued_at, a.expires_at, a.revoked_at, a.revoked_reason)
        .where(a.subject_id == subject_id)
        .order_by(a.issued_at.desc())
    ).mappings()
    return [{**r, "claims": json.loads(r["claims"])} for r in rows]


def get_attestation(conn: Connection, attestation_id: str) -> dict[str, Any] | None:
    a = t.attestations.c
    row = (
        conn.execute(
            select(
                a.subject_id, a.status_list_id, a.status_index, a.revoked_at, a.revoked_reason
            ).where(a.id == attestation_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def keep_presentation(conn: Connection, attestation_id: str, presentation: str) -> None:
    """Keep what the subject shared, so its short link can hand it out."""
    a = t.attestations.c
    conn.execute(
        update(t.attestations).where(a.id == attestation_id).values(presentation=presentation)
    )


def shared_presentation(conn: Connection, attestation_id: str) -> dict[str, Any] | None:
    """A shared presentation with its attestation's state, or None when there is none."""
    a = t.attestations.c
    row = (
        conn.execute(
            select(a.presentation, a.expires_at, a.revoked_at).where(
                a.id == attestation_id, a.presentation.is_not(None)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def mark_revoked(
    conn: Connection, attestation_ids: Sequence[str], now: datetime, reason: str
) -> None:
    a = t.attestations.c
    conn.execute(
        update(t.attestations)
        .where(a.id.in_(list(attestation_ids)))
        .values(revoked_at=now, revoked_reason=reason)
    )


def live_attestations(
    conn: Connection, subject_ids: Sequence[str], now: datetime
) -> list[dict[str, Any]]:
    """Attestations of these subjects neither revoked nor expired (claims as data)."""
    a = t.attestations.c
    rows = conn.execute(
        select(a.id, a.subject_id, a.status_list_id, a.status_index, a.claims).where(
            a.subject_id.in_(list(subject_ids)), a.revoked_at.is_(None), a.expires_at > now
        )
    ).mappings()
    return [{**r, "claims": json.loads(r["claims"])} for r in rows]


def unrevoked_slots(conn: Connection, subject_id: str) -> list[tuple[int, int]]:
    """(status list, index) of the subject's attestations not revoked and holding a slot."""
    a = t.attestations.c
    query = select(a.status_list_id, a.status_index).where(
        a.subject_id == subject_id, a.revoked_at.is_(None), a.status_index.is_not(None)
    )
    return [(int(lid), int(i)) for lid, i in conn.execute(query)]


def delete_attestations_of(conn: Connection, subject_id: str) -> None:
    conn.execute(delete(t.attestations).where(t.attestations.c.subject_id == subject_id))


def status_bits(conn: Connection, list_id: int, for_update: bool = False) -> bytes | None:
    """The stored bits of a status list (None before its first use)."""
    s = t.status_lists.c
    query = select(s.bits).where(s.id == list_id)
    if for_update:
        query = query.with_for_update()
    bits = conn.scalar(query)
    return None if bits is None else bytes(bits)


def insert_status_list(conn: Connection, list_id: int, bits: bytes, now: datetime) -> None:
    conn.execute(insert(t.status_lists).values(id=list_id, bits=bits, updated_at=now))


def save_status_bits(conn: Connection, list_id: int, bits: bytes, now: datetime) -> None:
    s = t.status_lists.c
    conn.execute(update(t.status_lists).where(s.id == list_id).values(bits=bits, updated_at=now))


def newest_status_list(conn: Connection) -> tuple[int, int, int] | None:
    """(id, next unused index, capacity in bits) of the newest status list, locked for the
    transaction (it serialises concurrent issuers); None before the first."""
    s = t.status_lists.c
    row = conn.execute(
        select(s.id, s.next_index, func.length(s.bits))
        .order_by(s.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    return None if row is None else (int(row[0]), int(row[1]), int(row[2]) * 8)


def reusable_slot(conn: Connection, expired_before: datetime) -> tuple[str, int, int] | None:
    """(attestation, status list, index) of the slot whose attestation expired longest ago,
    if it expired before `expired_before`."""
    a = t.attestations.c
    row = conn.execute(
        select(a.id, a.status_list_id, a.status_index)
        .where(a.expires_at < expired_before, a.status_index.is_not(None))
        .order_by(a.expires_at)
        .limit(1)
    ).first()
    return None if row is None else (str(row[0]), int(row[1]), int(row[2]))


def release_slot(conn: Connection, attestation_id: str) -> None:
    """An expired attestation gives its status slot up for reuse."""
    a = t.attestations.c
    conn.execute(
        update(t.attestations)
        .where(a.id == attestation_id)
        .values(status_list_id=None, status_index=None)
    )


def take_status_index(conn: Connection, list_id: int) -> int:
    """The next never-used index of a status list, taken (the caller holds the row lock)."""
    s = t.status_lists.c
    index = int(conn.scalar(select(s.next_index).where(s.id == list_id)) or 0)
    conn.execute(update(t.status_lists).where(s.id == list_id).values(next_index=index + 1))
    return index


def sealed_signing_keys(conn: Connection) -> list[tuple[str, str]]:
    """(kid, stored private JWK: sealed, or plain text from before sealing) of every key."""
    k = t.signing_keys.c
    return [(str(kid), str(stored)) for kid, stored in conn.execute(select(k.kid, k.private_jwk))]


def store_private_key(conn: Connection, kid: str, stored: str) -> None:
    k = t.signing_keys.c
    conn.execute(update(t.signing_keys).where(k.kid == kid).values(private_jwk=stored))


def has_plaintext_key(conn: Connection) -> bool:
    """Whether any signing key is still stored in plain text (a JSON object, not sealed)."""
    k = t.signing_keys.c
    return conn.scalar(select(k.kid).where(k.private_jwk.like("{%")).limit(1)) is not None
