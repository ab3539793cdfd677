"""A subject's whole file, as the subject would read it: records, disputes, consents, score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sincerity.core.errors import NotFoundError
from sincerity.core.scoring import Score
from sincerity.db import repo
from sincerity.services.registry import Registry
from sincerity.services.scores import score_subject


@dataclass(frozen=True)
class SubjectReport:
    """Everything the registry holds about one subject, and the explained score."""

    subject: dict[str, Any]
    score: Score
    records: list[dict[str, Any]]
    disputes: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    history: list[dict[str, Any]]


def subject_report(registry: Registry, subject_id: str, as_of: date | None = None) -> SubjectReport:
    """Build a subject's report as of a date (default: today)."""
    as_of = as_of or registry.today()
    with registry.engine.connect() as conn:
        subject = repo.get_subject(conn, subject_id)
        if subject is None:
            raise NotFoundError(f"no subject {subject_id!r} in this registry")
        current = score_subject(conn, registry.policy, subject_id, as_of)
        return SubjectReport(
            subject=subject,
            score=current,
            records=repo.record_rows_of(conn, subject_id),
            disputes=repo.disputes_of(conn, subject_id),
            consents=repo.consents_of(conn, subject_id),
            history=repo.score_history(conn, subject_id),
        )
