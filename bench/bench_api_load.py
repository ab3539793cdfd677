"""A bounded load test on loopback: 20 concurrent clients for 30 s, mixing score reads and ingest,
then a phase of relying-party checks alone.

The server (`sincerity serve`, one process, or `--workers N`) runs on a SQLite registry (or the
PostgreSQL database given with `--db`) with a synthetic population. Baseline, measured in the
same run with the same clients, before the other phases and again after them (the mean):
GET /v1/health, a trivial endpoint of the same app. Reported:
requests/s, p50/p99 latency per kind, errors. Targets: zero errors, p99 of a score read under
50 ms; relying-party checks at >= 0.5x the baseline's throughput with p99 < 25 ms. The rate limit
is raised for the run (it is per key).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from common import report
from sincerity.credentials import envelope
from sincerity.db import tables
from sincerity.services import Registry, build_demo
from sincerity.services.checks import grant_relying_party_consent
from sincerity.services.kek import KEK_FILE_ENV, write_kek_file
from sincerity.services.keys import issue_key
from sincerity.services.operator import register_relying_party

MAX_REQUESTS = 500_000  # a hard bound, whatever the duration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def run_phase(base: str, clients: int, seconds: float, pick) -> dict[str, list]:
    """`clients` threads issue requests chosen by `pick` until `seconds` pass."""
    results: dict[str, list] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    count = [0]

    def client(index: int) -> None:
        rng = random.Random(index)
        with httpx.Client(base_url=base, timeout=10) as http:
            sequence = 0
            while time.monotonic() < stop_at:
                with lock:
                    if count[0] >= MAX_REQUESTS:
                        return
                    count[0] += 1
                sequence += 1
                kind, method, path, kwargs = pick(rng, index, sequence)
                started = time.perf_counter()
                try:
                    response = http.request(method, path, **kwargs)
                    ok = response.status_code < 400
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    results.setdefault(kind, []).append((elapsed, ok))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--subjects", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--db", help="an empty PostgreSQL database URL (default: a SQLite file)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = args.db or f"sqlite:///{folder / 'load.db'}"
    if args.db:  # a PostgreSQL registry keeps its key-encryption key in a file the workers read
        kek_file = folder / "bench.kek"
        write_kek_file(kek_file, envelope.new_kek())
        os.environ[KEK_FILE_ENV] = str(kek_file)
    registry = Registry.create(url)
    print(f"Building a registry of {args.subjects} synthetic subjects ...", flush=True)
    build_demo(registry, args.subjects, seed=3)
    now = registry.now()
    with registry.engine.begin() as conn:
        subjects = [
            row[0]
            for row in conn.execute(
                tables.subjects.select().with_only_columns(tables.subjects.c.id)
            )
        ]
        subject_keys = [issue_key(conn, "subject", s, now) for s in subjects[: args.clients]]
        source_key = issue_key(conn, "source", "city-power", now)
    checker_key = register_relying_party(registry, "load-lettings", "Load Lettings")
    for subject in subjects:
        grant_relying_party_consent(registry, subject, "load-lettings", "tenancy", None)
    port = free_port()
    env = {
        **os.environ,
        "SINCERITY_RATE_LIMIT_PER_MINUTE": "100000000",
        "SINCERITY_RATE_LIMIT_BURST": "1000000",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "sincerity"),
            "serve",
            "--db",
            url,
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        baseline = run_phase(
            base,
            args.clients,
            args.baseline_seconds,
            lambda rng, i, n: ("trivial endpoint (baseline)", "GET", "/v1/health", {}),
        )
        today = date.today()

        def mixed(rng: random.Random, index: int, sequence: int):
            if rng.random() < 0.8:
                headers = {"Authorization": f"Bearer {subject_keys[index % len(subject_keys)]}"}
                return "score read", "GET", "/v1/me/score", {"headers": headers}
            subject = subjects[rng.randrange(len(subjects))]
            records = [
                {
                    "id": f"load-{index}-{sequence}-{k}",
                    "subject": subject,
                    "kind": "payment",
                    "status": "on_time",
                    "occurred_on": (today - timedelta(days=k)).isoformat(),
                    "reported_on": today.isoformat(),
                }
                for k in range(5)
            ]
            headers = {"Authorization": f"Bearer {source_key}"}
            return (
                "ingest (5 records)",
                "POST",
                "/v1/records",
                {"headers": headers, "json": {"records": records}},
            )

        mixed_results = run_phase(base, args.clients, args.seconds, mixed)

        def checks(rng: random.Random, index: int, sequence: int):
            body = {
                "subject_id": subjects[rng.randrange(len(subjects))],
                "purpose": "tenancy",
                "threshold": 650,
            }
            headers = {"Authorization": f"Bearer {checker_key}"}
            return "relying-party check", "POST", "/v1/checks", {"headers": headers, "json": body}

        check_results = run_phase(base, args.clients, args.seconds, checks)
        # The baseline again after the checks: this machine's speed drifts within a run, and a
        # ratio against one end of it would carry the drift.
        again = run_phase(
            base,
            args.clients,
            args.baseline_seconds,
            lambda rng, i, n: ("trivial endpoint (baseline)", "GET", "/v1/health", {}),
        )
        baseline["trivial endpoint (baseline)"] += again["trivial endpoint (baseline)"]
    finally:
        server.terminate()
        server.wait(timeout=10)
    rows = []
    base_rps = len(baseline["trivial endpoint (baseline)"]) / (2 * args.baseline_seconds)
    for name, seconds, results in (
        (
            "trivial endpoint (baseline)",
            2 * args.baseline_seconds,
            baseline["trivial endpoint (baseline)"],
        ),
        ("score read", args.seconds, mixed_results.get("score read", [])),
        ("ingest (5 records)", args.seconds, mixed_results.get("ingest (5 records)", [])),
        ("relying-party check", args.seconds, check_results.get("relying-party check", [])),
    ):
        latencies = [e for e, _ in results]
        rows.append(
            {
                "requests": name,
                "count": len(results),
                "per_s": len(results) / seconds,
                "p50_ms": 1000 * percentile(latencies, 0.5),
                "p99_ms": 1000 * percentile(latencies, 0.99),
                "errors": sum(1 for _, ok in results if not ok),
                "per_s_vs_baseline": (len(results) / seconds) / base_rps,
            }
        )
    total = sum(len(r) for r in mixed_results.values()) / args.seconds
    report("api_load", rows)
    print(
        f"Mixed phase: {total:.0f} requests/s in all ({args.clients} clients, {args.seconds:g} s). "
        "Targets: zero errors; p99 of a score read under 50 ms; checks >= 0.5x the baseline's "
        "requests/s with p99 under 25 ms."
    )


if __name__ == "__main__":
    main()
