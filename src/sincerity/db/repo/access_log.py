"""Repository: the access log's entries and its head row. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


def lock_log_head(conn: Connection) -> int:
    """The last sequence number, with the head row locked for this transaction (made on first
    use), so appenders take numbers one at a time."""
    head = conn.execute(select(t.log_head).where(t.log_head.c.id == 1).with_for_update()).first()
    if head is None:  # a database created before the head row existed
        conn.execute(insert(t.log_head).values(id=1, seq=0, hash=""))
        return 0
    return int(head.seq)


def insert_pending_entry(conn: Connection, entry: dict[str, Any]) -> None:
    """Write an entry to wait for the sequencer: a plain insert, no lock on the head."""
    conn.execute(insert(t.access_log_pending).values(**entry))


def has_pending_entries(conn: Connection) -> bool:
    return conn.scalar(select(t.access_log_pending.c.id).limit(1)) is not None


def pending_entries(conn: Connection, limit: int) -> list[dict[str, Any]]:
    """The oldest pending entries, in the order they were written."""
    p = t.access_log_pending.c
    rows = conn.execute(select(t.access_log_pending).order_by(p.id).limit(limit)).mappings()
    return [dict(r) for r in rows]


def sequence_entries(
    conn: Connection, entries: Sequence[dict[str, Any]], pending_ids: Sequence[int]
) -> None:
    """Add sequenced entries (with their seq and leaf hash) to the log, move the head to the last
    one and drop them from the pending table (the caller holds the head's lock)."""
    if not entries:
        return
    conn.execute(insert(t.access_log), list(entries))
    last = entries[-1]
    conn.execute(
        update(t.log_head)
        .where(t.log_head.c.id == 1)
        .values(seq=last["seq"], hash=last["leaf_hash"])
    )
    for chunk in chunks(list(pending_ids)):
        conn.execute(delete(t.access_log_pending).where(t.access_log_pending.c.id.in_(chunk)))


def pending_entries_of(conn: Connection, subject_id: str, limit: int) -> list[dict[str, Any]]:
    """The subject's entries still waiting for the sequencer, oldest first."""
    p = t.access_log_pending.c
    rows = conn.execute(
        select(p.at, p.actor_kind, p.actor_id, p.what, p.purpose)
        .where(p.subject_id == subject_id)
        .order_by(p.id)
        .limit(limit)
    ).mappings()
    return [{"seq": None, **r} for r in rows]


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
    changed = 0
    for table in (t.access_log, t.access_log_pending):
        result = conn.execute(
            update(table)
            .where(table.c.subject_id == subject_id)
            .values(what=placeholder, purpose=placeholder, detail_salt=None)
        )
        changed += int(result.rowcount or 0)
    return changed


def log_entries_by_actor(
    conn: Connection, actor_kind: str, actor_id: str, limit: int
) -> list[dict[str, Any]]:
    """The latest reads one party made, newest first (what it did, it may see)."""
    log = t.access_log.c
    rows = conn.execute(
        select(log.at, log.subject_id, log.what, log.purpose)
        .where(log.actor_kind == actor_kind, log.actor_id == actor_id)
        .order_by(log.seq.desc())
        .limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


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
