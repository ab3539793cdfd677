"""Global trust is off the ingest path: a rating batch marks it stale, the trust job brings it
up to date, and what the job stores equals a full recomputation."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from sincerity.core.reputation import (
    RatingGraph,
    TrustResult,
    default_seeds,
    global_trust,
    rating_graph,
    retaliation_factors,
    trust_params,
)
from sincerity.db import repo, tables
from sincerity.services import (
    Registry,
    add_source,
    add_subject,
    grant_source_consent,
    ingest_rows,
    rescore_registry,
    subject_report,
)
from sincerity.services import trust_job as trust_module
from sincerity.services.disputes import answer_dispute, drop_dispute, open_dispute
from sincerity.services.jobs import run_jobs
from sincerity.services.scores import load_context, score_in, trust_status
from sincerity.services.subject_file import erase
from sincerity.services.trust_job import trust_job
from tests.conftest import FixedClock

DAY = date(2026, 5, 1)
PEOPLE = ["alice", "mallory"] + [f"v{i}" for i in range(5)] + [f"s{i}" for i in range(5)]


def rating(rater: str, subject: str, value: int, on: date) -> dict[str, object]:
    return {
        "id": f"m-{rater}-{subject}-{on}",
        "source": "market",
        "subject": subject,
        "kind": "rating",
        "rater": rater,
        "transaction": f"t-{rater}-{subject}",
        "rating": value,
        "occurred_on": on.isoformat(),
        "reported_on": on.isoformat(),
    }


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Iterator[Registry]:
    reg = rated_registry(db_url, clock)
    yield reg
    reg.close()


def rated_registry(db_url: str, clock: FixedClock) -> Registry:
    """Five verified raters vouch for alice; a ring of five unverified accounts vouches for
    itself and for mallory; v0 and s0 trade a rating and a retaliation."""
    reg = Registry.create(db_url, clock=clock)
    add_source(reg, "market", "Market", ["rating"])
    add_source(reg, "idcheck", "ID check", ["verification"])
    for person in PEOPLE:
        add_subject(reg, person)
        grant_source_consent(reg, person, "market")
        grant_source_consent(reg, person, "idcheck")
    rows: list[dict[str, object]] = []
    for i in range(5):
        rows.append(
            {
                "id": f"id-v{i}",
                "source": "idcheck",
                "subject": f"v{i}",
                "kind": "verification",
                "what": "identity",
                "occurred_on": "2025-01-01",
                "reported_on": "2025-01-01",
            }
        )
        rows.append(rating(f"v{i}", "alice", 10, DAY - timedelta(days=30 * i)))
        for j in range(5):
            if i != j:
                rows.append(rating(f"s{i}", f"s{j}", 10, DAY - timedelta(days=30 * i + j)))
        rows.append(rating(f"s{i}", "mallory", 10, DAY - timedelta(days=30 * i)))
    rows.append(rating("v0", "s0", -10, DAY - timedelta(days=20)))
    rows.append(rating("s0", "v0", -10, DAY - timedelta(days=18)))  # retaliation within 30 days
    ingest_rows(reg, rows)
    return reg


def payment(subject: str, record_id: str) -> dict[str, object]:
    return {
        "id": record_id,
        "source": "utility",
        "subject": subject,
        "kind": "payment",
        "status": "on_time",
        "occurred_on": DAY.isoformat(),
        "reported_on": DAY.isoformat(),
    }


def trust_times(registry: Registry) -> tuple[object, object]:
    status = trust_status(registry)
    return status.computed_at, status.stale_since


def ratings_points(registry: Registry, subject: str) -> float:
    factors = subject_report(registry, subject).score.factors
    return next(f.points for f in factors if f.name == "counterparty_ratings")


def stored_trust_rows(registry: Registry) -> list[tuple[object, ...]]:
    with registry.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(tables.rater_trust).order_by("node_id"))]


def assert_stored_trust_is_a_full_recomputation(
    registry: Registry, as_of: date
) -> tuple[RatingGraph, TrustResult, repo.RatingEdges]:
    """Stored trust equals a cold computation over the ratings that count now (the graph built
    from ids by the pure core, not the service's Arrow path); returns that reference."""
    with registry.engine.connect() as conn:
        edges = repo.rating_edges(conn, as_of)
        verified = repo.verified_subjects(conn, as_of)
        stored = repo.stored_trust(conn)
    graph = rating_graph(
        edges.raters.to_pylist(),
        edges.subjects.to_pylist(),
        edges.ratings,
        edges.days.astype(float),
        float((as_of - date(1970, 1, 1)).days),
    )
    cold = global_trust(graph, trust_params(registry.policy), default_seeds(graph, verified))
    assert set(stored) == set(cold.nodes)
    gap = max(abs(stored[n][0] - t) for n, t in zip(cold.nodes, cold.trust, strict=True))
    assert gap < 1e-9
    assert np.isclose(sum(t for t, _ in stored.values()), 1.0)
    return graph, cold, edges


def test_ratings_count_by_rater_credibility_after_a_rescore(registry: Registry) -> None:
    rescore_registry(registry)
    with registry.engine.connect() as conn:
        credibility = repo.credibilities(conn, ["v0", "s0"])
        damped = repo.damping_of(conn, ["v0"])
    assert credibility["v0"] == 1.0 and credibility["s0"] < 1e-6
    assert list(damped) == ["m-s0-v0-2026-04-13"]
    assert ratings_points(registry, "alice") > ratings_points(registry, "mallory") + 20
    for subject in ("alice", "mallory"):  # the stored score is the one computed fresh
        report = subject_report(registry, subject)
        assert report.history[-1]["value"] == pytest.approx(report.score.value)


def test_a_rating_batch_marks_trust_stale_and_never_recomputes_it_inline(
    registry: Registry, clock: FixedClock
) -> None:
    assert trust_status(registry).computed_at is None  # ingest alone never computed it
    first = clock.moment
    assert trust_job(registry) > 0
    assert trust_times(registry) == (first, None)
    before = stored_trust_rows(registry)
    alice_before = subject_report(registry, "alice").score
    assert alice_before.trust_snapshot == first

    clock.moment = first + timedelta(hours=1)
    add_subject(registry, "newcomer")
    grant_source_consent(registry, "newcomer", "market")
    grant_source_consent(registry, "newcomer", "idcheck")
    verified = {
        "id": "id-newcomer",
        "source": "idcheck",
        "subject": "newcomer",
        "kind": "verification",
        "what": "identity",
        "occurred_on": "2026-05-01",
        "reported_on": "2026-05-01",
    }
    ingest_rows(registry, [rating("newcomer", "alice", 10, DAY), verified])
    assert stored_trust_rows(registry) == before  # nothing about trust was written
    assert trust_times(registry) == (first, clock.moment)
    alice = subject_report(registry, "alice").score
    assert alice.trust_snapshot == first  # rescored at once, with the trust in force
    assert alice.records_used == alice_before.records_used + 1
    # A rater the graph step has not seen counts nothing yet.
    ratings_points_before = next(
        f.points for f in alice_before.factors if f.name == "counterparty_ratings"
    )
    assert ratings_points(registry, "alice") == pytest.approx(ratings_points_before)

    clock.moment = first + timedelta(hours=2)
    assert run_jobs(registry, ["trust"])["trust"] >= 1  # the newcomer now counts for alice
    assert trust_times(registry) == (clock.moment, None)
    assert subject_report(registry, "alice").score.trust_snapshot == clock.moment
    assert ratings_points(registry, "alice") > ratings_points_before
    assert run_jobs(registry, ["trust"]) == {"trust": 0}  # current: nothing to do


def test_the_trust_job_equals_a_full_recomputation(registry: Registry, clock: FixedClock) -> None:
    trust_job(registry)
    clock.moment += timedelta(hours=1)
    extra = [rating(f"s{i}", "alice", -10, DAY - timedelta(days=3)) for i in range(5)]
    extra += [rating("v1", "mallory", -10, DAY - timedelta(days=2))]
    ingest_rows(registry, extra)
    trust_job(registry)

    as_of = clock.moment.date()
    graph, cold, edges = assert_stored_trust_is_a_full_recomputation(registry, as_of)
    # Every stored score is within a small fraction of a point of one computed with the exact
    # credibilities and damping of a full, cold recomputation.
    factors = retaliation_factors(graph, trust_params(registry.policy))
    record_ids = edges.ids.to_pylist()
    with registry.engine.connect() as conn:
        exact = load_context(conn, PEOPLE)
    exact.credibility = cold.as_mapping()
    exact.damping = {
        record_ids[graph.source_index[e]]: float(factors[e]) for e in np.flatnonzero(factors < 1)
    }
    for subject in PEOPLE:
        expected = score_in(exact, subject, registry.policy, as_of).value
        assert subject_report(registry, subject).score.value == pytest.approx(expected, abs=0.1)


def test_a_change_that_arrives_while_the_job_runs_keeps_trust_stale(
    registry: Registry, clock: FixedClock
) -> None:
    with registry.engine.connect() as conn:
        taken_in = repo.pending_trust_changes(conn)  # what a job read before the graph
    assert taken_in
    clock.moment += timedelta(minutes=5)
    add_subject(registry, "late")
    grant_source_consent(registry, "late", "market")
    ingest_rows(registry, [rating("late", "alice", 10, DAY)])  # lands while it computes
    with registry.transaction() as conn:
        repo.mark_trust_computed(conn, clock.moment, taken_in)
    assert trust_status(registry).stale_since == clock.moment


def test_the_serve_timer_brings_trust_up_to_date(registry: Registry) -> None:
    from sincerity.services.jobs import start_timer

    assert trust_status(registry).stale_since is not None
    stop = start_timer(registry, {"trust": 0.05}, staleness_bound=3600)
    try:
        deadline = time.monotonic() + 20
        while trust_status(registry).stale_since is not None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
    status = trust_status(registry)
    assert status.stale_since is None and status.computed_at is not None


def test_disputes_and_erasure_that_change_the_graph_make_trust_stale(
    registry: Registry, clock: FixedClock
) -> None:
    """A rating stops counting when disputed and counts again when the dispute is dropped; an
    erased subject's ratings and verification are gone: each makes trust stale, so the job
    recomputes it. A change outside the graph (a payment's dispute, a file without ratings)
    does not."""
    trust_job(registry)
    retaliation = "m-s0-v0-2026-04-13"  # s0's rating of v0
    clock.advance(hours=1)
    dispute = open_dispute(registry, "v0", retaliation, "never traded with s0")
    assert trust_status(registry).stale_since == clock.moment
    assert trust_job(registry) >= 0 and trust_status(registry).stale_since is None
    _, cold, edges = assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())
    assert retaliation not in edges.ids.to_pylist()

    clock.advance(hours=1)
    drop_dispute(registry, "v0", dispute)
    assert trust_status(registry).stale_since == clock.moment
    trust_job(registry)
    _, _, edges = assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())
    assert retaliation in edges.ids.to_pylist()

    clock.advance(hours=1)
    add_source(registry, "utility", "Utility", ["payment"])
    add_subject(registry, "payer")
    grant_source_consent(registry, "payer", "utility")
    ingest_rows(registry, [payment("payer", "pay-1")])
    erase(registry, "payer")  # no rating, no verification: trust stays current
    assert trust_status(registry).stale_since is None

    clock.advance(hours=1)
    erase(registry, "alice")  # rated by v0..v4: those ratings are gone with her file
    assert trust_status(registry).stale_since == clock.moment
    trust_job(registry)
    _, cold, _ = assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())
    assert "alice" not in cold.nodes


def test_a_corrected_rating_is_replaced_in_the_graph_not_doubled(
    registry: Registry, clock: FixedClock
) -> None:
    trust_job(registry)
    original = "m-s0-v0-2026-04-13"
    clock.advance(hours=1)
    dispute = open_dispute(registry, "v0", original, "it was a 5, not a -10")
    corrected = {**rating("s0", "v0", 5, DAY - timedelta(days=18)), "id": "m-s0-v0-fixed"}
    answer_dispute(registry, "market", dispute, "correct", corrected=corrected)
    assert trust_status(registry).stale_since == clock.moment
    trust_job(registry)
    _, _, edges = assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())
    ids = edges.ids.to_pylist()
    assert "m-s0-v0-fixed" in ids and original not in ids


def test_the_job_rescores_in_short_transactions_and_finishes_an_interrupted_rescore(
    registry: Registry, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each chunk of subjects is rescored and committed in its own transaction (the writer is
    free between chunks); a run that dies midway leaves the rest listed, and the next run
    rescores them under the trust already stored."""
    monkeypatch.setattr(trust_module, "RESCORE_CHUNK", 2)
    seen_between_chunks: list[int] = []
    due = repo.rescore_due

    def look_then_take(conn: Any, limit: int) -> list[str]:
        with registry.engine.connect() as other:  # what another connection sees: commits only
            seen_between_chunks.append(repo.count_rescore_due(other))
        if len(seen_between_chunks) == 4:  # (the first look: an earlier run's leftovers)
            raise RuntimeError("the job dies after two chunks")
        return due(conn, limit)

    monkeypatch.setattr(repo, "rescore_due", look_then_take)
    with pytest.raises(RuntimeError):
        trust_job(registry)
    owed = seen_between_chunks[1]
    assert owed >= 5 and seen_between_chunks == [0, owed, owed - 2, owed - 4]
    with registry.engine.connect() as conn:
        assert repo.count_rescore_due(conn) == owed - 4
        computed_at = repo.trust_computed_at(conn)
    monkeypatch.setattr(repo, "rescore_due", due)
    monkeypatch.setattr(trust_module, "PROGRESS_EVERY", 2)
    with caplog.at_level(logging.INFO, logger="sincerity.trust"):
        assert trust_job(registry) == owed - 4  # the rest, without computing trust again
    progress = [r for r in caplog.records if r.getMessage() == "rescoring the subjects trust moved"]
    assert progress and progress[0].__dict__["done"] == 2
    with registry.engine.connect() as conn:
        assert repo.count_rescore_due(conn) == 0
        assert repo.trust_computed_at(conn) == computed_at
    assert subject_report(registry, "alice").score.trust_snapshot == computed_at


def test_an_erased_subject_owes_no_rescore(registry: Registry, clock: FixedClock) -> None:
    with registry.transaction() as conn:
        repo.queue_rescore(conn, ["alice", "mallory"], clock.moment)
    erase(registry, "alice")
    with registry.engine.connect() as conn:
        assert repo.rescore_due(conn, 10) == ["mallory"]
    assert trust_job(registry) >= 1


def test_the_seeds_are_the_identity_verifications_that_count(
    registry: Registry, clock: FixedClock
) -> None:
    licence = {
        "id": "lic-alice",
        "source": "idcheck",
        "subject": "alice",
        "kind": "verification",
        "what": "licence",
        "occurred_on": "2025-01-01",
        "reported_on": "2025-01-01",
    }
    ingest_rows(registry, [licence])
    with registry.engine.connect() as conn:
        assert repo.verified_subjects(conn, DAY) == {f"v{i}" for i in range(5)}
    open_dispute(registry, "v3", "id-v3", "that was not me")
    with registry.engine.connect() as conn:
        assert repo.verified_subjects(conn, DAY) == {"v0", "v1", "v2", "v4"}
        assert repo.verified_subjects(conn, date(2024, 12, 31)) == set()


def test_the_timer_outlives_a_failed_staleness_check(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sincerity.services import jobs

    looks: list[int] = []

    def broken(*_: object) -> None:
        looks.append(1)
        raise RuntimeError("the database went away for a moment")

    monkeypatch.setattr(jobs, "_warn_if_trust_lags", broken)
    stop = jobs.start_timer(registry, {"trust": 0.02}, staleness_bound=3600)
    try:
        deadline = time.monotonic() + 10
        while len(looks) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
    assert len(looks) >= 3  # it kept turning after the first failure


def test_the_trust_job_reports_how_far_its_rescoring_is(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trust_module, "RESCORE_CHUNK", 2)
    heard: list[tuple[str, int, int]] = []
    done = run_jobs(registry, ["trust"], progress=lambda job, n, of: heard.append((job, n, of)))
    assert done["trust"] >= 5
    assert [n for _, n, _ in heard] == sorted(n for _, n, _ in heard)  # it only goes forward
    assert heard[-1] == ("trust", done["trust"], done["trust"])
    assert all(of == done["trust"] for _, _, of in heard)
