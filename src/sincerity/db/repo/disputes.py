"""Repository: disputes. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from sincerity.db import tables as t


def insert_dispute(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(t.disputes).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def disputes_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.disputes).where(t.disputes.c.subject_id == subject_id).order_by(t.disputes.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def open_dispute_on(conn: Connection, record_id: str) -> int | None:
    d = t.disputes.c
    return conn.scalar(select(d.id).where(d.record_id == record_id, d.state == "open"))
