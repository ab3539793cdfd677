"""What a subject's own pages and API read about them, as typed values (no rows, no SQL here
for the shells to see): the profile, the score history, consents, records and the access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.registry import Registry
from sincerity.services.subject_file import RecordView, record_views


@dataclass(frozen=True)
class SubjectProfile:
    """Who the subject is in this registry."""

    id: str
    display_name: str | None
    created_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    """What the score was on one date, under which policy."""

    as_of: date
    policy_version: str
    status: str
    value: float | None
    tier: str | None


@dataclass(frozen=True)
class Consent:
    """A consent the subject gave, in force or not."""

    id: int
    grantee_kind: str
    grantee_id: str
    purpose: str
    granted_at: datetime
    expires_on: date | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class AccessEntry:
    """One read of the subject's data by someone else."""

    seq: int | None  # None: not yet in the tree (the sequencer runs every second)
    at: datetime
    actor_kind: str
    actor_id: str
    what: str
    purpose: str


def profile(registry: Registry, subject_id: str) -> SubjectProfile | None:
    """The subject's profile, or None once the file is erased."""
    with registry.engine.connect() as conn:
        row = repo.get_subject(conn, subject_id)
    return None if row is None else SubjectProfile(**row)


def score_history(registry: Registry, subject_id: str) -> list[HistoryEntry]:
    """Every stored score of the subject, oldest first."""
    with registry.engine.connect() as conn:
        rows = repo.score_history(conn, subject_id)
    return [
        HistoryEntry(r["as_of"], r["policy_version"], r["status"], r["value"], r["tier"])
        for r in rows
    ]


def consents(registry: Registry, subject_id: str) -> list[Consent]:
    """Every consent the subject gave, in force or not, oldest first."""
    with registry.engine.connect() as conn:
        rows = repo.consents_of(conn, subject_id)
    return [Consent(**{k: r[k] for k in Consent.__dataclass_fields__}) for r in rows]


def access_entries(
    registry: Registry, subject_id: str, limit: int = 200, after: int = 0
) -> list[AccessEntry]:
    """Who read the subject's data, oldest first."""
    access_log.sequence_log(registry)
    with registry.engine.connect() as conn:
        return [AccessEntry(**e) for e in access_log.entries_for(conn, subject_id, limit, after)]


def records(registry: Registry, subject_id: str) -> list[RecordView]:
    """The subject's records, newest first, each with whether it counts and why not."""
    with registry.engine.connect() as conn:
        return record_views(conn, repo.record_rows_of(conn, subject_id))


@dataclass(frozen=True)
class RecordsByGroup:
    """A dashboard's worth of a subject's records: the newest of each source and kind, how
    many each group holds, and how many of each kind arrived lately."""

    newest: list[RecordView]
    totals: dict[tuple[str, str], int]
    recent_kinds: dict[str, int]


def records_by_group(
    registry: Registry, subject_id: str, per_group: int, recent_since: date
) -> RecordsByGroup:
    """The newest `per_group` records of each (source, kind), newest first, with the totals."""
    with registry.engine.connect() as conn:
        rows, totals = repo.newest_rows_by_group(conn, subject_id, per_group)
        recent = repo.kinds_reported_since(conn, subject_id, recent_since)
        return RecordsByGroup(record_views(conn, rows), totals, recent)


def party_names(registry: Registry) -> dict[str, str]:
    """The registered names of sources and relying parties, by id (what a person reads)."""
    with registry.engine.connect() as conn:
        parties = repo.list_sources(conn) + repo.list_relying_parties(conn)
    return {str(p["id"]): str(p["name"]) for p in parties}


def relying_parties(registry: Registry) -> list[tuple[str, str]]:
    """(id, name) of every relying party, by name: whom a subject may consent to."""
    with registry.engine.connect() as conn:
        rows = repo.list_relying_parties(conn)
    return sorted(((str(r["id"]), str(r["name"])) for r in rows), key=lambda p: p[1].lower())
