"""Repository: erasing a subject's file. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from sincerity.db import tables as t
from sincerity.db.repo.base import chunks
from sincerity.db.repo.people import delete_people_of
from sincerity.db.repo.trust import drop_from_trust_vector


def delete_subject_file(conn: Connection, subject_id: str) -> int:
    """Delete everything held about the subject but the access log and the fact of erasure:
    records (and their damping), disputes (and their evidence), consents, scores, trust, web
    sessions, passkeys and invitations, shared presentations, the subject.
    Returns how many records were deleted."""
    record_ids = list(
        conn.scalars(select(t.records.c.id).where(t.records.c.subject_id == subject_id))
    )
    for chunk in chunks(record_ids):
        conn.execute(delete(t.rating_damping).where(t.rating_damping.c.record_id.in_(chunk)))
    conn.execute(delete(t.disputes).where(t.disputes.c.subject_id == subject_id))
    conn.execute(delete(t.records).where(t.records.c.subject_id == subject_id))
    consent_ids = select(t.consents.c.id).where(t.consents.c.subject_id == subject_id)
    conn.execute(delete(t.consent_options).where(t.consent_options.c.consent_id.in_(consent_ids)))
    conn.execute(delete(t.consents).where(t.consents.c.subject_id == subject_id))
    conn.execute(delete(t.scores).where(t.scores.c.subject_id == subject_id))
    a = t.attestations.c  # kept, revoked, for the status lists; what was shown is dropped
    conn.execute(update(t.attestations).where(a.subject_id == subject_id).values(presentation=None))
    conn.execute(delete(t.rater_trust).where(t.rater_trust.c.node_id == subject_id))
    drop_from_trust_vector(conn, subject_id)
    w = t.web_sessions.c
    conn.execute(delete(t.web_sessions).where(w.actor_kind == "subject", w.actor_id == subject_id))
    delete_people_of(conn, "subject", subject_id)
    conn.execute(delete(t.subjects).where(t.subjects.c.id == subject_id))
    return len(record_ids)


def record_erasure(conn: Connection, subject_id: str, now: datetime, records: int) -> None:
    """The tombstone: the id is retired, and when and how much was erased is kept."""
    conn.execute(
        insert(t.erasures).values(subject_id=subject_id, erased_at=now, records_deleted=records)
    )


def truncate_sqlite_wal(engine: Engine) -> None:
    """On SQLite, move the write-ahead log into the database file and truncate it (with the
    connection pragma `secure_delete`, erased text then survives in neither file)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
