"""The trust job keeps the rating graph in memory between runs: after batches that only added
records it grows that graph instead of reading every rating again, and what it stores is still
exactly a full recomputation. Anything it cannot grow from (a dispute, a correction, another
process's computation, a new day) makes it read the graph afresh."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from sincerity.core.reputation import retaliation_factors, trust_params
from sincerity.db import repo
from sincerity.services import Registry, add_subject, grant_source_consent, ingest_rows
from sincerity.services.disputes import drop_dispute, open_dispute
from sincerity.services.subject_file import erase
from sincerity.services.trust_job import trust_job
from tests.conftest import FixedClock
from tests.integration.test_trust_job import (
    DAY,
    assert_stored_trust_is_a_full_recomputation,
    rated_registry,
    rating,
)


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Iterator[Registry]:
    reg = rated_registry(db_url, clock)
    yield reg
    reg.close()


def run(registry: Registry, caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    """Run the trust job; what it logged of its computation."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sincerity.trust"):
        trust_job(registry)
    runs = [
        r for r in caplog.records if r.getMessage() == "global trust recomputed by the trust job"
    ]
    assert len(runs) == 1
    return runs[0].__dict__


def assert_exact(registry: Registry, clock: FixedClock) -> None:
    """Stored trust and damping are those of a cold computation from every rating."""
    graph, _, edges = assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())
    factors = retaliation_factors(graph, trust_params(registry.policy))
    ids = edges.ids.to_pylist()
    expected = {ids[graph.source_index[e]]: float(factors[e]) for e in np.flatnonzero(factors < 1)}
    with registry.engine.connect() as conn:
        assert repo.all_damping(conn) == pytest.approx(expected)
    memory = registry.trust_memory
    assert memory is not None and memory.computed.ratings == len(edges)


def newcomer(registry: Registry, name: str) -> None:
    add_subject(registry, name)
    grant_source_consent(registry, name, "market")
    grant_source_consent(registry, name, "idcheck")


def test_new_batches_grow_the_graph_held_in_memory(
    registry: Registry, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    assert not run(registry, caplog)["grown"]  # the first run reads the graph
    clock.advance(hours=1)
    newcomer(registry, "zed")
    verified = {
        "id": "id-zed",
        "source": "idcheck",
        "subject": "zed",
        "kind": "verification",
        "what": "identity",
        "occurred_on": "2025-02-01",
        "reported_on": "2025-02-01",
    }
    licence = {**verified, "id": "lic-s1", "subject": "s1", "what": "licence"}  # not a seed
    # A new rater and a new seed; a negative with no answer yet.
    ingest_rows(registry, [rating("zed", "alice", 10, DAY), verified, licence])
    ingest_rows(registry, [rating("v2", "s2", -10, DAY - timedelta(days=5))])
    done = run(registry, caplog)
    assert done["grown"] and done["seeds"] == 6
    assert_exact(registry, clock)

    clock.advance(hours=1)
    # A late report, dated before v2's negative: it makes v2's rating retaliation, and a
    # retaliation of v0 (who rated s0 negatively 18 days after s0 rated v0) to v0's new one.
    ingest_rows(
        registry,
        [
            rating("s2", "v2", -10, DAY - timedelta(days=20)),
            rating("v0", "s0", -10, DAY - timedelta(days=10)),
        ],
    )
    done = run(registry, caplog)
    assert done["grown"] and done["damped_ratings"] == 3
    assert_exact(registry, clock)


def test_records_that_stop_or_start_counting_leave_and_rejoin_the_graph_held(
    registry: Registry, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    run(registry, caplog)
    retaliation = "m-s0-v0-2026-04-13"  # s0's damped rating of v0
    clock.advance(hours=1)
    dispute = open_dispute(registry, "v0", retaliation, "never traded with s0")
    assert run(registry, caplog)["grown"]  # the rating leaves the graph
    assert_exact(registry, clock)

    clock.advance(hours=1)
    open_dispute(registry, "v3", "id-v3", "that was not me")  # a seed stops counting
    open_dispute(registry, "alice", "m-v4-alice-2026-01-01", "no such trade")  # v4 only rated her
    done = run(registry, caplog)
    assert done["grown"] and done["seeds"] == 3  # v3 disputed, v4 no longer in the graph
    assert_exact(registry, clock)
    assert "v4" not in registry.trust_memory.computed.graph.nodes  # type: ignore[union-attr]

    clock.advance(hours=1)
    drop_dispute(registry, "v0", dispute)  # it counts again
    correction = {**rating("v1", "alice", 5, DAY - timedelta(days=30)), "id": "m-v1-fixed"}
    ingest_rows(registry, [{**correction, "supersedes": "m-v1-alice-2026-04-01"}])
    assert run(registry, caplog)["grown"]  # the corrected rating replaces the original
    assert_exact(registry, clock)


def test_what_it_cannot_grow_from_makes_it_read_the_graph_afresh(
    registry: Registry, db_url: str, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    run(registry, caplog)
    clock.advance(hours=1)
    erase(registry, "s2")  # a subject's whole file goes
    assert not run(registry, caplog)["grown"]
    assert_exact(registry, clock)

    clock.advance(hours=1)
    ingest_rows(registry, [rating("s3", "alice", 10, DAY)])
    elsewhere = Registry.open(db_url, clock=clock)  # another process computes trust meanwhile
    try:
        trust_job(elsewhere)
    finally:
        elsewhere.close()
    ingest_rows(registry, [rating("s4", "alice", 10, DAY)])
    assert not run(registry, caplog)["grown"]  # its graph lacks what the other took in
    assert_exact(registry, clock)

    clock.advance(days=1)
    ingest_rows(registry, [rating("s4", "v3", 10, DAY)])
    assert run(registry, caplog)["grown"]  # a new day: the same graph, every rating a day older
    assert_exact(registry, clock)

    # The server's clock was a day fast when a rating came in, then corrected: the rating is
    # dated after today. The fresh read leaves it out, and reads again on each new day.
    clock.advance(days=1)
    ingest_rows(registry, [rating("s3", "v3", 10, clock.moment.date())])
    clock.advance(days=-1)
    assert not run(registry, caplog)["grown"]  # an earlier day than the graph's
    assert_exact(registry, clock)
    clock.advance(days=1)
    ingest_rows(registry, [rating("s2", "v3", 10, DAY)])
    assert not run(registry, caplog)["grown"]  # its day: read afresh, so it joins
    assert_exact(registry, clock)
    ingest_rows(registry, [rating("s1", "v3", 10, DAY)])
    assert run(registry, caplog)["grown"]  # and from then on it grows again
    assert_exact(registry, clock)


def test_a_batch_committed_while_the_graph_is_read_is_not_counted_twice(
    registry: Registry, clock: FixedClock, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    clock.advance(hours=1)
    newcomer(registry, "late")
    read = repo.rating_edges

    def read_while_a_batch_lands(conn: Any, as_of: Any) -> repo.RatingEdges:
        monkeypatch.setattr(repo, "rating_edges", read)
        ingest_rows(registry, [rating("late", "alice", 10, DAY)])  # after the job's first look
        return read(conn, as_of)

    monkeypatch.setattr(repo, "rating_edges", read_while_a_batch_lands)
    assert not run(registry, caplog)["grown"]
    memory = registry.trust_memory
    assert memory is not None and memory.maybe_in  # it may have read that batch, or not
    done = run(registry, caplog)  # that batch's change is still pending: it grows from it
    assert done["grown"]
    assert_exact(registry, clock)  # the rating is in the graph once
    assert registry.trust_memory is not None and not registry.trust_memory.maybe_in


def test_an_operator_can_have_the_graph_read_every_run(
    registry: Registry, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    registry.keep_trust_graph = False  # SINCERITY_TRUST_KEEP_GRAPH=false for serve
    run(registry, caplog)
    assert registry.trust_memory is None
    ingest_rows(registry, [rating("s3", "alice", 10, DAY)])
    assert not run(registry, caplog)["grown"]
    assert_stored_trust_is_a_full_recomputation(registry, clock.moment.date())


def test_erasure_takes_the_subject_out_of_the_stored_trust_vector(
    registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    run(registry, caplog)
    with registry.engine.connect() as conn:
        nodes, trust = repo.stored_trust_vector(conn)
    assert "mallory" in nodes.to_pylist() and len(trust) == len(nodes)
    erase(registry, "mallory")  # rated by the ring, rates no one
    with registry.engine.connect() as conn:
        nodes, _ = repo.stored_trust_vector(conn)
        assert "mallory" not in nodes.to_pylist()
        assert "mallory" not in repo.stored_trust(conn)
