"""Server-side render time of each party's home page (target: under 50 ms each).

Measured in-process (no network): the subject's dashboard (GET /me, 1,000 records and a year of
daily score history), the source's (GET /source: its records and open disputes), the relying
party's (GET /rp: its checks), the operator's (GET /operator), and the sign-in page. Baseline in
the same run: GET /v1/health of the same app.
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
from sincerity.services.checks import check, grant_relying_party_consent
from sincerity.services.keys import Actor
from sincerity.services.operator import (
    create_operator_key,
    register_relying_party,
    register_source,
    register_subject,
)
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
    source_key = register_source(registry, "utility", "Utility", ["payment"])
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
    keys = {
        "alice": key,
        "utility": source_key,
        "landlord": register_relying_party(registry, "landlord", "Landlord Ltd"),
        "operator": create_operator_key(registry),
    }
    grant_relying_party_consent(registry, "alice", "landlord", "tenancy", None)
    for _ in range(20):
        check(registry, Actor("relying_party", "landlord", ""), "alice", "tenancy", 600)
    app = create_site(Settings(database_url=url), registry)
    pages = [
        ("alice", "/me", f"GET /me (subject, {args.records} records)"),
        ("utility", "/source", "GET /source (source)"),
        ("landlord", "/rp", "GET /rp (relying party, 20 checks)"),
        ("operator", "/operator", "GET /operator (operator)"),
        (None, "/signin", "GET /signin (anonymous)"),
    ]
    measured = []
    for who, path, name in pages:
        client = TestClient(app)
        if who is not None:
            client.cookies.set("sincerity_session", sign_in(registry, keys[who])[0])
        timings(client, path, 3)  # warm up
        measured.append((name, timings(client, path, args.n)))
    baseline = timings(TestClient(app), "/v1/health", args.n)
    rows_out = []
    for name, values in [("GET /v1/health (baseline)", baseline), *measured]:
        rows_out.append(
            {
                "request": name,
                "median_ms": 1000 * statistics.median(values),
                "p90_ms": 1000 * sorted(values)[int(0.9 * len(values))],
                "vs_baseline": statistics.median(values) / statistics.median(baseline),
            }
        )
    report("web", rows_out)
    print("Target: each party's home renders in under 50 ms server-side.")


if __name__ == "__main__":
    main()
