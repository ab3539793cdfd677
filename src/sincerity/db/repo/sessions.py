"""Repository: web sessions (only hashes of their cookies). The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from sincerity.db import tables as t


def insert_session(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.web_sessions).values(**values))


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.expires_at < now))


def live_session(conn: Connection, token_hash: str, now: datetime) -> dict[str, Any] | None:
    """A session not expired whose API key is not revoked."""
    s, k = t.web_sessions.c, t.api_keys.c
    row = (
        conn.execute(
            select(s.actor_kind, s.actor_id, s.key_id, s.csrf)
            .join(t.api_keys, k.id == s.key_id)
            .where(s.token_hash == token_hash, s.expires_at > now, k.revoked_at.is_(None))
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.token_hash == token_hash))
