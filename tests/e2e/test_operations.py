"""What an operator watches: Prometheus metrics, liveness and readiness."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sincerity.services.jobs import run_jobs
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world, payments


@pytest.fixture
def world(tmp_path: Path, clock: FixedClock) -> Iterator[World]:
    built = build_world(f"sqlite:///{tmp_path / 'ops.db'}", clock)
    yield built
    built.client.close()
    built.registry.close()


def test_metrics_expose_requests_latency_ingest_jobs_and_trust_age(world: World) -> None:
    today = world.clock().date()
    stored = world.call(
        "utility", "POST", "/v1/records", json={"records": payments("alice", 3, today)}
    )
    assert stored.status_code == 200
    world.call("alice", "GET", "/v1/me/score")
    metrics = world.client.app.state.metrics
    run_jobs(world.registry, timed=lambda job, s: metrics.jobs.labels(job).observe(s))
    text = world.client.get("/metrics").text
    assert (
        'sincerity_http_requests_total{method="GET",route="/v1/me/score",status="200"} 1.0' in text
    )
    assert "sincerity_http_request_duration_seconds_bucket" in text
    assert "sincerity_records_ingested_total 3.0" in text
    assert 'sincerity_job_duration_seconds_count{job="sweep"} 1.0' in text
    assert "sincerity_trust_age_seconds" in text
    assert "sincerity_trust_stale_seconds" in text
    assert "alice" not in text  # counts and timings only, no one's data


def test_liveness_and_readiness(world: World) -> None:
    assert world.client.get("/v1/health/live").json()["status"] == "ok"
    assert world.client.get("/v1/health/ready").status_code == 200
    world.registry.kek = None  # the signing keys could not be opened
    not_ready = world.client.get("/v1/health/ready")
    assert not_ready.status_code == 503 and "key-encryption key" in not_ready.text
