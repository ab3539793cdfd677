"""Repository: records. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


def insert_batch(conn: Connection, name: str, received: int, inserted: int, now: datetime) -> int:
    result = conn.execute(
        insert(t.batches).values(
            name=name[:500], received_at=now, records_received=received, records_inserted=inserted
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def existing_hashes(conn: Connection, record_ids: Sequence[str]) -> dict[str, str]:
    """Content hashes of the records among `record_ids` that are already stored."""
    found: dict[str, str] = {}
    for chunk in chunks(record_ids):
        rows = conn.execute(
            select(t.records.c.id, t.records.c.content_hash).where(t.records.c.id.in_(chunk))
        )
        found.update((rid, digest) for rid, digest in rows)
    return found


def record_owners(conn: Connection, record_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """(source, subject, kind) of each stored record among `record_ids`."""
    r = t.records.c
    found: dict[str, tuple[str, str, str]] = {}
    for chunk in chunks(record_ids):
        rows = conn.execute(select(r.id, r.source_id, r.subject_id, r.kind).where(r.id.in_(chunk)))
        found.update((rid, (source, subject, kind)) for rid, source, subject, kind in rows)
    return found


def superseded_among(conn: Connection, record_ids: Sequence[str]) -> set[str]:
    """The records among `record_ids` that a later record of their source replaces."""
    r = t.records.c
    found: set[str] = set()
    for chunk in chunks(record_ids):
        found.update(conn.scalars(select(r.supersedes).where(r.supersedes.in_(chunk))))
    return found


def insert_records(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.records), list(rows))


def newest_rows_by_group(
    conn: Connection, subject_id: str, per_group: int
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], int]]:
    """A subject's newest `per_group` records of each (source, kind), newest first, and how
    many records each group holds in all: a dashboard's worth, however long the file."""
    r = t.records.c
    ranked = (
        select(
            t.records,
            func.row_number()
            .over(partition_by=(r.source_id, r.kind), order_by=(r.occurred_on.desc(), r.id))
            .label("rank"),
        )
        .where(r.subject_id == subject_id)
        .subquery()
    )
    rows = conn.execute(
        select(ranked)
        .where(ranked.c.rank <= per_group)
        .order_by(ranked.c.occurred_on.desc(), ranked.c.id)
    ).mappings()
    totals = conn.execute(
        select(r.source_id, r.kind, func.count())
        .where(r.subject_id == subject_id)
        .group_by(r.source_id, r.kind)
    )
    return [dict(row) for row in rows], {(s, k): int(n) for s, k, n in totals}


def kinds_reported_since(conn: Connection, subject_id: str, since: date) -> dict[str, int]:
    """How many of a subject's records of each kind were reported after `since`."""
    r = t.records.c
    rows = conn.execute(
        select(r.kind, func.count())
        .where(r.subject_id == subject_id, r.reported_on > since)
        .group_by(r.kind)
    )
    return {str(kind): int(n) for kind, n in rows}


def record_rows_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.records)
        .where(t.records.c.subject_id == subject_id)
        .order_by(t.records.c.occurred_on.desc(), t.records.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def record_kinds_of(conn: Connection, subject_id: str) -> set[str]:
    """The kinds of record held about a subject."""
    r = t.records.c
    return set(conn.scalars(select(r.kind).where(r.subject_id == subject_id).distinct()))


def get_record_row(conn: Connection, record_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.records).where(t.records.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def record_page_rows(
    conn: Connection,
    after: str,
    limit: int,
    subject_id: str | None = None,
    source_id: str | None = None,
    only_id: str | None = None,
) -> list[dict[str, Any]]:
    """Up to `limit` records with ids after `after`, in id order, of a subject or a source."""
    r = t.records.c
    query = select(t.records).where(r.id > after).order_by(r.id).limit(limit)
    if subject_id is not None:
        query = query.where(r.subject_id == subject_id)
    if source_id is not None:
        query = query.where(r.source_id == source_id)
    if only_id is not None:
        query = query.where(r.id == only_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def latest_dispute_states(conn: Connection, record_ids: Sequence[str]) -> dict[str, str]:
    """Each record's latest dispute state (records never disputed are absent)."""
    d = t.disputes.c
    states: dict[str, str] = {}
    for chunk in chunks(list(record_ids)):
        for record_id, state in conn.execute(
            select(d.record_id, d.state).where(d.record_id.in_(chunk)).order_by(d.id)
        ):
            states[record_id] = state
    return states
