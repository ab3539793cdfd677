"""Disputes: a subject contests a record; from that moment it stops counting.

The states and which of them stop a record counting are in core/disputes.py. Each step is
timestamped; each rescores the subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from sincerity.core.disputes import DISPUTE_CATEGORIES, DisputeState
from sincerity.core.errors import InvalidInputError, NotFoundError, RecordError
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.files import Row
from sincerity.services.ingest import store_batch, validate_rows
from sincerity.services.registry import Registry
from sincerity.services.reputation import note_graph_change
from sincerity.services.scores import rescore_subjects

ANSWER_DAYS = 30


@dataclass(frozen=True)
class Dispute:
    """A dispute with every step's time (UTC)."""

    id: int
    record_id: str
    subject_id: str
    reason: str
    state: str
    opened_at: datetime
    deadline: datetime
    resolved_at: datetime | None
    resolution: str | None
    category: str | None = None
    evidence_name: str | None = None


@dataclass(frozen=True)
class Evidence:
    """A file a subject attaches to a dispute (the source downloads it)."""

    name: str
    media_type: str
    content: bytes


MAX_EVIDENCE_BYTES = 5 * 1024 * 1024


def _dispute(row: dict[str, Any]) -> Dispute:
    return Dispute(**{name: row[name] for name in Dispute.__dataclass_fields__})


def open_dispute(
    registry: Registry,
    subject_id: str,
    record_id: str,
    reason: str,
    category: str | None = None,
    evidence: Evidence | None = None,
) -> int:
    """Contest one of the subject's records; the score is recomputed without it at once."""
    if not reason.strip():
        raise InvalidInputError("say why the record is wrong (the reason is sent to the source)")
    if category is not None and category not in DISPUTE_CATEGORIES:
        raise InvalidInputError(f"category must be one of {', '.join(DISPUTE_CATEGORIES)}")
    if evidence is not None and len(evidence.content) > MAX_EVIDENCE_BYTES:
        raise InvalidInputError(
            f"the evidence file is {len(evidence.content) // 1024} KiB; the most is "
            f"{MAX_EVIDENCE_BYTES // (1024 * 1024)} MiB"
        )
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
                "state": DisputeState.OPEN,
                "opened_at": now,
                "deadline": now + timedelta(days=ANSWER_DAYS),
                "category": category,
                **(
                    {}
                    if evidence is None
                    else {
                        "evidence_name": evidence.name[:200],
                        "evidence_type": evidence.media_type[:100],
                        "evidence": evidence.content,
                    }
                ),
            },
        )
        # From now on the record does not count.
        note_graph_change(conn, [row["kind"]], now, record_id=record_id)
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)
    return dispute_id


ANSWERS = ("confirm", "correct", "withdraw")


def drop_dispute(registry: Registry, subject_id: str, dispute_id: int) -> Dispute:
    """The subject takes back an open dispute: the record counts again at once."""
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.get_dispute(conn, dispute_id)
        if row is None or row["subject_id"] != subject_id:
            raise NotFoundError(f"subject {subject_id!r} has no dispute {dispute_id}")
        if row["state"] != DisputeState.OPEN:
            raise InvalidInputError(f"dispute {dispute_id} is already {row['state']}")
        repo.resolve(conn, [dispute_id], DisputeState.DROPPED, now, "taken back by the subject")
        _counts_again_or_is_replaced(conn, row["record_id"], now)
        rescore_subjects(conn, registry.policy, [subject_id], now.date(), now)
        return dispute_of(conn, dispute_id)


def evidence_for_source(registry: Registry, source_id: str, dispute_id: int) -> Evidence:
    """The file a subject attached to a dispute against one of this source's records."""
    with registry.engine.connect() as conn:
        row = repo.dispute_with_source(conn, dispute_id)
        if row is None or row["source_id"] != source_id:
            raise NotFoundError(f"no dispute {dispute_id} against your records")
        found = repo.dispute_evidence(conn, dispute_id)
    if found is None:
        raise NotFoundError(f"dispute {dispute_id} has no evidence file")
    return Evidence(*found)


def sweep_overdue(registry: Registry) -> int:
    """Suppress for good every open dispute whose source did not answer in time."""
    now = registry.now()
    # Most sweeps find nothing, so look before taking the write lock.
    with registry.engine.connect() as conn:
        if not repo.overdue(conn, now, limit=1):
            return 0
    with registry.transaction() as conn:
        late = repo.overdue(conn, now)
        if not late:
            return 0
        repo.resolve(
            conn,
            [dispute_id for dispute_id, _ in late],
            DisputeState.SUPPRESSED,
            now,
            "no answer from the source within 30 days: suppressed for good",
        )
        subjects = sorted({subject for _, subject in late})
        rescore_subjects(conn, registry.policy, subjects, now.date(), now)
    return len(late)


def answer_dispute(
    registry: Registry,
    source_id: str,
    dispute_id: int,
    action: str,
    evidence: str | None = None,
    corrected: dict[str, Any] | None = None,
) -> Dispute:
    """The source's answer: confirm (with evidence), correct (with a new record), or withdraw."""
    if action not in ANSWERS:
        raise InvalidInputError(f"action must be one of {', '.join(ANSWERS)}")
    sweep_overdue(registry)
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.dispute_with_source(conn, dispute_id)
        if row is None or row["source_id"] != source_id:
            raise NotFoundError(f"no dispute {dispute_id} against your records")
        if row["state"] != DisputeState.OPEN:
            raise InvalidInputError(f"dispute {dispute_id} is already {row['state']}")
        if action == "confirm":
            if not (evidence and evidence.strip()):
                raise InvalidInputError("confirming a record needs evidence")
            resolution = f"confirmed by the source with evidence: {evidence.strip()[:1000]}"
            state = DisputeState.CONFIRMED
        elif action == "withdraw":
            resolution = "withdrawn by the source: the record no longer counts"
            state = DisputeState.WITHDRAWN
        else:
            if corrected is None:
                raise InvalidInputError("a correction needs the corrected record")
            replacement = {
                **corrected,
                "supersedes": row["record_id"],
                "source": source_id,
                "subject": row["subject_id"],
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
            state = DisputeState.CORRECTED
        repo.resolve(conn, [dispute_id], state, now, resolution)
        _counts_again_or_is_replaced(conn, row["record_id"], now)
        rescore_subjects(conn, registry.policy, [row["subject_id"]], now.date(), now)
        return dispute_of(conn, dispute_id)


def _counts_again_or_is_replaced(conn: Connection, record_id: str, now: datetime) -> None:
    """A dispute closed in a way that changes what counts (dropped, confirmed, corrected): if
    the record is part of the rating graph, trust is stale."""
    record = repo.get_record_row(conn, record_id)
    note_graph_change(conn, [] if record is None else [record["kind"]], now, record_id=record_id)


def dispute_of(conn: Connection, dispute_id: int) -> Dispute:
    """One dispute, read inside the caller's transaction."""
    row = repo.get_dispute(conn, dispute_id)
    if row is None:
        raise NotFoundError(f"no dispute {dispute_id}")
    return _dispute(row)


def disputes_for_source(
    registry: Registry, source_id: str, state: str | None = None
) -> list[Dispute]:
    """Disputes against a source's records, oldest first (a read: the sweep is a job)."""
    with registry.engine.connect() as conn:
        return [_dispute(r) for r in repo.disputes_against_source(conn, source_id, state)]


def disputes_for_subject(registry: Registry, subject_id: str) -> list[Dispute]:
    """A subject's disputes with every step's time."""
    with registry.engine.connect() as conn:
        return [_dispute(r) for r in repo.disputes_of(conn, subject_id)]


def review_queue(registry: Registry, operator_id: str, older_than_days: int = 0) -> list[Dispute]:
    """The operator's queue, with each subject's read of it in their access log."""
    queue = open_disputes(registry, older_than_days)
    now = registry.now()
    with registry.transaction() as conn:
        for subject in sorted({d.subject_id for d in queue}):
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


def open_disputes(registry: Registry, older_than_days: int = 0) -> list[Dispute]:
    """The operator's queue: open disputes at least `older_than_days` old, oldest first."""
    cutoff = registry.now() - timedelta(days=older_than_days)
    with registry.engine.connect() as conn:
        return [_dispute(r) for r in repo.open_since(conn, cutoff)]


def uphold_dispute(registry: Registry, dispute_id: int, operator_id: str) -> Dispute:
    """The operator's review sides with the subject: the record is suppressed for good."""
    now = registry.now()
    with registry.transaction() as conn:
        found = dispute_of(conn, dispute_id)
        if found.state != DisputeState.OPEN:
            raise InvalidInputError(f"dispute {dispute_id} is already {found.state}")
        repo.resolve(
            conn,
            [dispute_id],
            DisputeState.SUPPRESSED,
            now,
            f"upheld on review by the operator ({operator_id}): suppressed for good",
        )
        rescore_subjects(conn, registry.policy, [found.subject_id], now.date(), now)
        return dispute_of(conn, dispute_id)
