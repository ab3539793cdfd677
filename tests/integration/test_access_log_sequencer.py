"""The access log's appends do not wait on one another; the sequencer files them in the tree in
the order they were written, contiguously, and what erasure redacts it redacts in line too."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from sincerity.db import repo, tables
from sincerity.services import Registry, access_log, add_subject
from sincerity.services.subject_file import erase
from sincerity.services.subject_view import access_entries
from tests.conftest import FixedClock


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Registry:
    reg = Registry.create(db_url, clock=clock)
    for subject in ("alice", "bob"):
        add_subject(reg, subject)
    yield reg
    reg.close()


def log_read(registry: Registry, subject: str, what: str) -> None:
    with registry.transaction() as conn:
        access_log.append(conn, subject, "relying_party", "acme", what, "tenancy", registry.now())


# PostgreSQL only: SQLite has one writer at a time, whatever the log does.
@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_an_append_never_waits_for_another_to_commit(registry: Registry) -> None:
    first = registry.engine.connect()
    transaction = first.begin()
    access_log.append(first, "alice", "relying_party", "acme", "slow", "tenancy", registry.now())
    finished = threading.Event()

    def second() -> None:
        log_read(registry, "bob", "fast")
        finished.set()

    thread = threading.Thread(target=second)
    thread.start()
    try:
        assert finished.wait(5), "an append waited for another transaction to commit"
    finally:
        transaction.commit()
        first.close()
        thread.join()
    assert access_log.sequence_log(registry) == 2
    with registry.engine.connect() as conn:
        assert access_log.verify(conn).ok


def test_the_sequencer_files_entries_in_order_contiguously(
    registry: Registry, clock: FixedClock
) -> None:
    for i in range(7):
        clock.moment += timedelta(seconds=1)
        log_read(registry, "alice" if i % 2 else "bob", f"read {i}")
    with registry.engine.connect() as conn:
        assert repo.has_pending_entries(conn)
        pending = access_log.entries_for(conn, "alice")
    assert [e["seq"] for e in pending] == [None, None, None]  # listed, not yet in the tree
    assert access_log.sequence_pending_in(registry, limit=3) == 3  # batches continue the count
    assert access_log.sequence_log(registry) == 4
    with registry.engine.connect() as conn:
        rows = conn.execute(
            select(tables.access_log.c.seq, tables.access_log.c.what).order_by("seq")
        ).all()
        assert access_log.verify(conn).ok
        assert not repo.has_pending_entries(conn)
    assert rows == [(i + 1, f"read {i}") for i in range(7)]
    assert [e.what for e in access_entries(registry, "alice")] == ["read 1", "read 3", "read 5"]


def test_erasure_redacts_entries_still_waiting_for_the_sequencer(registry: Registry) -> None:
    log_read(registry, "alice", "tier for tenancy")
    erase(registry, "alice")
    assert access_log.sequence_log(registry) == 2  # the read and the erasure itself
    a = tables.access_log.c
    with registry.engine.connect() as conn:
        texts = conn.execute(select(a.what, a.detail_salt).where(a.subject_id == "alice")).all()
        assert access_log.verify(conn).ok
    assert texts[0] == (access_log.ERASED, None)
