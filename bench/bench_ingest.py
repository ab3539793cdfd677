"""Records ingested per second through the bulk path, against a raw executemany of the same rows.

Baseline: the same rows, already serialised, inserted with the DBAPI's executemany into the same
table in one transaction. That is the floor any ingest must pay; the ratio shows what validation,
consent checks, idempotency and the batch bookkeeping cost on top of it.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import delete, text

from common import best_of, report
from sincerity.db import repo, tables
from sincerity.services import Registry, ingest_file, ingest_rows, load_population
from sincerity.services.files import Row
from sincerity.services.ingest import validate_rows
from sincerity.synth import demo_population

AS_OF = date(2026, 6, 1)


def fresh(url: str, n_subjects: int) -> tuple[Registry, list[dict]]:
    registry = Registry.create(url)
    population = demo_population(n_subjects, AS_OF, seed=5)
    records = population.records
    population.records = []
    load_population(registry, population)  # parties and consents only
    return registry, records


def clear(registry: Registry) -> None:
    with registry.engine.begin() as conn:
        conn.execute(delete(tables.scores))
        conn.execute(delete(tables.records))
        conn.execute(delete(tables.batches))


def raw_executemany(registry: Registry, records: list[dict]) -> float:
    """Baseline: executemany of prepared tuples into the records table, one transaction."""
    validated, problems = validate_rows((Row(i, r) for i, r in enumerate(records, 1)), "bench")
    assert not problems
    now = datetime.now(UTC)
    with registry.engine.begin() as conn:
        batch = repo.insert_batch(conn, "raw executemany", 0, 0, now)
    rows = [
        (
            v.record.id,
            v.record.source,
            v.record.subject,
            v.record.kind,
            v.record.occurred_on,
            v.record.reported_on,
            v.body,
            v.content_hash,
            batch,
            now,
        )
        for v in validated
    ]
    sql = (
        "INSERT INTO records (id, source_id, subject_id, kind, occurred_on, reported_on, body, "
        "content_hash, batch_id, ingested_at) VALUES (%s)"
    )

    def work() -> None:
        raw = registry.engine.raw_connection()
        try:
            marks = (
                ",".join(["?"] * 10)
                if registry.engine.dialect.name == "sqlite"
                else ",".join(["%s"] * 10)
            )
            cursor = raw.cursor()
            cursor.executemany(sql % marks, rows)
            raw.commit()
        finally:
            raw.close()
        with registry.engine.begin() as conn:
            conn.execute(delete(tables.records))

    seconds = best_of(2, work)
    clear(registry)
    return seconds


def bench(url: str, label: str, n_subjects: int, repeats: int) -> list[dict]:
    registry, records = fresh(url, n_subjects)
    n = len(records)
    baseline = raw_executemany(registry, records)

    def service() -> None:
        ingest_rows(registry, records, name="bench", rescore=False)
        clear(registry)

    service_s = best_of(repeats, service)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.csv"
        fields = sorted({k for r in records for k in r})
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fields)
            writer.writeheader()
            writer.writerows(records)

        def from_csv() -> None:
            ingest_file(registry, path, rescore=False)
            clear(registry)

        csv_s = best_of(repeats, from_csv)

        def with_rescore() -> None:
            ingest_file(registry, path, rescore=True)
            clear(registry)

        rescore_s = best_of(1, with_rescore)
    registry.close()
    rows = []
    for what, seconds in (
        ("raw executemany (baseline)", baseline),
        ("ingest_rows (validate+check+store)", service_s),
        ("ingest_file CSV", csv_s),
        ("ingest_file CSV + rescore subjects", rescore_s),
    ):
        rows.append(
            {
                "database": label,
                "path": what,
                "records": n,
                "seconds": seconds,
                "records_per_s": n / seconds,
                "vs_baseline": baseline / seconds,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=1000, help="~95 records each")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += bench(f"sqlite:///{folder}/bench.db", "SQLite", args.subjects, args.repeats)
    pg = os.environ.get("SINCERITY_TEST_DATABASE_URL")
    if pg:
        from sqlalchemy import create_engine

        from sincerity.db.engine import normalise_url

        schema = "bench_ingest"
        admin = create_engine(normalise_url(pg))
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        try:
            sep = "&" if "?" in pg else "?"
            rows += bench(
                f"{pg}{sep}options=-csearch_path%3D{schema}",
                "PostgreSQL",
                args.subjects,
                args.repeats,
            )
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    else:
        print("PostgreSQL skipped: set SINCERITY_TEST_DATABASE_URL to include it")
    report("ingest", rows)
    print("Target: ingest >= 20,000 records/s into SQLite.")


if __name__ == "__main__":
    main()
