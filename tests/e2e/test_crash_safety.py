"""A server killed with SIGKILL in the middle of a stream of ingest batches loses no acknowledged
record and keeps no half batch (checked after a restart, on SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from sincerity.db import tables
from sincerity.services import Registry, grant_source_consent
from sincerity.services.operator import register_source, register_subject

BATCH = 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, port: int) -> subprocess.Popen[bytes]:
    script = Path(sys.executable).parent / "sincerity"
    process = subprocess.Popen(
        [str(script), "serve", "--db", db_url, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(
        f"the server did not start: {process.stderr.read().decode() if process.stderr else ''}"
    )


def batch(number: int) -> list[dict[str, object]]:
    day = date(2026, 1, 1)
    return [
        {
            "id": f"b{number}-r{i}",
            "subject": "alice",
            "kind": "payment",
            "status": "on_time",
            "occurred_on": (day - timedelta(days=i)).isoformat(),
            "reported_on": day.isoformat(),
        }
        for i in range(BATCH)
    ]


def test_sigkill_mid_stream_loses_no_acknowledged_record(db_url: str) -> None:
    registry = Registry.create(db_url)
    source_key = register_source(registry, "utility", "Utility", ["payment"])
    register_subject(registry, "alice", None)
    grant_source_consent(registry, "alice", "utility")
    port = free_port()
    server = start_server(db_url, port)
    acknowledged: list[int] = []
    sent: list[int] = []
    stop = threading.Event()

    def stream() -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            timeout=10,
            headers={"Authorization": f"Bearer {source_key}"},
        ) as client:
            number = 0
            while not stop.is_set():
                number += 1
                sent.append(number)
                try:
                    response = client.post("/v1/records", json={"records": batch(number)})
                except httpx.HTTPError:
                    return  # the server died mid-request: this batch was never acknowledged
                if response.status_code == 200:
                    acknowledged.append(number)

    writer = threading.Thread(target=stream)
    writer.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 15 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    stop.set()
    writer.join(timeout=30)
    assert len(acknowledged) >= 15, "the stream never got going"
    assert sent[-1] > acknowledged[-1] or len(sent) == len(acknowledged)

    restarted = start_server(db_url, port)
    try:
        with registry.engine.connect() as conn:
            ids = set(conn.scalars(select(tables.records.c.id)))
        per_batch = {n: sum(1 for i in range(BATCH) if f"b{n}-r{i}" in ids) for n in sent}
        for number in acknowledged:
            assert per_batch[number] == BATCH, f"acknowledged batch {number} lost records"
        for number, count in per_batch.items():
            assert count in (0, BATCH), f"batch {number} was half stored ({count} of {BATCH})"
        response = httpx.get(
            f"http://127.0.0.1:{port}/v1/records?limit=1",
            headers={"Authorization": f"Bearer {source_key}"},
        )
        assert response.status_code == 200
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
        registry.close()
