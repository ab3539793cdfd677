"""Rate limits shared by workers: what one worker spends, another sees — at once for its own
spending, within PEEK_REUSE_SECONDS for another's (a worker reuses a bucket it found full)."""

from __future__ import annotations

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
