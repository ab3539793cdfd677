"""Rescore the whole registry with a batch engine (DuckDB or Spark) and load the results back.

The registry's records are exported as Parquet, scored by the policy compiled to SQL, and the
scores saved as the day's history entries in one transaction: an interrupted run leaves the
previous scores in force. A later read of a subject's explained score recomputes the explanation
(the engines store points, tiers and reason factors, not prose).
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from sincerity.batch import BatchScores, collect, run_duckdb, run_spark
from sincerity.batch.inputs import export_registry
from sincerity.core.policy import FACTOR_NAMES, Policy
from sincerity.db import repo
from sincerity.services.registry import Registry
from sincerity.services.reputation import refresh_trust
from sincerity.services.scores import after_batch_rescore

Engine = Literal["duckdb", "spark"]
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class BatchRun:
    engine: str
    subjects: int
    records: int
    seconds: dict[str, float]


def score_rows(
    scores: BatchScores, policy: Policy, as_of: date, engine: str, now: object
) -> list[dict[str, object]]:
    rows = []
    for i, subject in enumerate(scores.subjects):
        value = scores.values[i]
        thin = math.isnan(value)
        explanation = {
            "batch": True,
            "engine": engine,
            "status": "thin_file" if thin else "scored",
            "value": None if thin else float(value),
            "tier": scores.tiers[i],
            "factors": {name: float(scores.points[i, k]) for k, name in enumerate(FACTOR_NAMES)},
            "reason_factors": list(scores.reasons[i]),
            "policy_version": policy.version,
            "as_of": as_of.isoformat(),
        }
        rows.append(
            {
                "subject_id": subject,
                "as_of": as_of,
                "policy_version": policy.version,
                "status": explanation["status"],
                "value": explanation["value"],
                "tier": scores.tiers[i],
                "explanation": json.dumps(explanation),
                "computed_at": now,
            }
        )
    return rows


def rescore_with_engine(
    registry: Registry,
    engine: Engine,
    as_of: date | None = None,
    master: str = "local[*]",
    progress: Progress | None = None,
) -> BatchRun:
    """Refresh trust, export, score with the engine, and save every subject's score at once."""
    as_of = as_of or registry.today()
    now = registry.now()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with registry.transaction() as conn:
        refresh_trust(conn, registry.policy, as_of, now)
    with tempfile.TemporaryDirectory(prefix="sincerity-batch-") as folder:
        path = Path(folder)
        subjects, trust_known = export_registry(
            registry, path, None if progress is None else (lambda n: progress("export", n))
        )
        timings["export"] = time.perf_counter() - started
        started = time.perf_counter()
        if engine == "duckdb":
            table = run_duckdb(path, registry.policy, as_of, trust_known)
        else:
            table = run_spark(path, registry.policy, as_of, trust_known, master)
        timings["score"] = time.perf_counter() - started
    started = time.perf_counter()
    scores = collect(table, registry.policy, subjects)
    with registry.transaction() as conn:
        rows = score_rows(scores, registry.policy, as_of, engine, now)
        repo.replace_day_scores(conn, as_of, registry.policy.version, rows)
        after_batch_rescore(conn, registry.policy, list(subjects), as_of, now)
        if progress is not None:
            progress("save", len(rows))
    timings["save"] = time.perf_counter() - started
    return BatchRun(
        engine,
        len(subjects),
        int(table.column("n_active").to_numpy().sum()) if table.num_rows else 0,
        timings,
    )


def month_ends(today: date, months: int) -> list[date]:
    """The last day of each of the `months` months before `today`'s, oldest first."""
    ends = []
    end = today.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(end)
        end = end.replace(day=1) - timedelta(days=1)
    return ends[::-1]


def backfill_history(
    registry: Registry, months: int = 24, progress: Callable[[int], None] | None = None
) -> int:
    """Give every subject a score at the end of each of the last `months` months, from the
    records held now (as if they had been known then), with the DuckDB engine: a new registry's
    history charts get a line, not a dot. Stored as history entries beside today's, never
    replacing one already there. Returns the entries written."""
    today = registry.today()
    now = registry.now()
    written = 0
    with tempfile.TemporaryDirectory(prefix="sincerity-backfill-") as folder:
        path = Path(folder)
        subjects, trust_known = export_registry(registry, path)
        for as_of in month_ends(today, months):
            scores = collect(
                run_duckdb(path, registry.policy, as_of, trust_known), registry.policy, subjects
            )
            rows = [
                row
                for row in score_rows(scores, registry.policy, as_of, "duckdb", now)
                if row["status"] == "scored"  # before their history began, nothing to show
            ]
            with registry.transaction() as conn:
                repo.insert_missing_scores(conn, rows)
            written += len(rows)
            if progress is not None:
                progress(1)
    return written
