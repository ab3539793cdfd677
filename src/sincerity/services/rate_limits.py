"""Rate limits in a store every worker shares: token buckets, one upsert per request.

Buckets are keyed by party (so rotating a key does not refill them) or, for requests without a
valid key, by client address. On PostgreSQL they live in the registry's `rate_buckets` table
(UNLOGGED: losing them in a crash only refills them). On SQLite they live in a small sidecar
database beside the registry, written without fsync, so rate limiting never waits on the
registry's single writer lock.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event, text

from sincerity.core.errors import RateLimitedError
from sincerity.services.kek import sqlite_path
from sincerity.services.registry import Registry

_SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS rate_buckets "
    "(key VARCHAR(200) PRIMARY KEY, tokens FLOAT NOT NULL, updated FLOAT NOT NULL)"
)


@dataclass(frozen=True)
class Limit:
    """`per_minute` sustained, `burst` at once."""

    per_minute: float
    burst: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


def _sidecar_engine(registry: Registry) -> Engine:
    path = sqlite_path(str(registry.engine.url))
    url = "sqlite://" if path is None else f"sqlite:///{path.with_name(path.name + '-ratelimit')}"
    engine = create_engine(url)

    def pragmas(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")  # a lost bucket only refills
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    with engine.begin() as conn:
        conn.exec_driver_sql(_SQLITE_TABLE)
    return engine


class RateLimits:
    """Token buckets in the shared store of this registry."""

    def __init__(self, registry: Registry) -> None:
        if registry.engine.dialect.name == "postgresql":
            self.engine = registry.engine
            least, greatest = "LEAST", "GREATEST"
        else:
            self.engine = _sidecar_engine(registry)
            least, greatest = "MIN", "MAX"
        self._take = text(
            "INSERT INTO rate_buckets (key, tokens, updated) VALUES (:key, :burst - 1, :now) "
            "ON CONFLICT (key) DO UPDATE SET "
            f"tokens = {greatest}(-1.0, {least}(:burst, rate_buckets.tokens "
            "+ (:now - rate_buckets.updated) * :rate) - 1), updated = :now "
            "RETURNING tokens"
        )
        self._peek = text("SELECT tokens, updated FROM rate_buckets WHERE key = :key")
        self._lock = threading.Lock()  # SQLite: one writer per process, queued here

    def take(self, key: str, limit: Limit) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimitedError with when to retry."""
        params = {"key": key[:200], "burst": limit.burst, "now": time.time(), "rate": limit.rate}
        with self._lock, self.engine.begin() as conn:
            tokens = float(conn.execute(self._take, params).scalar_one())
        if tokens < 0:
            raise RateLimitedError(max(1, math.ceil(-tokens / limit.rate)))

    def check(self, key: str, limit: Limit) -> None:
        """Raise RateLimitedError if `key`'s bucket is empty, without spending from it."""
        with self.engine.connect() as conn:
            row = conn.execute(self._peek, {"key": key[:200]}).first()
        if row is None:
            return
        tokens = min(limit.burst, row.tokens + (time.time() - row.updated) * limit.rate)
        if tokens < 1:
            raise RateLimitedError(max(1, math.ceil((1 - tokens) / limit.rate)))
