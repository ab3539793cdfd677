"""Rate limits shared by workers: what one worker spends, another sees — at once for its own
spending, within PEEK_REUSE_SECONDS for another's (a worker reuses a bucket it found full)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sincerity.core.errors import RateLimitedError
from sincerity.services import Registry
from sincerity.services import rate_limits as module
from sincerity.services.rate_limits import PEEK_REUSE_SECONDS, Limit, RateLimits


@pytest.fixture
def registry(db_url: str) -> Iterator[Registry]:
    reg = Registry.create(db_url)
    yield reg
    reg.close()


def test_another_workers_failures_are_seen_within_the_reuse_window(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(module.time, "time", lambda: now[0])
    limit = Limit(per_minute=10, burst=5)
    first, second = RateLimits(registry), RateLimits(registry)  # two workers, one store
    first.check("auth-failure:10.0.0.1", limit)  # full: reused for a moment
    for _ in range(5):
        second.take("auth-failure:10.0.0.1", limit)  # the other worker sees five failures
    first.check("auth-failure:10.0.0.1", limit)  # still within the reuse window
    now[0] += PEEK_REUSE_SECONDS + 0.01  # (refilling 0.17 tokens meanwhile: still empty)
    with pytest.raises(RateLimitedError):
        first.check("auth-failure:10.0.0.1", limit)
    with pytest.raises(RateLimitedError):  # its own spending it sees at once
        first.take("auth-failure:10.0.0.1", limit)
        first.check("auth-failure:10.0.0.1", limit)


def admitted_from_two_workers(
    registry: Registry, limit: Limit, key: str, attempts_each: int, lease: bool
) -> int:
    """Requests that pass when 12 threads, spread over two workers, each try `attempts_each`
    times to spend from `key`'s bucket at once."""
    workers = [RateLimits(registry), RateLimits(registry)]
    admitted: list[int] = []

    def client(index: int) -> None:
        for _ in range(attempts_each):
            try:
                workers[index % 2].take(key, limit, lease=lease)
                admitted.append(1)
            except RateLimitedError:
                pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(admitted)


def test_many_clients_at_once_in_two_workers_get_exactly_the_burst(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrent spending never lets more through than the bucket holds: on PostgreSQL the
    workers' threads spend without a lock of their own, the row's lock serialises them."""
    monkeypatch.setattr(module.time, "time", lambda: 2_000_000.0)  # no refill meanwhile
    limit = Limit(per_minute=1, burst=30)
    key = "party:relying_party:greedy"
    assert admitted_from_two_workers(registry, limit, key, 8, lease=False) == 30  # of 96


def test_leased_tokens_never_let_more_through_than_the_bucket_holds(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers lease a party's tokens ten at a time while its bucket is over half full:
    600 attempts from 12 threads against a burst of 400 let exactly 400 through."""
    monkeypatch.setattr(module.time, "time", lambda: 3_000_000.0)  # no refill, no lapse
    limit = Limit(per_minute=1, burst=400)
    key = "party:relying_party:busy"
    assert admitted_from_two_workers(registry, limit, key, 50, lease=True) == 400


def test_a_lease_saves_writes_and_lapses(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [4_000_000.0]
    monkeypatch.setattr(module.time, "time", lambda: now[0])
    limit = Limit(per_minute=60, burst=1000)  # leases of 10 while 500 or more are left
    limits = RateLimits(registry)
    writes: list[str] = []
    for name in ("take", "lease"):
        original = getattr(limits.buckets, name)

        def counted(*args: object, _original: object = original, _name: str = name) -> object:
            writes.append(_name)
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(limits.buckets, name, counted)
    for _ in range(101):
        limits.take("party:source:utility", limit, lease=True)
    # The first request found no bucket to lease from; then one lease per ten: 12 statements
    # for 101 requests.
    assert writes.count("take") == 1 and writes.count("lease") == 11
    stored = limits.buckets.peek("party:source:utility")
    assert stored is not None and stored[0] == pytest.approx(1000 - 1 - 100)
    now[0] += module.LEASE_SECONDS  # the lease lapses; its nine unspent tokens are not spent
    limits.take("party:source:utility", limit, lease=True)
    assert writes.count("lease") == 12
    stored = limits.buckets.peek("party:source:utility")
    assert stored is not None and stored[0] == pytest.approx(1000 - 111 + 1)  # (+1 refilled)
