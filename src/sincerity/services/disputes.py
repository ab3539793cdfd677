"""Disputes: a subject contests a record; from that moment it stops counting.

States: open → confirmed (the source sent evidence; the record counts again), corrected (a new
record from the source replaces it), withdrawn (it never counts again), or suppressed (no answer
within 30 days: it never counts again). Each step is timestamped; each rescores the subject.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from sincerity.core.errors import InvalidInputError, NotFoundError, RecordError
from sincerity.db import repo
from sincerity.db import tables as t
from sincerity.services import access_log
from sincerity.services.files import Row
from sincerity.services.ingest import store_batch, validate_rows
from sincerity.services.registry import Registry
from sincerity.services.scores import rescore_subjects

ANSWER_DAYS = 30


def open_dispute(registry: Registry, subject_id: str, record_id: str, reason: str) -> int:
    """Contest one of the subject's records; the score is recomputed without it at once."""
    if not reason.strip():
        raise InvalidInputError("say why the record is wrong (the reason is sent to the source)")
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.get_record_row(conn, record_id)
        if row is None or row["subject_id"] != subject_id:
            # The same answer whether the record is someone else's or does not exist.
            raise NotFoundError(f"subject {subject_id!r} has no record {record_id!r}")
        if repo.open_dispute_on(conn, record_id) is not None:
            raise InvalidInputError(f"record {record_id!r} is already under dispute")
        dispute_id = repo.insert_dispute(
            conn,
            {
                "record_id": record_id,
                "subject_id": subject_id,
                "reason": reason.strip(),
                "state": "open",
                "opened_at": now,
                "deadline": now + timedelta(days=ANSWER_DAYS),
            },
        )
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)
    return dispute_id


ANSWERS = ("confirm", "correct", "withdraw")


def sweep_overdue(registry: Registry) -> int:
    """Suppress for good every open dispute whose source did not answer in time."""
    now = registry.now()
    d = t.disputes.c
    is_overdue = select(d.id, d.subject_id).where(d.state == "open", d.deadline < now)
    # Most sweeps find nothing, so look before taking the write lock.
    with registry.engine.connect() as conn:
        if conn.execute(is_overdue.limit(1)).first() is None:
            return 0
    with registry.transaction() as conn:
        overdue = conn.execute(is_overdue).all()
        if not overdue:
            return 0
        conn.execute(
            update(t.disputes)
            .where(d.id.in_([row.id for row in overdue]))
            .values(
                state="suppressed",
                resolved_at=now,
                resolution="no answer from the source within 30 days: suppressed for good",
            )
        )
        subjects = sorted({row.subject_id for row in overdue})
        rescore_subjects(conn, registry.policy, subjects, now.date(), now)
    return len(overdue)


def answer_dispute(
    registry: Registry,
    source_id: str,
    dispute_id: int,
    action: str,
    evidence: str | None = None,
    corrected: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The source's answer: confirm (with evidence), correct (with a new record), or withdraw."""
    if action not in ANSWERS:
        raise InvalidInputError(f"action must be one of {', '.join(ANSWERS)}")
    sweep_overdue(registry)
    now = registry.now()
    d, r = t.disputes.c, t.records.c
    with registry.transaction() as conn:
        row = conn.execute(
            select(d.id, d.state, d.subject_id, d.record_id, r.source_id)
            .join(t.records, r.id == d.record_id)
            .where(d.id == dispute_id)
        ).first()
        if row is None or row.source_id != source_id:
            raise NotFoundError(f"no dispute {dispute_id} against your records")
        if row.state != "open":
            raise InvalidInputError(f"dispute {dispute_id} is already {row.state}")
        if action == "confirm":
            if not (evidence and evidence.strip()):
                raise InvalidInputError("confirming a record needs evidence")
            resolution = f"confirmed by the source with evidence: {evidence.strip()[:1000]}"
            state = "confirmed"
        elif action == "withdraw":
            resolution = "withdrawn by the source: the record no longer counts"
            state = "withdrawn"
        else:
            if corrected is None:
                raise InvalidInputError("a correction needs the corrected record")
            replacement = {
                **corrected,
                "supersedes": row.record_id,
                "source": source_id,
                "subject": row.subject_id,
            }
            good, problems = validate_rows([Row(1, replacement)], "corrected record")
            if problems:
                raise RecordError("the corrected record is not valid", problems)
            if repo.existing_hashes(conn, [good[0].record.id]):
                raise InvalidInputError("the corrected record needs a new id")
            # The same checks as any batch: kind registered, consent in force, not dated in the
            # future, supersedes naming this source's record of the same subject and kind.
            store_batch(
                conn,
                registry.policy,
                good,
                f"correction answering dispute {dispute_id}",
                "corrected record",
                now,
                rescore=False,
            )
            resolution = f"corrected by the source: record {good[0].record.id} replaces it"
            state = "corrected"
        conn.execute(
            update(t.disputes)
            .where(d.id == dispute_id)
            .values(state=state, resolved_at=now, resolution=resolution)
        )
        rescore_subjects(conn, registry.policy, [row.subject_id], now.date(), now)
        return dispute_row(conn, dispute_id)


def dispute_row(conn: Connection, dispute_id: int) -> dict[str, Any]:
    """A dispute as plain data, with its times in UTC."""
    row = conn.execute(select(t.disputes).where(t.disputes.c.id == dispute_id)).mappings().one()
    return dict(row)


def disputes_for_source(
    registry: Registry, source_id: str, state: str | None = None
) -> list[dict[str, Any]]:
    """Disputes against a source's records, oldest first (a read: the sweep is a job)."""
    d, r = t.disputes.c, t.records.c
    query = select(d.id).join(t.records, r.id == d.record_id).where(r.source_id == source_id)
    if state is not None:
        query = query.where(d.state == state)
    with registry.engine.connect() as conn:
        return [dispute_row(conn, i) for i in conn.scalars(query.order_by(d.id))]


def disputes_for_subject(registry: Registry, subject_id: str) -> list[dict[str, Any]]:
    """A subject's disputes with every step's time."""
    with registry.engine.connect() as conn:
        ids = conn.scalars(
            select(t.disputes.c.id)
            .where(t.disputes.c.subject_id == subject_id)
            .order_by(t.disputes.c.id)
        )
        return [dispute_row(conn, i) for i in ids]


def review_queue(
    registry: Registry, operator_id: str, older_than_days: int = 0
) -> list[dict[str, Any]]:
    """The operator's queue, with each subject's read of it in their access log."""
    queue = open_disputes(registry, older_than_days)
    now = registry.now()
    with registry.transaction() as conn:
        for subject in sorted({d["subject_id"] for d in queue}):
            access_log.append(
                conn,
                subject,
                "operator",
                operator_id,
                "dispute queue review",
                "dispute oversight",
                now,
            )
    return queue


def open_disputes(registry: Registry, older_than_days: int = 0) -> list[dict[str, Any]]:
    """The operator's queue: open disputes at least `older_than_days` old, oldest first."""
    cutoff = registry.now() - timedelta(days=older_than_days)
    d = t.disputes.c
    with registry.engine.connect() as conn:
        ids = conn.scalars(
            select(d.id).where(d.state == "open", d.opened_at <= cutoff).order_by(d.opened_at)
        )
        return [dispute_row(conn, i) for i in ids]


def uphold_dispute(registry: Registry, dispute_id: int, operator_id: str) -> dict[str, Any]:
    """The operator's review sides with the subject: the record is suppressed for good."""
    now = registry.now()
    d = t.disputes.c
    with registry.transaction() as conn:
        row = conn.execute(select(d.state, d.subject_id).where(d.id == dispute_id)).first()
        if row is None:
            raise NotFoundError(f"no dispute {dispute_id}")
        if row.state != "open":
            raise InvalidInputError(f"dispute {dispute_id} is already {row.state}")
        conn.execute(
            update(t.disputes)
            .where(d.id == dispute_id)
            .values(
                state="suppressed",
                resolved_at=now,
                resolution=f"upheld on review by the operator ({operator_id}): suppressed for good",
            )
        )
        rescore_subjects(conn, registry.policy, [row.subject_id], now.date(), now)
        return dispute_row(conn, dispute_id)
