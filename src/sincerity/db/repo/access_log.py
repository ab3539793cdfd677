"""Repository: the access log's entries and its head row. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, insert, select, update

from sincerity.db import tables as t


def lock_log_head(conn: Connection) -> int:
    """The last sequence number, with the head row locked for this transaction (made on first
    use), so appenders take numbers one at a time."""
    head = conn.execute(select(t.log_head).where(t.log_head.c.id == 1).with_for_update()).first()
    if head is None:  # a database created before the head row existed
        conn.execute(insert(t.log_head).values(id=1, seq=0, hash=""))
        return 0
    return int(head.seq)


def insert_log_entry(conn: Connection, entry: dict[str, Any], leaf_hash: str) -> None:
    """Add the entry and move the head to it."""
    conn.execute(insert(t.access_log).values(**entry, leaf_hash=leaf_hash))
    conn.execute(
        update(t.log_head).where(t.log_head.c.id == 1).values(seq=entry["seq"], hash=leaf_hash)
    )


def log_entries_of(
    conn: Connection, subject_id: str, limit: int, after: int
) -> list[dict[str, Any]]:
    log = t.access_log.c
    rows = conn.execute(
        select(log.seq, log.at, log.actor_kind, log.actor_id, log.what, log.purpose)
        .where(log.subject_id == subject_id, log.seq > after)
        .order_by(log.seq)
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def redact_log_text(conn: Connection, subject_id: str, placeholder: str) -> int:
    """Replace the free text of the subject's entries and drop its salt."""
    log = t.access_log.c
    result = conn.execute(
        update(t.access_log)
        .where(log.subject_id == subject_id)
        .values(what=placeholder, purpose=placeholder, detail_salt=None)
    )
    return int(result.rowcount or 0)


def all_log_entries(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every entry in sequence order, streamed."""
    rows = conn.execute(select(t.access_log).order_by(t.access_log.c.seq)).mappings()
    for row in rows:
        yield dict(row)


def log_head_seq(conn: Connection) -> int | None:
    found = conn.scalar(select(t.log_head.c.seq).where(t.log_head.c.id == 1))
    return None if found is None else int(found)


def log_entry_owner(conn: Connection, seq: int) -> tuple[str, str] | None:
    """(subject, leaf hash) of entry `seq`."""
    log = t.access_log.c
    row = conn.execute(select(log.subject_id, log.leaf_hash).where(log.seq == seq)).first()
    return None if row is None else (str(row.subject_id), str(row.leaf_hash))
