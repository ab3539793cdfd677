"""Repository: idempotency keys and presentation requests. The caller owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from sincerity.db import tables as t


def claim_idempotency_key(
    conn: Connection, key: str, actor_id: str, request_hash: str, pending: int, now: datetime
) -> None:
    """Insert the key's row; the primary key makes this fail for anyone who claimed it first."""
    conn.execute(
        insert(t.idempotency).values(
            key=key,
            actor_id=actor_id,
            request_hash=request_hash,
            status=pending,
            response="",
            created_at=now,
        )
    )


def idempotency_entry(conn: Connection, key: str, actor_id: str) -> dict[str, Any] | None:
    i = t.idempotency.c
    row = (
        conn.execute(
            select(i.request_hash, i.status, i.response).where(i.key == key, i.actor_id == actor_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def complete_idempotency_key(
    conn: Connection, key: str, actor_id: str, status: int, response: str
) -> None:
    i = t.idempotency.c
    conn.execute(
        update(t.idempotency)
        .where(i.key == key, i.actor_id == actor_id)
        .values(status=status, response=response)
    )


def release_idempotency_key(conn: Connection, key: str, actor_id: str, pending: int) -> None:
    i = t.idempotency.c
    conn.execute(
        delete(t.idempotency).where(i.key == key, i.actor_id == actor_id, i.status == pending)
    )


def insert_presentation_request(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.presentation_requests).values(**values))


def presentation_request(conn: Connection, request_id: str) -> dict[str, Any] | None:
    p = t.presentation_requests.c
    row = conn.execute(select(t.presentation_requests).where(p.id == request_id)).mappings().first()
    return None if row is None else dict(row)


def answer_presentation_request(
    conn: Connection, request_id: str, now: datetime, presentation: str
) -> bool:
    """Store the answer if the request has none yet; False when someone answered first."""
    p = t.presentation_requests.c
    result = conn.execute(
        update(t.presentation_requests)
        .where(p.id == request_id, p.answered_at.is_(None))
        .values(answered_at=now, presentation=presentation)
    )
    return bool(result.rowcount)
