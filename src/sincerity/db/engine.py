"""make_engine(url): the one way to reach a registry database. Nothing is built at import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from sincerity.core.errors import ConfigurationError

POOL_RECYCLE_SECONDS = 300
# Connections a PostgreSQL engine keeps open: enough for a server's concurrent requests, so
# that a connection is not opened and closed per request under load (a new backend per request:
# relying-party checks at 0.23x the throughput of /v1/health with SQLAlchemy's default of 5,
# 0.37x with 20). As many again may open for a burst, and are closed after it.
POSTGRESQL_POOL_SIZE = 20
# A SQLite writer waits this long for another process's write to finish before it fails.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_url(url: str) -> str:
    """Accept plain 'postgresql://' URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        _set_pragmas(dbapi_connection, busy_timeout_ms)

    return set_pragmas


def _set_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged batch survives power loss
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")  # erased data is overwritten, not left in free pages
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.close()


def make_engine(url: str, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **options: Any) -> Engine:
    """An Engine for a SQLite file or a PostgreSQL server URL (`busy_timeout_ms`: how long a
    SQLite writer waits for another process's write before it fails)."""
    try:
        normalised = normalise_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ConfigurationError(f"not a database URL: {url!r} ({exc})") from None
    parsed = make_url(normalised)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(normalised, **options)
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        return engine
    if parsed.get_backend_name() == "postgresql":
        # Connections are recycled before a server or proxy idle timeout can drop them, instead
        # of a ping round-trip before every request; after a server restart the pool is
        # invalidated on the first failed statement and reconnects.
        return create_engine(
            normalised,
            pool_recycle=POOL_RECYCLE_SECONDS,
            pool_size=POSTGRESQL_POOL_SIZE,
            max_overflow=POSTGRESQL_POOL_SIZE,
            **options,
        )
    raise ConfigurationError(
        f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or postgresql://"
    )
