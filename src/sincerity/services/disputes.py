"""Disputes: a subject contests a record; from that moment it stops counting.

The source's answers (confirm with evidence, correct, withdraw) and the 30-day suppression come
with the registry service; opening a dispute is here because the scorer must honour it at once.
"""

from __future__ import annotations

from datetime import timedelta

from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.db import repo
from sincerity.services.registry import Registry
from sincerity.services.scores import rescore_subjects

ANSWER_DAYS = 30


def open_dispute(registry: Registry, subject_id: str, record_id: str, reason: str) -> int:
    """Contest one of the subject's records; the score is recomputed without it at once."""
    if not reason.strip():
        raise InvalidInputError("say why the record is wrong (the reason is sent to the source)")
    now = registry.now()
    with registry.engine.begin() as conn:
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
