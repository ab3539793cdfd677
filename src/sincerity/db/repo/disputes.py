"""Repository: disputes. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from sincerity.core.disputes import DisputeState
from sincerity.db import tables as t

OPEN = DisputeState.OPEN.value
# Every column but the evidence file itself, which is read only when someone downloads it.
LISTED = [c for c in t.disputes.c if c.name != "evidence"]


def insert_dispute(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(t.disputes).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def disputes_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    """A subject's disputes, oldest first."""
    rows = conn.execute(
        select(*LISTED).where(t.disputes.c.subject_id == subject_id).order_by(t.disputes.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def open_dispute_on(conn: Connection, record_id: str) -> int | None:
    d = t.disputes.c
    return conn.scalar(select(d.id).where(d.record_id == record_id, d.state == OPEN))


def get_dispute(conn: Connection, dispute_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(*LISTED).where(t.disputes.c.id == dispute_id)).mappings().first()
    return None if row is None else dict(row)


def dispute_evidence(conn: Connection, dispute_id: int) -> tuple[str, str, bytes] | None:
    """The file a subject attached to a dispute: (name, media type, bytes)."""
    d = t.disputes.c
    row = conn.execute(
        select(d.evidence_name, d.evidence_type, d.evidence).where(
            d.id == dispute_id, d.evidence.is_not(None)
        )
    ).first()
    return None if row is None else (str(row[0]), str(row[1]), bytes(row[2]))


def dispute_with_source(conn: Connection, dispute_id: int) -> dict[str, Any] | None:
    """A dispute with the source of the record it contests."""
    d, r = t.disputes.c, t.records.c
    row = (
        conn.execute(
            select(d.id, d.state, d.subject_id, d.record_id, d.evidence_name, r.source_id)
            .join(t.records, r.id == d.record_id)
            .where(d.id == dispute_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def overdue(conn: Connection, now: datetime, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, subject) of open disputes past their deadline."""
    d = t.disputes.c
    query = select(d.id, d.subject_id).where(d.state == OPEN, d.deadline < now)
    if limit is not None:
        query = query.limit(limit)
    return [(int(i), str(s)) for i, s in conn.execute(query)]


def resolve(
    conn: Connection, dispute_ids: Sequence[int], state: str, now: datetime, resolution: str
) -> None:
    """Close these disputes in `state` with the words that say why."""
    d = t.disputes.c
    conn.execute(
        update(t.disputes)
        .where(d.id.in_(list(dispute_ids)))
        .values(state=state, resolved_at=now, resolution=resolution)
    )


def disputes_against_source(
    conn: Connection, source_id: str, state: str | None = None
) -> list[dict[str, Any]]:
    """Disputes against a source's records, oldest first."""
    d, r = t.disputes.c, t.records.c
    query = select(*LISTED).join(t.records, r.id == d.record_id).where(r.source_id == source_id)
    if state is not None:
        query = query.where(d.state == state)
    return [dict(row) for row in conn.execute(query.order_by(d.id)).mappings()]


def open_since(conn: Connection, cutoff: datetime) -> list[dict[str, Any]]:
    """Open disputes opened at or before `cutoff`, oldest first."""
    d = t.disputes.c
    query = select(*LISTED).where(d.state == OPEN, d.opened_at <= cutoff).order_by(d.opened_at)
    return [dict(row) for row in conn.execute(query).mappings()]


def disputes_by_state(conn: Connection) -> dict[str, int]:
    d = t.disputes.c
    rows = conn.execute(select(d.state, func.count()).group_by(d.state))
    return {str(state): int(n) for state, n in rows}
