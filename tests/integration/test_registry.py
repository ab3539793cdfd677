"""The registry on a real database: SQLite always, PostgreSQL when SINCERITY_TEST_DATABASE_URL
is set."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from sincerity.core.errors import (
    ConfigurationError,
    ConflictError,
    ConsentError,
    InvalidInputError,
    NotFoundError,
    RecordError,
)
from sincerity.db import current_revision, head_revision, make_engine, repo, tables
from sincerity.db.migrate import upgrade
from sincerity.db.tables import metadata
from sincerity.services import (
    Registry,
    add_source,
    add_subject,
    grant_source_consent,
    ingest_file,
    ingest_rows,
    open_dispute,
    revoke_source_consent,
    subject_report,
)
from tests.conftest import FixedClock

FIELDS = ["id", "source", "subject", "kind", "occurred_on", "reported_on", "status", "days_late"]


def payments(subject: str, n: int, start: date, prefix: str = "p") -> list[dict[str, object]]:
    rows = []
    for i in range(n):
        day = start - timedelta(days=30 * i)
        rows.append(
            {
                "id": f"{prefix}-{subject}-{i}",
                "source": "utility",
                "subject": subject,
                "kind": "payment",
                "occurred_on": day.isoformat(),
                "reported_on": day.isoformat(),
                "status": "on_time",
            }
        )
    return rows


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Registry:
    reg = Registry.create(db_url, clock=clock)
    add_source(reg, "utility", "Utility", ["payment"])
    add_source(reg, "court", "Court", ["judgment"])
    for subject in ("alice", "bob"):
        add_subject(reg, subject)
        grant_source_consent(reg, subject, "utility")
    yield reg
    reg.close()


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def stored_records(reg: Registry) -> int:
    with reg.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(tables.records)) or 0)


def test_schema_from_migrations_matches_the_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    Registry.create(db_url).close()
    Registry.create(db_url).close()  # upgrading twice is harmless
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


def test_upgrading_fills_the_rating_columns_of_stored_ratings(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0006")
    moment = "2026-05-01 00:00:00+00:00"
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO sources VALUES ('market', 'Market', 'rating', :t)"), {"t": moment}
        )
        conn.execute(text("INSERT INTO subjects VALUES ('alice', NULL, :t)"), {"t": moment})
        conn.execute(
            text(
                "INSERT INTO batches (id, name, received_at, records_received, "
                "records_inserted) VALUES (1, 'old', :t, 1, 1)"
            ),
            {"t": moment},
        )
        body = json.dumps({"kind": "rating", "rater": "bob", "rating": -7})
        conn.execute(
            text(
                "INSERT INTO records (id, source_id, subject_id, kind, occurred_on, reported_on, "
                "body, content_hash, batch_id, ingested_at) VALUES ('r1', 'market', 'alice', "
                "'rating', '2026-04-01', '2026-04-01', :body, 'h', 1, :t)"
            ),
            {"body": body, "t": moment},
        )
    upgrade(engine)
    with engine.connect() as conn:
        edges = repo.rating_edges(conn, date(2026, 6, 1))
    assert edges.ids.to_pylist() == ["r1"]
    assert (edges.raters.to_pylist(), edges.subjects.to_pylist()) == (["bob"], ["alice"])
    assert edges.ratings.tolist() == [-7.0]
    assert edges.days.tolist() == [(date(2026, 4, 1) - date(1970, 1, 1)).days]
    engine.dispose()


def test_opening_a_missing_registry_says_how_to_create_it(db_url: str) -> None:
    with pytest.raises(ConfigurationError, match="sincerity init"):
        Registry.open(db_url)


def test_ingest_each_format_scores_and_keeps_history(registry: Registry, tmp_path: Path) -> None:
    rows = payments("alice", 12, date(2026, 5, 20))
    csv_path = write_csv(tmp_path / "a.csv", rows[:4])
    jsonl_path = tmp_path / "b.jsonl"
    jsonl_path.write_text("\n".join(json.dumps(r) for r in rows[4:8]) + "\n\n")
    parquet_path = tmp_path / "c.parquet"
    pq.write_table(pa.Table.from_pylist(rows[8:]), parquet_path)
    results = [ingest_file(registry, p) for p in (csv_path, jsonl_path, parquet_path)]
    assert [r.inserted for r in results] == [4, 4, 4]
    report = subject_report(registry, "alice")
    assert report.score.status == "scored" and report.score.records_used == 12
    assert len(report.records) == 12
    assert report.history and report.history[-1]["policy_version"] == registry.policy.version
    assert report.history[-1]["value"] == pytest.approx(report.score.value)


def test_one_bad_line_among_ten_thousand_stores_nothing_and_names_the_line(
    registry: Registry, tmp_path: Path
) -> None:
    rows = payments("alice", 5000, date(2026, 5, 20)) + payments("bob", 5000, date(2026, 5, 20))
    rows[7340]["status"] = "paid-ish"
    path = write_csv(tmp_path / "big.csv", rows)
    with pytest.raises(RecordError) as caught:
        ingest_file(registry, path)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (7342, "status")  # header is line 1
    assert str(path) in str(problem)
    assert stored_records(registry) == 0


def test_a_large_load_refreshes_postgresql_planner_statistics(
    registry: Registry, tmp_path: Path
) -> None:
    rows = payments("alice", 5000, date(2026, 5, 20)) + payments("bob", 5000, date(2026, 5, 20))
    assert (
        ingest_file(registry, write_csv(tmp_path / "big.csv", rows), rescore=False).inserted
        == 10_000
    )
    if registry.engine.dialect.name != "postgresql":
        return  # SQLite plans from its indexes
    with registry.engine.connect() as conn:
        analysed = conn.scalar(
            text(
                "SELECT last_analyze FROM pg_stat_user_tables "
                "WHERE relname = 'records' AND schemaname = current_schema()"
            )
        )
    assert analysed is not None


def test_the_same_record_again_is_a_no_op_and_different_content_is_a_conflict(
    registry: Registry,
) -> None:
    rows = payments("alice", 3, date(2026, 5, 20))
    assert ingest_rows(registry, rows).inserted == 3
    again = ingest_rows(registry, rows)
    assert (again.inserted, again.unchanged) == (0, 3)
    changed = [dict(rows[0], status="missed")]
    with pytest.raises(ConflictError, match="already stored with different content"):
        ingest_rows(registry, changed)
    assert stored_records(registry) == 3


def test_records_without_consent_or_registration_are_refused_whole_batch(
    registry: Registry,
) -> None:
    add_subject(registry, "carol")  # no consent to the utility
    good = payments("alice", 2, date(2026, 5, 20))
    no_consent = payments("carol", 1, date(2026, 5, 20))
    wrong_kind = [dict(payments("bob", 1, date(2026, 5, 20), "w")[0], source="court")]
    unknown_subject = payments("dave", 1, date(2026, 5, 20))
    with pytest.raises(ConsentError) as caught:
        ingest_rows(registry, good + no_consent + wrong_kind + unknown_subject)
    messages = [p.message for p in caught.value.problems]
    assert [p.line for p in caught.value.problems] == [3, 4, 5]
    assert "has not consented" in messages[0]
    assert "not registered to report payment" in messages[1]
    assert "not registered" in messages[2]
    assert stored_records(registry) == 0


def test_revoked_consent_stops_new_reports(registry: Registry) -> None:
    revoke_source_consent(registry, "alice", "utility")
    with pytest.raises(ConsentError):
        ingest_rows(registry, payments("alice", 1, date(2026, 5, 20)))


def test_a_consent_that_would_end_in_the_past_is_refused(registry: Registry) -> None:
    with pytest.raises(InvalidInputError, match="has passed"):
        grant_source_consent(registry, "alice", "utility", until=date(2026, 5, 31))
    grant_source_consent(registry, "alice", "utility", until=date(2026, 6, 1))  # today is fine


def test_refused_fields_are_named_and_nothing_is_stored(registry: Registry) -> None:
    rows = payments("alice", 3, date(2026, 5, 20))
    rows[1]["friends"] = "bob"
    with pytest.raises(RecordError) as caught:
        ingest_rows(registry, rows)
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "friends")
    assert "association" in problem.message
    assert stored_records(registry) == 0


def test_a_dispute_stops_the_record_counting_at_once(registry: Registry) -> None:
    rows = payments("alice", 10, date(2026, 5, 20))
    rows.append(
        {
            "id": "missed-1",
            "source": "utility",
            "subject": "alice",
            "kind": "payment",
            "occurred_on": "2026-05-25",
            "reported_on": "2026-05-26",
            "status": "missed",
        }
    )
    ingest_rows(registry, rows)
    before = subject_report(registry, "alice").score.value
    open_dispute(registry, "alice", "missed-1", "I paid this on time; receipt attached")
    report = subject_report(registry, "alice")
    assert before is not None and report.score.value is not None and report.score.value > before
    assert report.disputes[0]["state"] == "open"
    assert report.history[-1]["value"] == pytest.approx(report.score.value)
    with pytest.raises(NotFoundError):
        open_dispute(registry, "bob", "missed-1", "not mine")  # another subject's record


def test_scores_survive_reopening(registry: Registry, db_url: str, clock: FixedClock) -> None:
    ingest_rows(registry, payments("alice", 6, date(2026, 5, 20)))
    reopened = Registry.open(db_url, clock=clock)
    assert reopened.policy.version == registry.policy.version
    assert (
        subject_report(reopened, "alice").score.value
        == subject_report(registry, "alice").score.value
    )
    reopened.close()
