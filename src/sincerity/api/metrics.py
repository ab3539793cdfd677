"""Prometheus metrics of one running service: request rates and latencies by route, records
ingested, job durations, and how stale global trust is. Each app has its own registry of
metrics (nothing is built at import time), served at `GET /metrics`."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from sincerity.services.registry import Registry
from sincerity.services.scores import trust_status

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """The service's metrics."""

    def __init__(self, registry: Registry) -> None:
        self.collectors = CollectorRegistry()
        self.requests = Counter(
            "sincerity_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.collectors,
        )
        self.latency = Histogram(
            "sincerity_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.collectors,
        )
        self.records = Counter(
            "sincerity_records_ingested",
            "Records stored by accepted batches (replays of stored records not counted).",
            registry=self.collectors,
        )
        self.jobs = Histogram(
            "sincerity_job_duration_seconds",
            "Time a job took, by job.",
            ["job"],
            registry=self.collectors,
        )
        trust_age = Gauge(
            "sincerity_trust_age_seconds",
            "Seconds since global trust was last computed (NaN: never).",
            registry=self.collectors,
        )
        trust_age.set_function(lambda: _seconds_since(trust_status(registry).computed_at))
        trust_stale = Gauge(
            "sincerity_trust_stale_seconds",
            "Seconds since ratings changed without global trust being recomputed (0: current).",
            registry=self.collectors,
        )
        trust_stale.set_function(
            lambda: _seconds_since(trust_status(registry).stale_since, when_none=0.0)
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def render(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return bytes(generate_latest(self.collectors))


def _seconds_since(moment: datetime | None, when_none: float = float("nan")) -> float:
    return when_none if moment is None else (datetime.now(UTC) - moment).total_seconds()
