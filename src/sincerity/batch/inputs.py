"""The engines' inputs as Parquet: flattened records, excluded ids, credibility, damping."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sincerity.db import repo

RECORD_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("subject", pa.string()),
        ("kind", pa.string()),
        ("occurred_on", pa.date32()),
        ("reported_on", pa.date32()),
        ("status", pa.string()),
        ("days_late", pa.int32()),
        ("rating", pa.int32()),
        ("rater", pa.string()),
        ("what", pa.string()),
        ("supersedes", pa.string()),
    ]
)
CHUNK = 200_000


def flatten(body: dict[str, Any]) -> dict[str, Any]:
    """One record's validated body as a row of the engines' record table."""
    return {
        "id": body["id"],
        "subject": body["subject"],
        "kind": body["kind"],
        "occurred_on": body["occurred_on"],
        "reported_on": body["reported_on"],
        "status": body.get("status"),
        "days_late": body.get("days_late", 0 if body["kind"] == "payment" else None),
        "rating": body.get("rating"),
        "rater": body.get("rater"),
        "what": body.get("what"),
        "supersedes": body.get("supersedes"),
    }


def write_records(
    rows: Iterable[dict[str, Any]], folder: Path, progress: Callable[[int], None] | None = None
) -> int:
    """Write flattened records as Parquet parts under folder/records/; returns how many."""
    from datetime import date

    target = folder / "records"
    target.mkdir(parents=True, exist_ok=True)
    batch: list[dict[str, Any]] = []
    written = part = 0

    def flush() -> None:
        nonlocal batch, part, written
        for row in batch:
            for key in ("occurred_on", "reported_on"):
                if isinstance(row[key], str):
                    row[key] = date.fromisoformat(row[key])
        pq.write_table(
            pa.Table.from_pylist(batch, schema=RECORD_SCHEMA), target / f"part-{part:05d}.parquet"
        )
        written += len(batch)
        if progress is not None:
            progress(len(batch))
        batch, part = [], part + 1

    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
    if batch or part == 0:
        flush()
    return written


def write_side_tables(
    folder: Path,
    excluded: Iterable[str],
    credibility: dict[str, float] | None,
    damping: dict[str, float],
) -> bool:
    """Excluded record ids, credibility and damping; returns whether trust was ever computed."""
    pq.write_table(
        pa.table({"record_id": pa.array(list(excluded), pa.string())}), folder / "excluded.parquet"
    )
    cred = credibility or {}
    pq.write_table(
        pa.table(
            {
                "node_id": pa.array(list(cred), pa.string()),
                "credibility": pa.array(list(cred.values()), pa.float64()),
            }
        ),
        folder / "credibility.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "record_id": pa.array(list(damping), pa.string()),
                "factor": pa.array(list(damping.values()), pa.float64()),
            }
        ),
        folder / "damping.parquet",
    )
    return credibility is not None


def export_registry(
    registry: Any, folder: Path, progress: Callable[[int], None] | None = None
) -> tuple[list[str], bool]:
    """The registry's records and side tables as Parquet; returns every subject id and whether
    rater trust was ever computed."""
    folder.mkdir(parents=True, exist_ok=True)
    with registry.engine.connect() as conn:
        subjects = repo.list_subject_ids(conn)
        bodies = repo.all_record_bodies(conn)
        write_records((flatten(json.loads(body)) for body in bodies), folder, progress)
        excluded = repo.not_counting_record_ids(conn)
        credibility = repo.all_credibilities(conn)
        damping = repo.all_damping(conn)
    trust_known = write_side_tables(folder, excluded, credibility, damping)
    return subjects, trust_known
