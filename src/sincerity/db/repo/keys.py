"""Repository: API keys (only hashes of their secrets). The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from sincerity.db import tables as t


def insert_api_key(
    conn: Connection, key_id: str, kind: str, actor_id: str, secret_hash: str, now: datetime
) -> None:
    conn.execute(
        insert(t.api_keys).values(
            id=key_id, actor_kind=kind, actor_id=actor_id, secret_hash=secret_hash, created_at=now
        )
    )


ACTIVE_API_KEY = select(
    t.api_keys.c.actor_kind, t.api_keys.c.actor_id, t.api_keys.c.secret_hash
).where(t.api_keys.c.id == bindparam("key_id"), t.api_keys.c.revoked_at.is_(None))


def active_api_key(conn: Connection, key_id: str) -> dict[str, Any] | None:
    """A key that is not revoked: its owner and the hash of its secret (a statement built once:
    every authenticated request runs it)."""
    row = conn.execute(ACTIVE_API_KEY, {"key_id": key_id}).mappings().first()
    return None if row is None else dict(row)


def revoke_api_key(conn: Connection, key_id: str, now: datetime) -> None:
    conn.execute(update(t.api_keys).where(t.api_keys.c.id == key_id).values(revoked_at=now))


def revoke_actor_keys(conn: Connection, kind: str, actor_id: str, now: datetime) -> None:
    k = t.api_keys.c
    conn.execute(
        update(t.api_keys)
        .where(k.actor_kind == kind, k.actor_id == actor_id, k.revoked_at.is_(None))
        .values(revoked_at=now)
    )
