"""`serve --workers N`: the workers start, share one socket, and keep TCP_NODELAY."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import uvicorn

from sincerity.api.supervisor import tcp_nodelay_listener
from sincerity.services import Registry
from tests.e2e.test_crash_safety import free_port


def test_connections_accepted_on_the_shared_socket_have_tcp_nodelay() -> None:
    listener = tcp_nodelay_listener(uvicorn.Config("x:y", host="127.0.0.1", port=0))
    seen: list[int] = []

    async def accept_one() -> None:
        def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted = writer.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()
        await server.wait_closed()

    asyncio.run(accept_one())
    assert seen and seen[0] != 0  # Nagle's algorithm is off for the accepted connection


def test_two_workers_serve_the_registry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workers.db'}"
    Registry.create(url).close()
    port = free_port()
    script = Path(sys.executable).parent / "sincerity"
    server = subprocess.Popen(
        [str(script), "serve", "--db", url, "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        ready = False
        while time.monotonic() < deadline and not ready:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/v1/health/ready").status_code == 200
            except httpx.HTTPError:
                time.sleep(0.2)
        assert ready, "the workers never became ready"
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            answers = [client.get("/v1/health/live").status_code for _ in range(20)]
        assert answers == [200] * 20
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert server.returncode == 0, err.decode()[-2000:]
