"""One policy, identical results: the python scorer, DuckDB and Spark agree on randomised ledgers
(score to 1e-9, tier, every factor's points, reason factors), and a whole-registry rescore gives
the same history on every engine."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sincerity.batch import collect, run_duckdb, run_spark
from sincerity.batch.inputs import flatten, write_records, write_side_tables
from sincerity.core.records import AnyRecord, record_to_dict
from sincerity.core.scoring import score
from sincerity.policies import shipped_policy
from tests.conftest import AS_OF, REQUIRE_ENV, make

POLICY = shipped_policy()
kinds = st.sampled_from(["payment", "contract", "rating", "judgment", "verification"])
statuses = {
    "payment": st.sampled_from(["on_time", "on_time", "late", "missed", "defaulted"]),
    "contract": st.sampled_from(["fulfilled", "breached", "signed"]),
    "judgment": st.sampled_from(["unpaid", "satisfied"]),
}


@st.composite
def ledger(draw: st.DrawFn, subject: str, start: int) -> list[AnyRecord]:
    records = []
    for n in range(draw(st.integers(0, 25))):
        kind = draw(kinds)
        day = AS_OF - timedelta(days=draw(st.integers(-5, 12 * 365)))
        fields: dict[str, object] = {"subject": subject}
        if kind in statuses:
            fields["status"] = draw(statuses[kind])
        if fields.get("status") == "late":
            fields["days_late"] = draw(st.integers(1, 150))
        if kind == "rating":
            fields["rating"] = draw(st.integers(-10, 10))
            fields["rater"] = draw(st.sampled_from(["r1", "r2", "r3", "r4"]))
        if kind == "verification":
            fields["what"] = draw(st.sampled_from(["identity", "licence"]))
        lag = draw(st.integers(0, 10))
        records.append(
            make(
                kind, day, f"{subject}-{start + n}", reported_on=day + timedelta(days=lag), **fields
            )
        )
    if records and draw(st.booleans()):  # sometimes a later record supersedes an earlier one
        first = records[0]
        records.append(first.model_copy(update={"id": f"{subject}-fix", "supersedes": first.id}))
    return records


@st.composite
def registry_ledgers(draw: st.DrawFn) -> tuple[list[AnyRecord], set[str], dict[str, float] | None]:
    records: list[AnyRecord] = []
    for i in range(draw(st.integers(1, 12))):
        records += draw(ledger(f"s{i}", 0))
    disputed = {r.id for r in records if draw(st.integers(0, 9)) == 0}
    trust = draw(
        st.one_of(st.none(), st.fixed_dictionaries({f"r{k}": st.floats(0, 1) for k in range(1, 4)}))
    )
    return records, disputed, trust


def python_scores(records, disputed, trust, subjects, specs=None):
    by_subject: dict[str, list[AnyRecord]] = {}
    for record in records:
        by_subject.setdefault(record.subject, []).append(record)
    return {
        s: score(
            by_subject.get(s, []),
            POLICY,
            AS_OF,
            disputed=disputed,
            rater_trust=trust,
            specs=specs,
        )
        for s in subjects
    }


def with_a_new_factor():
    """The policy's spec plus a seventh factor that exists only in the spec: open contracts
    count for a subject, payments more than 10 days late against, each with its own decay."""
    from sincerity.core.factor_spec import FactorSpec, Tally, factor_specs

    return (
        *factor_specs(POLICY),
        FactorSpec(
            "open_commitments",
            "Open commitments",
            "beta",
            12.0,
            positive=(Tally("open_pos", "contract", (("status", "==", "signed"),), 180.0),),
            negative=(
                Tally("open_neg", "payment", (("days_late", ">", 10),), 90.0, 2.0),
                Tally("open_bad", "rating", (("rating", "<", -5),), 45.0, 1.5, trusted=True),
            ),
        ),
    )


def engine_inputs(records, disputed, trust) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="parity-"))
    write_records((flatten(record_to_dict(r)) for r in records), folder)
    write_side_tables(folder, disputed, trust, {})
    return folder


def assert_same(expected, batch) -> None:
    for i, subject in enumerate(batch.subjects):
        want = expected[subject]
        if want.value is None:
            assert np.isnan(batch.values[i]) and batch.tiers[i] is None, subject
            continue
        assert abs(batch.values[i] - want.value) < 1e-9, subject
        assert batch.tiers[i] == want.tier, subject
        assert batch.reasons[i] == want.reason_factors, subject
        for k, factor in enumerate(want.factors):
            assert abs(batch.points[i, k] - factor.points) < 1e-9, (subject, factor.name)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(registry_ledgers())
def test_duckdb_matches_the_python_scorer(case) -> None:
    records, disputed, trust = case
    subjects = sorted({r.subject for r in records} | {"nobody"})
    folder = engine_inputs(records, disputed, trust)
    try:
        batch = collect(run_duckdb(folder, POLICY, AS_OF, trust is not None), POLICY, subjects)
        assert_same(python_scores(records, disputed, trust, subjects), batch)
    finally:
        shutil.rmtree(folder)


def test_equal_losses_are_reasons_in_name_order_and_columns_match_the_lists(tmp_path) -> None:
    """Only late payments: contracts (no record, half their 120 points) and history (no day in
    good standing, all 60) both lose exactly 60 — the tie goes by name, as the scorer does."""
    records = [
        make("payment", AS_OF - timedelta(days=d), d, subject="late", status="late", days_late=45)
        for d in (10, 60, 120)
    ]
    folder = engine_inputs(records, set(), None)
    try:
        batch = collect(run_duckdb(folder, POLICY, AS_OF, False), POLICY, ["late", "nobody"])
    finally:
        shutil.rmtree(folder)
    expected = python_scores(records, set(), None, ["late", "nobody"])
    assert expected["late"].reason_factors[1:3] == ("contract_fulfilment", "history_length")
    assert_same(expected, batch)
    table = batch.to_table()
    assert table.column("subject").to_pylist() == ["late", "nobody"]
    assert table.column("tier").to_pylist() == batch.tiers
    assert [tuple(r) for r in table.column("reason_factors").to_pylist()] == batch.reasons
    assert table.column("score").to_pylist()[1] is None  # a thin file has no number


def test_a_rating_whose_weight_underflows_puts_no_one_in_good_standing() -> None:
    """Found by the property above: a rater credible by 5e-324 (the smallest double) gives a
    rating whose weight rounds to 0, which is no day in good standing for the scorer."""
    records = [make("payment", AS_OF, n, subject="s", status="on_time") for n in range(3)] + [
        make("rating", AS_OF - timedelta(days=90), "r", subject="s", rater="r3", rating=1)
    ]
    trust = {"r3": 5e-324}
    folder = engine_inputs(records, set(), trust)
    try:
        batch = collect(run_duckdb(folder, POLICY, AS_OF, True), POLICY, ["s"])
    finally:
        shutil.rmtree(folder)
    expected = python_scores(records, set(), trust, ["s"])
    assert expected["s"].factors[-1].points == 0
    assert_same(expected, batch)


def java_available() -> str | None:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java runtime (PySpark needs Java 17+)"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "PySpark is not installed"
    return None


@pytest.fixture(scope="module")
def spark_ready() -> None:
    reason = java_available()
    if reason:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"Spark suite required but unavailable: {reason}")
        pytest.skip(f"Spark suite: {reason}")


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(registry_ledgers(), min_size=3, max_size=3))
def test_spark_matches_the_python_scorer(spark_ready, cases) -> None:
    records: list[AnyRecord] = []
    disputed: set[str] = set()
    for n, (batch_records, batch_disputed, _) in enumerate(cases):
        renamed = [
            r.model_copy(
                update={
                    "subject": f"{r.subject}-{n}",
                    "id": f"{r.id}-{n}",
                    "supersedes": None if r.supersedes is None else f"{r.supersedes}-{n}",
                }
            )
            for r in batch_records
        ]
        records += renamed
        disputed |= {f"{i}-{n}" for i in batch_disputed}
    subjects = sorted({r.subject for r in records})
    trust = cases[0][2]
    folder = engine_inputs(records, disputed, trust)
    try:
        batch = collect(run_spark(folder, POLICY, AS_OF, trust is not None), POLICY, subjects)
        assert_same(python_scores(records, disputed, trust, subjects), batch)
    finally:
        shutil.rmtree(folder)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(registry_ledgers())
def test_a_factor_added_only_to_the_spec_scores_the_same_on_every_engine(spark_ready, case) -> None:
    records, disputed, trust = case
    specs = with_a_new_factor()
    subjects = sorted({r.subject for r in records} | {"nobody"})
    expected = python_scores(records, disputed, trust, subjects, specs)
    assert all(len(s.factors) == 7 for s in expected.values())
    folder = engine_inputs(records, disputed, trust)
    try:
        known = trust is not None
        duck = run_duckdb(folder, POLICY, AS_OF, known, specs=specs)
        assert_same(expected, collect(duck, POLICY, subjects, specs))
        spark = run_spark(folder, POLICY, AS_OF, known, specs=specs)
        assert_same(expected, collect(spark, POLICY, subjects, specs))
    finally:
        shutil.rmtree(folder)


def test_spark_leaves_no_scratch_folder_behind(spark_ready, tmp_path: Path) -> None:
    import glob
    import tempfile

    from tests.conftest import make

    pattern = os.path.join(tempfile.gettempdir(), "sincerity-spark-*")
    before = set(glob.glob(pattern))
    records = [make("payment", AS_OF, n, subject="alice") for n in range(4)]
    folder = engine_inputs(records, set(), None)
    try:
        table = run_spark(folder, POLICY, AS_OF, False)
    finally:
        shutil.rmtree(folder)
    assert table.num_rows == 1
    assert set(glob.glob(pattern)) == before


def test_a_registry_rescored_on_each_engine_stores_the_same_scores(
    db_url: str, tmp_path: Path, spark_ready
) -> None:
    from sincerity.db import repo
    from sincerity.services import Registry, load_population
    from sincerity.services.rescore_batch import rescore_with_engine
    from sincerity.services.scores import rescore_registry
    from sincerity.synth import demo_population

    registry = Registry.create(db_url)
    load_population(registry, demo_population(150, registry.today(), seed=5))
    results = {}
    for engine in ("python", "duckdb", "spark"):
        if engine == "python":
            rescore_registry(registry)
        else:
            rescore_with_engine(registry, engine)  # type: ignore[arg-type]
        with registry.engine.connect() as conn:
            results[engine] = {
                r["subject_id"]: (r["value"], r["tier"]) for r in repo.latest_scores(conn)
            }
    for engine in ("duckdb", "spark"):
        assert results[engine].keys() == results["python"].keys()
        for subject, (value, tier) in results["python"].items():
            other_value, other_tier = results[engine][subject]
            assert other_tier == tier
            assert (value is None and other_value is None) or abs(other_value - value) < 1e-9
    registry.close()


def test_an_interrupted_rescore_leaves_the_previous_scores(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sincerity.db import repo
    from sincerity.services import Registry, load_population, rescore_batch
    from sincerity.synth import demo_population

    registry = Registry.create(db_url)
    load_population(registry, demo_population(60, registry.today(), seed=2))
    with registry.engine.connect() as conn:
        before = sorted((r["subject_id"], r["value"]) for r in repo.latest_scores(conn))
    real = repo.replace_day_scores

    def crash_half_way(conn, as_of, version, rows):  # the old rows are deleted, then the run dies
        real(conn, as_of, version, rows[: len(rows) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(rescore_batch.repo, "replace_day_scores", crash_half_way)
    with pytest.raises(KeyboardInterrupt):
        rescore_batch.rescore_with_engine(registry, "duckdb")
    with registry.engine.connect() as conn:
        after = sorted((r["subject_id"], r["value"]) for r in repo.latest_scores(conn))
    assert after == before
    registry.close()
