"""Ingest: validate a batch of records, check who may report what, and store it all or nothing.

A batch is one transaction. Every problem in it is reported at once (file, line, field), and
none of its records is kept unless all are good. Record ids make ingest idempotent: the same record
again is a no-op; the same id with different content is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from sincerity.core.errors import ConflictError, ConsentError, Problem, RecordError
from sincerity.core.policy import Policy
from sincerity.core.records import RECORD_ADAPTER, RECORD_KINDS, AnyRecord, Rating, canonical_form
from sincerity.core.refusals import refusals
from sincerity.db import repo
from sincerity.services.files import Row, read_rows
from sincerity.services.registry import Registry
from sincerity.services.reputation import note_graph_change
from sincerity.services.scores import rescore_subjects

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class Validated:
    """A record that passed validation, with its canonical body and where it came from."""

    line: int
    record: AnyRecord
    body: str
    content_hash: str


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What a batch did."""

    received: int
    inserted: int
    unchanged: int
    subjects_rescored: int
    batch_id: int | None


def _field_of(loc: tuple[Any, ...]) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in RECORD_KINDS:
        parts = parts[1:]
    return ".".join(parts) or None


def validate_row(data: dict[str, Any], line: int, where: str) -> Validated | list[Problem]:
    """One row as a validated record, or the problems that stop it."""
    refused = refusals(data.keys())
    if refused:
        return [Problem(r.reason, where, line, r.field) for r in refused]
    try:
        record = RECORD_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown field (not part of the record schema)"
            elif error["type"] == "union_tag_invalid":
                message = f"kind must be one of {', '.join(RECORD_KINDS)}"
            elif error["type"] == "union_tag_not_found":
                message = f"missing 'kind' (one of {', '.join(RECORD_KINDS)})"
            elif error["type"].startswith("date_"):
                message += " (expected a date as YYYY-MM-DD)"
            problems.append(Problem(message, where, line, _field_of(error["loc"])))
        return problems
    return Validated(line, record, *canonical_form(record))


def validate_rows(
    rows: Iterable[Row | Problem], where: str, progress: Progress | None = None
) -> tuple[list[Validated], list[Problem]]:
    """Validate every row, collecting every problem; duplicates in one batch are checked too."""
    good: list[Validated] = []
    problems: list[Problem] = []
    first_seen: dict[str, Validated] = {}
    pending = 0
    for row in rows:
        pending += 1
        if progress is not None and pending == 1000:
            progress(pending)
            pending = 0
        if isinstance(row, Problem):
            problems.append(row)
            continue
        result = validate_row(row.data, row.line, where)
        if isinstance(result, list):
            problems.extend(result)
            continue
        earlier = first_seen.get(result.record.id)
        if earlier is None:
            first_seen[result.record.id] = result
            good.append(result)
        elif earlier.content_hash != result.content_hash:
            problems.append(
                Problem(
                    f"record id {result.record.id!r} also appears on line {earlier.line} "
                    "with different content",
                    where,
                    row.line,
                    "id",
                )
            )
    if progress is not None and pending:
        progress(pending)
    return good, problems


def _check_parties(conn: Any, batch: Sequence[Validated], where: str, now: Any) -> list[Problem]:
    """Who may report what: a registered source, of its kinds, about a consenting subject."""
    kinds_by_source = repo.source_kinds(conn)
    subjects = {v.record.subject for v in batch}
    known_subjects = repo.existing_subjects(conn, subjects)
    consented = repo.consented_pairs(conn, known_subjects, "source", now)
    problems = []
    for item in batch:
        rec = item.record
        kinds = kinds_by_source.get(rec.source)
        if kinds is None:
            problems.append(
                Problem(f"source {rec.source!r} is not registered", where, item.line, "source")
            )
        elif rec.kind not in kinds:
            problems.append(
                Problem(
                    f"source {rec.source!r} is not registered to report {rec.kind} records "
                    f"(it may report: {', '.join(sorted(kinds))})",
                    where,
                    item.line,
                    "kind",
                )
            )
        elif rec.subject not in known_subjects:
            problems.append(
                Problem(f"subject {rec.subject!r} is not registered", where, item.line, "subject")
            )
        elif (rec.subject, rec.source) not in consented:
            problems.append(
                Problem(
                    f"subject {rec.subject!r} has not consented to reports from {rec.source!r}",
                    where,
                    item.line,
                    "subject",
                )
            )
    return problems


def _check_dates(batch: Sequence[Validated], where: str, today: date) -> list[Problem]:
    """A record reports what already happened: nothing dated after today."""
    problems = []
    for item in batch:
        for name in ("occurred_on", "reported_on"):
            day: date = getattr(item.record, name)
            if day > today:
                problems.append(
                    Problem(
                        f"{day.isoformat()} is in the future (today is {today.isoformat()}): "
                        "a record reports what already happened",
                        where,
                        item.line,
                        name,
                    )
                )
    return problems


def _check_supersedes(conn: Any, batch: Sequence[Validated], where: str) -> list[Problem]:
    """`supersedes` names an existing record of the same source, subject and kind: a source
    can replace only what it reported itself, so no source can silence another's record."""
    wanted = sorted({v.record.supersedes for v in batch if v.record.supersedes})
    if not wanted:
        return []
    targets = repo.record_owners(conn, wanted)
    for item in batch:  # a record earlier in the same batch may be superseded too
        rec = item.record
        targets.setdefault(rec.id, (rec.source, rec.subject, rec.kind))
    problems = []
    for item in batch:
        rec = item.record
        if rec.supersedes is None:
            continue
        target = targets.get(rec.supersedes)
        if target is None or target[0] != rec.source:
            # The same answer whether the record does not exist or is another source's.
            problems.append(
                Problem(
                    f"supersedes {rec.supersedes!r}: source {rec.source!r} reported no such record",
                    where,
                    item.line,
                    "supersedes",
                )
            )
        elif target[1:] != (rec.subject, rec.kind):
            problems.append(
                Problem(
                    f"supersedes {rec.supersedes!r}: that record is a {target[2]} about "
                    f"{target[1]!r}; a record may only replace one of the same subject and kind",
                    where,
                    item.line,
                    "supersedes",
                )
            )
    return problems


LARGE_LOAD = 10_000  # records stored at once after which PostgreSQL's statistics are refreshed


def stored_row(item: Validated, batch_id: int, now: datetime) -> dict[str, Any]:
    """A validated record as a row of the records table."""
    record = item.record
    return {
        "id": record.id,
        "source_id": record.source,
        "subject_id": record.subject,
        "kind": record.kind,
        "occurred_on": record.occurred_on,
        "reported_on": record.reported_on,
        "body": item.body,
        "content_hash": item.content_hash,
        "batch_id": batch_id,
        "ingested_at": now,
        "supersedes": record.supersedes,
        "rater": record.rater if isinstance(record, Rating) else None,
        "rating": float(record.rating) if isinstance(record, Rating) else None,
    }


def batch_problems(
    conn: Connection, batch: Sequence[Validated], where: str, now: datetime
) -> list[Problem]:
    """What refuses valid records in this registry: dates after today, a source or subject that
    is not registered or has no consent, and `supersedes` rules. Reads only."""
    problems = [*_check_dates(batch, where, now.date()), *_check_parties(conn, batch, where, now)]
    return problems + _check_supersedes(conn, batch, where)


def store_batch(
    conn: Connection,
    policy: Policy,
    batch: Sequence[Validated],
    name: str,
    where: str,
    now: datetime,
    rescore: bool = True,
) -> IngestResult:
    """Check and store a validated batch inside the caller's transaction, or raise having
    stored nothing. Every way a record enters the registry (a file, the API, a source's
    correction of a disputed record) goes through here, so all get the same checks."""
    problems = batch_problems(conn, batch, where, now)
    if problems:
        raise ConsentError(
            f"{where}: {len(problems)} records refused; nothing was stored", problems
        )
    stored = repo.existing_hashes(conn, [v.record.id for v in batch])
    conflicts = [
        Problem(
            f"record id {v.record.id!r} is already stored with different content "
            "(send a new record that supersedes it instead)",
            where,
            v.line,
            "id",
        )
        for v in batch
        if v.record.id in stored and stored[v.record.id] != v.content_hash
    ]
    if conflicts:
        raise ConflictError(
            f"{where}: {len(conflicts)} conflicting records; nothing was stored", conflicts
        )
    new = [v for v in batch if v.record.id not in stored]
    batch_id = repo.insert_batch(conn, name, len(batch), len(new), now)
    repo.insert_records(conn, [stored_row(v, batch_id, now) for v in new])
    touched = sorted({v.record.subject for v in new})
    # The trust job, off this path, reads this batch's records by its id.
    note_graph_change(conn, {v.record.kind for v in new}, now, batch_id)
    if rescore and touched:
        rescore_subjects(conn, policy, touched, now.date(), now)
    return IngestResult(
        len(batch), len(new), len(batch) - len(new), len(touched) if rescore else 0, batch_id
    )


def ingest_validated(
    registry: Registry, batch: Sequence[Validated], name: str, where: str, rescore: bool = True
) -> IngestResult:
    """Store a validated batch in one transaction, or raise and store nothing."""
    now = registry.now()
    return registry.run_in_transaction(
        lambda conn: store_batch(conn, registry.policy, batch, name, where, now, rescore)
    )


def ingest_rows(
    registry: Registry, rows: Iterable[dict[str, Any]], name: str = "batch", rescore: bool = True
) -> IngestResult:
    """Ingest records given as plain dicts (the API, the demo); numbered from 1 in errors."""
    good, problems = validate_rows((Row(i, dict(r)) for i, r in enumerate(rows, 1)), name)
    if problems:
        raise RecordError(f"{name}: {len(problems)} invalid records; nothing was stored", problems)
    return ingest_validated(registry, good, name, name, rescore)


def not_own_record(data: dict[str, Any], source_id: str) -> str | None:
    """Why a record may not come from this source (it names another), or None: a source
    submits only its own records, whichever way they arrive."""
    claimed = data.get("source", source_id)
    if claimed != source_id:
        return f"a source may only submit its own records (got source {claimed!r})"
    return None


def _as_source(
    rows: Iterable[Row | Problem], source_id: str, where: str
) -> Iterator[Row | Problem]:
    for row in rows:
        if isinstance(row, Row):
            wrong = not_own_record(row.data, source_id)
            if wrong:
                yield Problem(wrong, where, row.line, "source")
                continue
            row = Row(row.line, {**row.data, "source": source_id})
        yield row


def ingest_file(
    registry: Registry,
    path: Path,
    progress: Progress | None = None,
    rescore: bool = True,
    source_id: str | None = None,
    where: str | None = None,
) -> IngestResult:
    """Ingest one CSV, JSON Lines or Parquet file, all or nothing. With `source_id` (a source's
    own upload) every record must be that source's; `where` names the file in problems."""
    where = where or str(path)
    rows = read_rows(path)
    if source_id is not None:
        rows = _as_source(rows, source_id, where)
    good, problems = validate_rows(rows, where, progress)
    if problems:
        # Report the checks of the valid rows too, so one pass shows every problem of the file.
        with registry.engine.connect() as conn:
            problems += batch_problems(conn, good, where, registry.now())
        problems.sort(key=lambda p: p.line or 0)
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        raise RecordError(f"{where}: {count}; nothing was stored", problems)
    result = ingest_validated(registry, good, Path(where).name, where, rescore)
    if result.inserted >= LARGE_LOAD:
        repo.refresh_planner_statistics(registry.engine)
    return result
