"""The Registry: one object a program (the CLI, the API, a script) opens to work with a registry.

It holds the database engine, the policy in force and the clock. Its methods are thin: the work
is done by the functions in the sibling modules, which own their transactions.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from sincerity.core.errors import ConfigurationError
from sincerity.core.policy import Policy, policy_from_data
from sincerity.db import current_revision, head_revision, make_engine, repo, upgrade
from sincerity.policies import shipped_policy
from sincerity.services.kek import resolve_kek, seal_plaintext_keys

if TYPE_CHECKING:
    from sincerity.services.reputation import TrustMemory

Clock = Callable[[], datetime]
T = TypeVar("T")
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


class ThreadNeeded(Exception):  # noqa: N818 — a signal to the caller, not a failure
    """This work cannot finish without waiting or working long: run it in a worker thread.
    Nothing was written."""


class WriterBusy(ThreadNeeded):
    """The write transaction could not start without waiting (it may in a moment)."""


def utc_now() -> datetime:
    """The real clock. Tests pass their own."""
    return datetime.now(UTC)


@dataclass
class Registry:
    """An open registry: its database, the policy in force, and the clock."""

    engine: Engine
    policy: Policy
    clock: Clock = field(default=utc_now)
    kek: bytes | None = field(default=None, repr=False)
    _writer: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _impatient: Engine | None = field(default=None, repr=False)
    # The rating graph the trust job last computed on, kept for its next run (see trust_job),
    # unless keep_trust_graph is off.
    trust_memory: TrustMemory | None = field(default=None, repr=False)
    keep_trust_graph: bool = True

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for single-statement reads: on PostgreSQL in autocommit, so a read is one
        round trip without the BEGIN and ROLLBACK around it (for the hot paths). SQLite's driver
        starts no transaction for a read anyway (and switching it costs more than it saves)."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name != "sqlite":
                conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction. On SQLite, which has one writer at a time, the threads of this
        process queue on a lock instead of spinning in SQLite's busy handler."""
        if self.engine.dialect.name != "sqlite":
            with self.engine.begin() as conn:
                yield conn
            return
        with self._writer, self.engine.begin() as conn:
            yield conn

    @contextmanager
    def single_statement_write(self) -> Iterator[Connection]:
        """A connection for a write that is one statement, atomic by itself: on PostgreSQL in
        autocommit, one round trip without the BEGIN and COMMIT around it (the relying parties'
        hot path); on SQLite a write transaction, as `transaction`."""
        if self.engine.dialect.name == "sqlite":
            with self.transaction() as conn:
                yield conn
            return
        with self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn

    @contextmanager
    def transaction_without_waiting(self) -> Iterator[Connection]:
        """A write transaction on SQLite only if it can start now: WriterBusy (nothing written)
        when a thread of this process or another process holds the writer. For work on a
        server's event loop, which must never wait for a lock (it would stall every request)."""
        in_memory = self.engine.url.database in (None, "", ":memory:")  # no second connection
        if self.engine.dialect.name != "sqlite" or in_memory:
            raise WriterBusy()
        if not self._writer.acquire(blocking=False):
            raise WriterBusy()
        try:
            try:
                with self._impatient_engine().begin() as conn:
                    yield conn
            except OperationalError as error:
                if "locked" in str(error.orig) or "busy" in str(error.orig):
                    raise WriterBusy() from error
                raise
        finally:
            self._writer.release()

    def _impatient_engine(self) -> Engine:
        """Connections to the same SQLite file that fail at once, instead of waiting, when
        another process writes (made on first use; few, as the event loop uses one at a time)."""
        if self._impatient is None:
            self._impatient = make_engine(
                self.engine.url.render_as_string(hide_password=False), busy_timeout_ms=0
            )
        return self._impatient

    def run_in_transaction(self, work: Callable[[Connection], T], attempts: int = 5) -> T:
        """Run `work` in a write transaction, again from the start if the database aborted it as
        a serialisation failure or a deadlock (PostgreSQL asks for exactly that): the work is
        all or nothing, so a retry never doubles anything."""
        for attempt in range(attempts):
            try:
                with self.transaction() as conn:
                    return work(conn)
            except DBAPIError as exc:
                code = getattr(exc.orig, "sqlstate", None)
                if code not in TRANSIENT_SQLSTATES or attempt == attempts - 1:
                    raise
                time.sleep(0.01 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    @classmethod
    def create(
        cls,
        url: str,
        policy: Policy | None = None,
        clock: Clock = utc_now,
        kek_file: Path | None = None,
    ) -> Registry:
        """Create (or upgrade) the schema and put `policy` (default: 'default') in force. A SQLite
        registry without a key-encryption key gets one beside its file (see services.kek)."""
        engine = make_engine(url)
        upgrade(engine)
        registry = cls(engine, policy or shipped_policy(), clock, resolve_kek(url, kek_file, True))
        registry.use_policy(registry.policy)
        registry._seal_keys()
        return registry

    @classmethod
    def open(cls, url: str, clock: Clock = utc_now, kek_file: Path | None = None) -> Registry:
        """Open an existing registry; it must have been created with `sincerity init`."""
        engine = make_engine(url)
        revision = current_revision(engine)
        if revision is None:
            raise ConfigurationError(
                f"no registry at {engine.url.render_as_string(hide_password=True)}: "
                "create one with `sincerity init`"
            )
        if revision != head_revision():
            upgrade(engine)
        with engine.connect() as conn:
            body = repo.active_policy_body(conn)
        policy = shipped_policy() if body is None else policy_from_data(json.loads(body))
        registry = cls(engine, policy, clock, resolve_kek(url, kek_file, True))
        registry._seal_keys()
        return registry

    def _seal_keys(self) -> None:
        """Seal signing keys left in plain text by an older version (once, on open)."""
        if self.kek is None:
            return
        with self.engine.connect() as conn:
            plain = repo.has_plaintext_key(conn)
        if plain:
            with self.transaction() as conn:
                seal_plaintext_keys(conn, self.kek)

    def now(self) -> datetime:
        """The current time, from the registry's clock."""
        return self.clock()

    def today(self) -> date:
        """Today's date, from the registry's clock."""
        return self.clock().date()

    def use_policy(self, policy: Policy) -> None:
        """Store `policy` and put it in force for every score computed from now on."""
        body = json.dumps(policy.content, sort_keys=True)
        with self.transaction() as conn:
            repo.ensure_policy(conn, policy.version, policy.name, body, self.now())
            repo.activate_policy(conn, policy.version)
        self.policy = policy

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        if self._impatient is not None:
            self._impatient.dispose()
