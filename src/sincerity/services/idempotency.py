"""Idempotency keys: a retried request does its work once.

The key is claimed before any work, by inserting its row (the primary key makes the claim
atomic on every backend). Exactly one request wins the claim and does the work; the others with
the same key and body wait for its response and replay it; a different body is a conflict. If the
winner fails, its claim is released so a retry can do the work.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from sincerity.core.errors import IdempotencyConflictError
from sincerity.db import repo
from sincerity.services.registry import Registry

PENDING = 0  # the status of a claimed key whose work is not finished
WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Replay:
    """The stored response of the request that did the work."""

    status: int
    response: str


def claim(registry: Registry, actor_id: str, key: str, request_hash: str) -> Replay | None:
    """Claim `key` for this request: None when this request must do the work, or the response
    to replay. IdempotencyConflictError when the key was used with another body."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with registry.transaction() as conn:
                repo.claim_idempotency_key(
                    conn, key, actor_id, request_hash, PENDING, registry.now()
                )
            return None
        except IntegrityError:
            pass  # someone holds the key: wait for its answer
        while True:
            with registry.engine.connect() as conn:
                row = repo.idempotency_entry(conn, key, actor_id)
            if row is None:
                break  # the holder failed and released it: try to claim again
            if row["request_hash"] != request_hash:
                raise IdempotencyConflictError(
                    "this Idempotency-Key was used with a different request body"
                )
            if row["status"] != PENDING:
                return Replay(row["status"], row["response"])
            if time.monotonic() > deadline:
                raise IdempotencyConflictError(
                    "a request with this Idempotency-Key is still being processed: retry later"
                )
            time.sleep(0.02)


def complete(registry: Registry, actor_id: str, key: str, status: int, response: str) -> None:
    """Store the response of the request that did the work."""
    with registry.transaction() as conn:
        repo.complete_idempotency_key(conn, key, actor_id, status, response)


def release(registry: Registry, actor_id: str, key: str) -> None:
    """Give up a claim whose work failed, so that a retry may do it."""
    with registry.transaction() as conn:
        repo.release_idempotency_key(conn, key, actor_id, PENDING)
