"""Token buckets in a store every worker shares, one upsert per request.

On PostgreSQL they live in the registry's `rate_buckets` table (UNLOGGED: losing them in a crash
only refills them). On SQLite they live in a small sidecar database beside the registry, written
without fsync, so rate limiting never waits on the registry's single writer lock. A server that is
the only process answering requests (`serve` with one worker) keeps them in its own memory
(`MemoryBuckets`): the same arithmetic without a write per request.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text

_SQLITE_TABLE = (
    "CREATE TABLE IF NOT EXISTS rate_buckets "
    "(key VARCHAR(200) PRIMARY KEY, tokens FLOAT NOT NULL, updated FLOAT NOT NULL)"
)


def _sidecar(path: Path | None) -> Engine:
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


class Buckets:
    """The shared store of a registry's token buckets."""

    def __init__(self, registry_engine: Engine, sqlite_file: Path | None) -> None:
        if registry_engine.dialect.name == "postgresql":
            self.engine = registry_engine
            least, greatest = "LEAST", "GREATEST"
        else:
            self.engine = _sidecar(sqlite_file)
            least, greatest = "MIN", "MAX"
        self._take = text(
            "INSERT INTO rate_buckets (key, tokens, updated) VALUES (:key, :burst - 1, :now) "
            "ON CONFLICT (key) DO UPDATE SET "
            f"tokens = {greatest}(-1.0, {least}(:burst, rate_buckets.tokens "
            "+ (:now - rate_buckets.updated) * :rate) - 1), updated = :now "
            "RETURNING tokens"
        )
        refilled_sql = f"{least}(:burst, tokens + (:now - updated) * :rate)"
        self._lease = text(
            f"UPDATE rate_buckets SET tokens = {refilled_sql} - :n, updated = :now "
            f"WHERE key = :key AND {refilled_sql} >= :at_least RETURNING tokens"
        )
        self._peek = text("SELECT tokens, updated FROM rate_buckets WHERE key = :key")
        self._lock = None if registry_engine.dialect.name == "postgresql" else threading.Lock()
        # PostgreSQL: one statement each, in autocommit — one round trip, no BEGIN and COMMIT
        # around it. (The SQLite sidecar keeps its plain transactions: cheaper there.)
        self._single = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if registry_engine.dialect.name == "postgresql"
            else self.engine
        )

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write: on SQLite queued behind this process's other writers (one writer at a
        time); on PostgreSQL, where the row's lock serialises spenders, not."""
        with self._lock or nullcontext(), self._single.begin() as conn:
            yield conn

    def take(self, key: str, burst: float, rate: float, now: float) -> float:
        """Spend one token of `key`'s bucket; returns the tokens left (negative: refused)."""
        params = {"key": key[:200], "burst": burst, "now": now, "rate": rate}
        with self._writing() as conn:
            return float(conn.execute(self._take, params).scalar_one())

    def lease(
        self, key: str, n: int, at_least: float, burst: float, rate: float, now: float
    ) -> bool:
        """Spend `n` tokens of `key`'s bucket at once if it holds `at_least` tokens (and at
        least `n`); False, spending nothing, if not or if it has no bucket yet."""
        params = {
            "key": key[:200],
            "n": n,
            "at_least": max(at_least, n),
            "burst": burst,
            "now": now,
            "rate": rate,
        }
        with self._writing() as conn:
            return conn.execute(self._lease, params).first() is not None

    def peek(self, key: str) -> tuple[float, float] | None:
        """(tokens, when last updated) of `key`'s bucket, or None when it has none."""
        with self._single.connect() as conn:
            row = conn.execute(self._peek, {"key": key[:200]}).first()
        return None if row is None else (float(row.tokens), float(row.updated))


def refilled(stored: float, updated: float, now: float, burst: float, rate: float) -> float:
    """A bucket's tokens at `now`: what it held at `updated`, refilled at `rate`, up to `burst`
    (the arithmetic the SQL of `Buckets` does too)."""
    return min(burst, stored + (now - updated) * rate)


class MemoryBuckets:
    """The same token buckets in this process's memory, for a server that is the only process
    answering requests: nothing else could spend from them."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str, burst: float, rate: float, now: float) -> float:
        """As `Buckets.take`: spend one token; returns the tokens left (negative: refused)."""
        key = key[:200]
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                tokens = burst - 1
            else:
                tokens = max(-1.0, refilled(*found, now, burst, rate) - 1)
            self._buckets[key] = (tokens, now)
            return tokens

    def peek(self, key: str) -> tuple[float, float] | None:
        """As `Buckets.peek`."""
        with self._lock:
            return self._buckets.get(key[:200])
