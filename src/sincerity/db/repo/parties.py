"""Repository: subjects and sources. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


def insert_subject(
    conn: Connection, subject_id: str, display_name: str | None, now: datetime
) -> None:
    conn.execute(
        insert(t.subjects).values(id=subject_id, display_name=display_name, created_at=now)
    )


def insert_subjects(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.subjects), list(rows))


def existing_subjects(conn: Connection, subject_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(subject_ids))
    found: set[str] = set()
    for chunk in chunks(ids):
        found.update(conn.scalars(select(t.subjects.c.id).where(t.subjects.c.id.in_(chunk))))
    return found


def get_subject(conn: Connection, subject_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).mappings().first()
    return None if row is None else dict(row)


def was_erased(conn: Connection, subject_id: str) -> bool:
    """Whether this subject id belonged to a file that was erased (a tombstone)."""
    e = t.erasures.c
    return conn.scalar(select(e.id).where(e.subject_id == subject_id).limit(1)) is not None


def list_subject_ids(conn: Connection) -> list[str]:
    return list(conn.scalars(select(t.subjects.c.id).order_by(t.subjects.c.id)))


def insert_source(
    conn: Connection, source_id: str, name: str, kinds: Sequence[str], now: datetime
) -> None:
    conn.execute(
        insert(t.sources).values(id=source_id, name=name, kinds=",".join(kinds), created_at=now)
    )


def source_kinds(conn: Connection) -> dict[str, frozenset[str]]:
    """Every registered source and the record kinds it may report."""
    rows = conn.execute(select(t.sources.c.id, t.sources.c.kinds))
    return {source: frozenset(kinds.split(",")) for source, kinds in rows}


def list_sources(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.sources).order_by(t.sources.c.id)).mappings()
    return [dict(r) for r in rows]


def relying_party_exists(conn: Connection, party_id: str) -> bool:
    rp = t.relying_parties.c
    return conn.scalar(select(rp.id).where(rp.id == party_id)) is not None


def count_subjects(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(t.subjects)) or 0)


PARTY_TABLES = {"subject": t.subjects, "source": t.sources, "relying_party": t.relying_parties}


def insert_relying_party(conn: Connection, party_id: str, name: str, now: datetime) -> None:
    conn.execute(insert(t.relying_parties).values(id=party_id, name=name, created_at=now))


def party_exists(conn: Connection, kind: str, party_id: str) -> bool:
    """Whether a subject, source or relying party is registered (kind as in PARTY_TABLES)."""
    table = PARTY_TABLES[kind]
    return conn.scalar(select(table.c.id).where(table.c.id == party_id)) is not None


def list_relying_parties(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.relying_parties).order_by(t.relying_parties.c.id)).mappings()
    return [dict(r) for r in rows]


def registry_counts(conn: Connection) -> dict[str, int]:
    """How many subjects, sources, records, relying parties and access-log entries there are."""
    return {
        name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in (
            ("subjects", t.subjects),
            ("sources", t.sources),
            ("records", t.records),
            ("relying_parties", t.relying_parties),
            ("access_log_entries", t.access_log),
        )
    }
