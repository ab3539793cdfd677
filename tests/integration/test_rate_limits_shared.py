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


def test_many_clients_at_once_in_two_workers_get_exactly_the_burst(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concurrent spending never lets more through than the bucket holds: on PostgreSQL the
    workers' threads spend without a lock of their own, the row's lock serialises them."""
    monkeypatch.setattr(module.time, "time", lambda: 2_000_000.0)  # no refill meanwhile
    limit = Limit(per_minute=1, burst=30)
    workers = [RateLimits(registry), RateLimits(registry)]
    admitted: list[int] = []

    def client(index: int) -> None:
        for _ in range(8):
            try:
                workers[index % 2].take("party:relying_party:greedy", limit)
                admitted.append(1)
            except RateLimitedError:
                pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 30  # 96 attempts, a burst of 30
