"""The cost of ingesting a batch of 5 ratings as the registry grows, and of the trust job.

Registries are built to size (10k, 100k, 1M ratings held by default) with the product's own
validation and storage. For each size it measures, median of `--repeats` batches:

- ingest of a batch of 5 ratings (validate, check, store, rescore its subjects) — the path a
  source's client waits on. Target: flat in registry size, ≤ 2× from the smallest registry
  (the baseline) to the largest.
- the old in-line path, as a control: the same batch plus the full graph step that ingest used to
  run inside its write transaction (rolled back, so every repeat sees the same registry).
- the trust job after those batches (grow the graph it holds in memory by their ratings,
  warm-started power iteration, write the difference, rescore the subjects it moved), which now
  carries that cost off the path; and its computation alone, grown from memory and read afresh
  from the database, against a bare scipy build and power iteration of the same graph. Target:
  the trust computation ≤ 1.5× the bare iteration.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import text

from bench_trust import bare_power_iteration
from common import report
from sincerity.core.reputation import rating_graph
from sincerity.db import repo
from sincerity.services import Registry, ingest_rows
from sincerity.services.disputes import open_dispute
from sincerity.services.files import Row
from sincerity.services.ingest import store_batch, stored_row, validate_rows
from sincerity.services.reputation import compute_trust, grow_trust, refresh_trust
from sincerity.services.trust_job import trust_job

TODAY = date(2026, 6, 1)
CHUNK = 50_000


def rating_row(record_id: str, rater: str, subject: str, value: int, day: date) -> dict:
    return {
        "id": record_id,
        "source": "market",
        "subject": subject,
        "kind": "rating",
        "rater": rater,
        "transaction": f"t-{record_id}",
        "rating": value,
        "occurred_on": day.isoformat(),
        "reported_on": day.isoformat(),
    }


def build(url: str, ratings: int, seed: int = 7) -> tuple[Registry, int]:
    """A registry holding `ratings` ratings among ratings/10 subjects (1% identity-verified),
    stored through the product's validation, with global trust computed once."""
    registry = Registry.create(url)
    subjects = max(1_000, ratings // 10)
    now = datetime.now(UTC)
    names = [f"p{i:07d}" for i in range(subjects)]
    with registry.transaction() as conn:
        repo.insert_source(conn, "market", "Market", ["rating", "verification"], now)
        repo.insert_subjects(
            conn, [{"id": n, "display_name": None, "created_at": now} for n in names]
        )
        repo.insert_consents(
            conn,
            [
                {
                    "subject_id": n,
                    "grantee_kind": "source",
                    "grantee_id": "market",
                    "purpose": "reporting",
                    "granted_at": now,
                    "expires_on": None,
                }
                for n in names
            ],
        )
    rng = np.random.default_rng(seed)
    raters = rng.integers(0, subjects, ratings)
    targets = (raters + 1 + rng.integers(0, subjects - 1, ratings)) % subjects
    values = np.where(rng.random(ratings) < 0.9, 10, -10)
    ages = rng.integers(1, 3 * 365, ratings)
    verified = [
        {
            "id": f"id-{names[i]}",
            "source": "market",
            "subject": names[i],
            "kind": "verification",
            "what": "identity",
            "occurred_on": "2025-01-01",
            "reported_on": "2025-01-01",
        }
        for i in range(0, subjects, 100)
    ]
    for start in range(0, ratings + len(verified), CHUNK):
        rows = [
            rating_row(
                f"r{i}",
                names[raters[i]],
                names[targets[i]],
                int(values[i]),
                TODAY - timedelta(days=int(ages[i])),
            )
            for i in range(start, min(start + CHUNK, ratings))
        ]
        if start == 0:
            rows += verified
        validated, problems = validate_rows((Row(i, r) for i, r in enumerate(rows, 1)), "build")
        assert not problems, problems[:3]
        with registry.transaction() as conn:
            batch = repo.insert_batch(conn, "build", len(rows), len(rows), now)
            repo.insert_records(conn, [stored_row(v, batch, now) for v in validated])
    if registry.engine.dialect.name == "postgresql":
        with registry.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    trust_job(registry, force=True)
    return registry, subjects


def a_batch(n: int, subjects: int, rng: np.random.Generator, tag: str) -> list[dict]:
    rows = []
    for k in range(5):
        rater, target = rng.choice(subjects, 2, replace=False)
        rows.append(rating_row(f"new-{tag}-{n}-{k}", f"p{rater:07d}", f"p{target:07d}", 10, TODAY))
    return rows


class GrownRuns(logging.Handler):
    """Hears whether each trust job grew the graph held in memory or read it afresh."""

    def __init__(self) -> None:
        super().__init__()
        self.grown: list[bool] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "global trust recomputed by the trust job":
            self.grown.append(bool(record.__dict__.get("grown")))


def held_mib(registry: Registry) -> float:
    """What the graph the trust job keeps in memory takes: its arrays, ids and node names."""
    memory = registry.trust_memory
    assert memory is not None
    held = memory.computed
    graph = held.graph
    arrays = [graph.raters, graph.targets, graph.signs, graph.days, graph.source_index]
    arrays += [held.retaliation, held.trust, held.credibility]
    arrays += [memory.stored_credibility]
    size = sum(a.nbytes for a in arrays) + held.edge_ids.nbytes + held.nodes.nbytes
    size += sys.getsizeof(graph.nodes) + sum(sys.getsizeof(n) for n in graph.nodes)
    return size / 2**20


def grown_after_disputes(registry: Registry, disputes: int = 3) -> float:
    """Seconds of the computation grown from memory when, besides the batches, a few ratings
    stopped counting (disputed by their subjects): they leave the held graph."""
    with registry.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, subject_id FROM records WHERE id IN ('r0', 'r1', 'r2', 'r3', 'r4')")
        ).all()
    for record_id, subject in rows[:disputes]:
        open_dispute(registry, subject, record_id, "no such trade")
    with registry.engine.connect() as conn:
        pending = repo.pending_trust_changes(conn)
        assert registry.trust_memory is not None and len(pending.records) == disputes
        started = time.perf_counter()
        assert grow_trust(conn, registry.trust_memory, pending) is not None
        return time.perf_counter() - started


def trust_against_bare_scipy(registry: Registry) -> tuple[float, float, float]:
    """Seconds of the trust job's computation after new batches: grown from the graph it holds
    (read the batches, merge, warm-started iteration, retaliation on the touched pairs), and
    read afresh from the registry; and of the baseline: a bare scipy transition matrix built
    from the same graph's integer arrays and iterated cold to the same tolerance."""
    today = registry.now().date()
    with registry.engine.connect() as conn:
        pending = repo.pending_trust_changes(conn)
        memory = registry.trust_memory
        assert memory is not None and pending.batches and not pending.other
        started = time.perf_counter()
        assert grow_trust(conn, memory, pending) is not None
        grow_s = time.perf_counter() - started
        started = time.perf_counter()
        compute_trust(conn, registry.policy, today)
        compute_s = time.perf_counter() - started
        edges = repo.rating_edges(conn, today)
    epoch = date(1970, 1, 1)
    graph = rating_graph(
        edges.raters.to_pylist(),
        edges.subjects.to_pylist(),
        edges.ratings,
        edges.days.astype(float),
        float((today - epoch).days),
    )
    started = time.perf_counter()
    bare_power_iteration(graph)
    return grow_s, compute_s, time.perf_counter() - started


def measure(url: str, label: str, ratings: int, repeats: int) -> dict:
    started = time.perf_counter()
    registry, subjects = build(url, ratings)
    build_s = time.perf_counter() - started
    rng = np.random.default_rng(ratings)
    ingest_s = []
    for n in range(repeats):
        batch = a_batch(n, subjects, rng, "ingest")
        began = time.perf_counter()
        ingest_rows(registry, batch, name="bench")
        ingest_s.append(time.perf_counter() - began)
    heard = GrownRuns()
    logging.getLogger("sincerity.trust").addHandler(heard)
    logging.getLogger("sincerity.trust").setLevel(logging.INFO)
    job_began = time.perf_counter()
    rescored = trust_job(registry)  # the build's job left the graph in memory: it grows it
    job_s = time.perf_counter() - job_began
    logging.getLogger("sincerity.trust").removeHandler(heard)
    assert heard.grown == [True], heard.grown
    for n in range(repeats):
        ingest_rows(registry, a_batch(n, subjects, rng, "grow"), name="bench")
    grow_s, compute_s, bare_s = trust_against_bare_scipy(registry)
    disputed_s = grown_after_disputes(registry)
    memory_mib = held_mib(registry)

    inline_s = []
    for n in range(max(1, repeats // 3)):
        batch = a_batch(n, subjects, rng, "inline")
        conn = registry.engine.connect()
        began = time.perf_counter()
        transaction = conn.begin()
        try:
            validated, _ = validate_rows((Row(i, r) for i, r in enumerate(batch, 1)), "bench")
            now = registry.now()
            store_batch(conn, registry.policy, validated, "bench", "bench", now)
            refresh_trust(conn, registry.policy, now.date(), now)
            inline_s.append(time.perf_counter() - began)
        finally:
            transaction.rollback()
            conn.close()
    registry.close()
    return {
        "database": label,
        "ratings_held": ratings,
        "subjects": subjects,
        "build_s": build_s,
        "ingest_p50_s": statistics.median(ingest_s),
        "ingest_max_s": max(ingest_s),
        "old_inline_trust_s": statistics.median(inline_s),
        "trust_job_s": job_s,
        "job_rescored": rescored,
        "trust_grown_s": grow_s,
        "trust_afresh_s": compute_s,
        "bare_scipy_s": bare_s,
        "grown_vs_bare": grow_s / bare_s,
        "grown_with_3_disputes_s": disputed_s,
        "disputed_vs_bare": disputed_s / bare_s,
        "graph_held_MiB": memory_mib,
        "afresh_vs_bare": compute_s / bare_s,
    }


def curve(url_for, label: str, sizes: list[int], repeats: int) -> list[dict]:
    rows = [measure(url_for(size), label, size, repeats) for size in sizes]
    base = rows[0]["ingest_p50_s"]
    for row in rows:
        row["ingest_vs_smallest"] = row["ingest_p50_s"] / base
        row["old_inline_vs_new"] = row["old_inline_trust_s"] / row["ingest_p50_s"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pg-sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += curve(lambda n: f"sqlite:///{folder}/r{n}.db", "SQLite", args.sizes, args.repeats)
    pg = os.environ.get("SINCERITY_TEST_DATABASE_URL")
    if pg:
        from sqlalchemy import create_engine

        from sincerity.db.engine import normalise_url

        admin = create_engine(normalise_url(pg))
        sep = "&" if "?" in pg else "?"

        def pg_url(n: int) -> str:
            schema = f"bench_ratings_{n}"
            with admin.begin() as conn:
                conn.execute(
                    text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
                )
            return f"{pg}{sep}options=-csearch_path%3D{schema}"

        try:
            rows += curve(pg_url, "PostgreSQL", args.pg_sizes, args.repeats)
        finally:
            with admin.begin() as conn:
                for n in args.pg_sizes:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS bench_ratings_{n} CASCADE"))
    else:
        print("PostgreSQL skipped: set SINCERITY_TEST_DATABASE_URL to include it")
    report("rating_ingest", rows)
    print(
        "Target: ingest of a 5-rating batch <= 2x from the smallest registry to the largest "
        "(ingest_vs_smallest); old_inline_vs_new is what the trust job took off the path; "
        "the trust computation grown from memory <= 1.5x a bare scipy iteration (grown_vs_bare)."
    )


if __name__ == "__main__":
    main()
