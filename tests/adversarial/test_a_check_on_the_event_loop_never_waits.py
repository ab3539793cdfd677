"""Promise: on a one-process SQLite server (rate limits in memory) a relying party's check runs
on the event loop, yet it keeps every promise of the threaded path — refused and not logged when
consent goes between its read and its log entry — and it never makes the server wait: a check
that would wait for the writer (another thread's write, another process's) or score a subject
afresh goes to a worker thread, and the server answers other requests meanwhile."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.adversarial.test_a_check_never_outlives_its_consent import (
    BODY,
    consented,
    entries,
)
from tests.adversarial.test_a_check_never_outlives_its_consent import (
    test_a_check_racing_a_revocation_or_an_erasure_is_refused_and_not_logged as consent_race,
)
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world

HOLD_SECONDS = 1.0


@pytest.fixture
def world(tmp_path: Path, clock: FixedClock) -> Iterator[World]:
    built = build_world(f"sqlite:///{tmp_path / 'loop.db'}", clock, rate_limit_store="memory")
    with built.client:  # one event loop for every request, as a server has
        yield built
    built.registry.close()


def check_while(world: World, hold: threading.Event, release: threading.Event) -> None:
    """Make a check while a writer is held; meanwhile the server must answer a health request
    long before the writer is released; then the check succeeds and is logged."""
    before = entries(world)
    answer: dict[str, object] = {}

    def checker() -> None:
        started = time.monotonic()
        answer["response"] = world.call("landlord", "POST", "/v1/checks", json=BODY)
        answer["seconds"] = time.monotonic() - started

    assert hold.wait(5)
    thread = threading.Thread(target=checker)
    thread.start()
    time.sleep(0.2)  # the check is in, waiting for the writer
    started = time.monotonic()
    assert world.client.get("/v1/health").status_code == 200
    assert time.monotonic() - started < HOLD_SECONDS / 2  # the event loop was free
    release.set()
    thread.join(10)
    response = answer["response"]
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert answer["seconds"] >= 0.2  # it waited for the writer, in a thread
    assert entries(world) == before + 1


def test_a_check_waiting_for_another_threads_write_does_not_stall_the_server(
    world: World,
) -> None:
    consented(world)
    hold, release = threading.Event(), threading.Event()

    def writer() -> None:
        with world.registry.transaction():
            hold.set()
            release.wait(HOLD_SECONDS)

    thread = threading.Thread(target=writer)
    thread.start()
    check_while(world, hold, release)
    thread.join(5)


def test_a_check_waiting_for_another_processs_write_does_not_stall_the_server(
    world: World, tmp_path: Path
) -> None:
    consented(world)
    hold, release = threading.Event(), threading.Event()

    def other_process() -> None:  # another connection, as a CLI import would hold it
        other = sqlite3.connect(tmp_path / "loop.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        hold.set()
        release.wait(HOLD_SECONDS)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=other_process)
    thread.start()
    check_while(world, hold, release)
    thread.join(5)


def test_a_check_that_must_score_afresh_is_answered_from_a_thread(world: World) -> None:
    consented(world)
    before = entries(world)
    world.clock.advance(days=1)  # no score stored for the new day yet
    response = world.call("landlord", "POST", "/v1/checks", json=BODY)
    assert response.status_code == 200, response.text
    assert response.json()["tier"] is not None
    assert entries(world) == before + 1


@pytest.mark.parametrize("how", ["revoked", "erased"])
def test_a_check_on_the_loop_racing_a_revocation_or_an_erasure_is_refused_and_not_logged(
    world: World, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """The threaded path's consent race, with this module's world: checks on the event loop."""
    consent_race(world, monkeypatch, how)
