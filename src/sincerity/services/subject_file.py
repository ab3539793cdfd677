"""A subject's own file: records with their state, export (GDPR Art. 20) and erasure (Art. 17)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from sincerity.core.disputes import stops_counting
from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.attest_status import revoke_all_attestations
from sincerity.services.keys import revoke_all
from sincerity.services.registry import Registry
from sincerity.services.reputation import note_graph_change
from sincerity.services.scores import score_subject

MAX_PAGE = 200


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode()


def decode_cursor(cursor: str | None) -> str:
    if not cursor:
        return ""
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError("cursor is not one this API returned") from None


@dataclass(frozen=True)
class RecordView:
    """A stored record as its source and subject see it, with whether it counts and why not."""

    id: str
    source: str
    subject: str
    kind: str
    occurred_on: date
    reported_on: date
    ingested_at: datetime | None
    record: dict[str, Any]
    dispute_state: str | None
    superseded: bool
    counts: bool


def record_page(
    registry: Registry,
    *,
    subject_id: str | None = None,
    source_id: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    only_id: str | None = None,
) -> tuple[list[RecordView], str | None]:
    """A page of records (of a subject or of a source) in id order, with each one's state."""
    limit = max(1, min(limit, MAX_PAGE))
    after = decode_cursor(cursor)
    with registry.engine.connect() as conn:
        rows = repo.record_page_rows(conn, after, limit + 1, subject_id, source_id, only_id)
        more = len(rows) > limit
        rows = rows[:limit]
        page = record_views(conn, rows)
    return page, (encode_cursor(rows[-1]["id"]) if more and rows else None)


def record_views(conn: Connection, rows: list[dict[str, Any]]) -> list[RecordView]:
    """Stored record rows as their source and subject see them: whether each counts, and why
    not (its dispute state, or a later record of its source that replaces it)."""
    ids = [row["id"] for row in rows]
    states = repo.latest_dispute_states(conn, ids)
    replaced = repo.superseded_among(conn, ids) if ids else set()
    views = []
    for row in rows:
        state = states.get(row["id"])
        views.append(
            RecordView(
                id=row["id"],
                source=row["source_id"],
                subject=row["subject_id"],
                kind=row["kind"],
                occurred_on=row["occurred_on"],
                reported_on=row["reported_on"],
                ingested_at=row["ingested_at"],
                record=json.loads(row["body"]),
                dispute_state=state,
                superseded=row["id"] in replaced,
                counts=not stops_counting(state) and row["id"] not in replaced,
            )
        )
    return views


def log_source_reads(registry: Registry, source_id: str, subject_ids: set[str], what: str) -> None:
    """A source reading the state of records about subjects is a read of their data: log it."""
    if not subject_ids:
        return
    now = registry.now()
    with registry.transaction() as conn:
        for subject in sorted(subject_ids):
            access_log.append(conn, subject, "source", source_id, what, "managing its reports", now)


def export_file(registry: Registry, subject_id: str) -> dict[str, Any]:
    """Everything held about the subject, as JSON-able data (portability)."""
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        subject = repo.get_subject(conn, subject_id)
        if subject is None:
            raise NotFoundError(f"no subject {subject_id!r}")
        records = repo.record_rows_of(conn, subject_id)
        result = score_subject(conn, registry.policy, subject_id, registry.today())
        data = {
            "subject": subject,
            "records": [{**row, "body": json.loads(row["body"])} for row in records],
            "disputes": repo.disputes_of(conn, subject_id),
            "consents": repo.consents_of(conn, subject_id),
            "score": result.to_dict(),
            "score_history": repo.score_history(conn, subject_id),
            "access_log": access_log.entries_for(conn, subject_id, limit=1_000_000),
            "exported_at": registry.now(),
            "policy_version": registry.policy.version,
        }
    exported: dict[str, Any] = json.loads(json.dumps(data, default=_json_default))
    return exported


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def erase(registry: Registry, subject_id: str) -> int:
    """Delete the subject's file (GDPR Art. 17). Kept: the fact of the erasure, which retires
    the id, and the access log's evidence of who read what, when, under which consent — with its
    free text dropped. Every outstanding proof is revoked. Returns the records deleted."""
    now = registry.now()
    with registry.transaction() as conn:
        if repo.get_subject(conn, subject_id) is None:
            raise NotFoundError(f"no subject {subject_id!r}")
        revoke_all_attestations(conn, subject_id, now)
        note_graph_change(conn, repo.record_kinds_of(conn, subject_id), now)
        deleted = repo.delete_subject_file(conn, subject_id)
        revoke_all(conn, "subject", subject_id, now)
        access_log.redact_subject(conn, subject_id)
        repo.record_erasure(conn, subject_id, now, deleted)
        access_log.append(
            conn,
            subject_id,
            "subject",
            subject_id,
            f"erasure of the file ({deleted} records)",
            "right to erasure",
            now,
        )
    repo.truncate_sqlite_wal(registry.engine)  # erased text must not linger in the WAL file
    return deleted
