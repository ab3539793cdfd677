"""`serve --workers N`: uvicorn's multiprocess supervisor over a listening socket that keeps
TCP_NODELAY on every connection.

uvicorn binds the shared socket with `proto` 0; accepted sockets inherit it, and asyncio only
turns Nagle's algorithm off when `proto` is IPPROTO_TCP, so every keep-alive request after the
first waited ~40 ms on the client's delayed ACK (uvicorn issue 3149). The socket is re-wrapped
with IPPROTO_TCP before the workers inherit it. Workers are given a generous start-up deadline:
on a loaded host, importing and building the app can take longer than uvicorn's default 5 s,
and the supervisor would otherwise kill and restart them forever, never becoming ready.

Run as `python -m sincerity.api.supervisor HOST PORT WORKERS LOG_LEVEL`; the workers build the
site from SINCERITY_* variables.
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

WORKER_START_DEADLINE_S = 120


def tcp_nodelay_listener(config: uvicorn.Config) -> socket.socket:
    """The configured listening socket, with IPPROTO_TCP set so accepted connections get
    TCP_NODELAY."""
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto != socket.IPPROTO_TCP:
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
        sock.set_inheritable(True)
    return sock


def main(argv: list[str]) -> None:
    """Serve the site from SINCERITY_* variables with `workers` processes."""
    host, port, workers, log_level = argv
    config = uvicorn.Config(
        "sincerity.web:create_site_from_env",
        factory=True,
        host=host,
        port=int(port),
        workers=int(workers),
        access_log=False,
        log_level=log_level,
        timeout_worker_healthcheck=WORKER_START_DEADLINE_S,
    )
    Multiprocess(config, sockets=[tcp_nodelay_listener(config)]).run()


if __name__ == "__main__":
    main(sys.argv[1:])
