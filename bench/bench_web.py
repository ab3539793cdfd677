"""Server-side render time of a subject's dashboard with 1,000 records (target: under 200 ms).

Measured in-process (no network): GET /me for a signed-in subject with 1,000 records and a year
of score history. Baseline in the same run: GET /v1/health of the same app.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from common import report
from sincerity.api import Settings
from sincerity.db import repo
from sincerity.services import Registry, grant_source_consent, ingest_rows
from sincerity.services.operator import register_source, register_subject
from sincerity.services.scores import rescore_subjects
from sincerity.services.web_sessions import sign_in
from sincerity.web import create_site


def timings(client: TestClient, path: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        out.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:200]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--n", type=int, default=30)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'web.db'}"
    registry = Registry.create(url)
    register_source(registry, "utility", "Utility", ["payment"])
    key = register_subject(registry, "alice", "Alice")
    grant_source_consent(registry, "alice", "utility")
    today = date.today()
    rows = [
        {
            "id": f"p{i}",
            "source": "utility",
            "subject": "alice",
            "kind": "payment",
            "status": "on_time" if i % 17 else "late",
            "days_late": 0 if i % 17 else 12,
            "occurred_on": (today - timedelta(days=2 * i + 1)).isoformat(),
            "reported_on": (today - timedelta(days=2 * i)).isoformat(),
        }
        for i in range(args.records)
    ]
    ingest_rows(registry, rows)
    with registry.transaction() as conn:  # a year of daily score history
        for days in range(365, 0, -1):
            moment = datetime.now(UTC) - timedelta(days=days)
            rescore_subjects(conn, registry.policy, ["alice"], moment.date(), moment)
        assert len(repo.score_history(conn, "alice")) >= 365
    token, _ = sign_in(registry, key)
    client = TestClient(create_site(Settings(database_url=url), registry))
    client.cookies.set("sincerity_session", token)
    timings(client, "/me", 3)  # warm up
    dashboard = timings(client, "/me", args.n)
    baseline = timings(client, "/v1/health", args.n)
    rows_out = []
    for name, values in (
        ("GET /v1/health (baseline)", baseline),
        (f"GET /me ({args.records} records)", dashboard),
    ):
        rows_out.append(
            {
                "request": name,
                "median_ms": 1000 * statistics.median(values),
                "p90_ms": 1000 * sorted(values)[int(0.9 * len(values))],
                "vs_baseline": statistics.median(values) / statistics.median(baseline),
            }
        )
    report("web", rows_out)
    print("Target: the dashboard renders in under 200 ms server-side.")


if __name__ == "__main__":
    main()
