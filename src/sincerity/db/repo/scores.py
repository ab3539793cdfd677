"""Repository: policies and scores. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from sincerity.core.disputes import NOT_COUNTING
from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


def ensure_policy(conn: Connection, version: str, name: str, body: str, now: datetime) -> None:
    exists = conn.scalar(select(t.policies.c.version).where(t.policies.c.version == version))
    if exists is None:
        conn.execute(
            insert(t.policies).values(
                version=version, name=name, body=body, created_at=now, active=False
            )
        )


def activate_policy(conn: Connection, version: str) -> None:
    conn.execute(update(t.policies).values(active=t.policies.c.version == version))


def active_policy_body(conn: Connection) -> str | None:
    return conn.scalar(select(t.policies.c.body).where(t.policies.c.active.is_(True)))


def insert_missing_scores(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store history entries for days that have none yet (a backfill never overwrites)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    for chunk in chunks(list(rows)):
        conn.execute(
            upsert(t.scores).on_conflict_do_nothing(
                index_elements=["subject_id", "as_of", "policy_version"]
            ),
            chunk,
        )


def save_scores(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store scores, replacing any earlier one for the same subject, day and policy: one
    upsert, so concurrent writers for one subject never collide on the day's row."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    else:  # pragma: no cover - make_engine accepts only these two
        raise ValueError(f"unsupported database {dialect}")
    statement = upsert(t.scores)
    excluded = statement.excluded
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["subject_id", "as_of", "policy_version"],
            set_={
                name: excluded[name]
                for name in ("status", "value", "tier", "explanation", "computed_at")
            },
        ),
        list(rows),
    )


def replace_day_scores(
    conn: Connection, as_of: date, policy_version: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace every stored score of one day under one policy (a whole-registry rescore)."""
    s = t.scores.c
    conn.execute(delete(t.scores).where(s.as_of == as_of, s.policy_version == policy_version))
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(t.scores), list(rows[start : start + 10_000]))


def score_history(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    s = t.scores.c
    rows = conn.execute(
        select(s.as_of, s.policy_version, s.status, s.value, s.tier, s.computed_at)
        .where(s.subject_id == subject_id)
        .order_by(s.as_of, s.computed_at)
    ).mappings()
    return [dict(r) for r in rows]


def latest_scores(conn: Connection) -> list[dict[str, Any]]:
    """Each subject's most recent stored score (status, value, tier)."""
    s = t.scores.c
    latest = select(s.subject_id, func.max(s.id).label("id")).group_by(s.subject_id).subquery()
    rows = conn.execute(
        select(s.subject_id, s.status, s.value, s.tier, s.as_of).join(latest, latest.c.id == s.id)
    ).mappings()
    return [dict(r) for r in rows]


def record_bodies_of(conn: Connection, subject_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(subject, canonical record JSON) of every record of these subjects."""
    r = t.records.c
    rows = conn.execute(select(r.subject_id, r.body).where(r.subject_id.in_(list(subject_ids))))
    return [(str(s), str(b)) for s, b in rows]


def not_counting_records(conn: Connection, subject_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(subject, record id) of records whose dispute state stops them counting."""
    d = t.disputes.c
    rows = conn.execute(
        select(d.subject_id, d.record_id).where(
            d.subject_id.in_(list(subject_ids)), d.state.in_(NOT_COUNTING)
        )
    )
    return [(str(s), str(r)) for s, r in rows]


def stored_explanation(
    conn: Connection, subject_id: str, day: date, policy_version: str
) -> str | None:
    """The newest stored score explanation (JSON) of the subject for that day and policy."""
    s = t.scores.c
    found = conn.scalar(
        select(s.explanation)
        .where(s.subject_id == subject_id, s.as_of == day, s.policy_version == policy_version)
        .order_by(s.id.desc())
        .limit(1)
    )
    return None if found is None else str(found)
