"""Repository: web sessions (only hashes of their cookies). The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select

from sincerity.db import tables as t


def insert_session(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.web_sessions).values(**values))


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.expires_at < now))


def live_session(conn: Connection, token_hash: str, now: datetime) -> dict[str, Any] | None:
    """A session not expired, opened with an API key not revoked since, or by a person (with a
    passkey) who has not signed out everywhere since."""
    s, k, p = t.web_sessions.c, t.api_keys.c, t.people.c
    by_key = and_(s.key_id.is_not(None), k.id.is_not(None), k.revoked_at.is_(None))
    by_person = and_(
        s.person_id.is_not(None),
        p.id.is_not(None),
        or_(p.sessions_after.is_(None), s.created_at > p.sessions_after),
    )
    row = (
        conn.execute(
            select(s.actor_kind, s.actor_id, s.key_id, s.person_id, s.csrf)
            .select_from(t.web_sessions)
            .outerjoin(t.api_keys, k.id == s.key_id)
            .outerjoin(t.people, p.id == s.person_id)
            .where(s.token_hash == token_hash, s.expires_at > now, or_(by_key, by_person))
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def delete_session(conn: Connection, token_hash: str) -> None:
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.token_hash == token_hash))
