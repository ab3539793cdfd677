"""Rate limits in a store every worker shares: token buckets keyed by party (so rotating a key
does not refill them) or, for requests without a valid key, by client address. The buckets
themselves live in `sincerity.db.rate_buckets`."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from sincerity.core.errors import RateLimitedError
from sincerity.db.rate_buckets import Buckets, MemoryBuckets, refilled
from sincerity.services.kek import sqlite_path
from sincerity.services.registry import Registry

PEEK_REUSE_SECONDS = 1.0
MAX_SEEN = 10_000
LEASE_SECONDS = 1.0
MAX_LEASE_TOKENS = 10


def lease_size(limit: Limit) -> int:
    """Tokens a process takes at once from a shared bucket: a twentieth of the burst, at most
    MAX_LEASE_TOKENS (1: no leasing, for a small burst)."""
    return max(1, min(MAX_LEASE_TOKENS, int(limit.burst // 20)))


@dataclass(frozen=True)
class Limit:
    """`per_minute` sustained, `burst` at once."""

    per_minute: float
    burst: float

    @property
    def rate(self) -> float:
        return self.per_minute / 60.0


class RateLimits:
    """Token buckets in the shared store of this registry, or (`in_memory`, for a server that is
    the only process answering requests) in this process."""

    def __init__(self, registry: Registry, in_memory: bool = False) -> None:
        self.in_memory = in_memory
        # What this process last learnt of a bucket: (tokens, as of, when read), by key.
        self._seen: dict[str, tuple[float, float, float]] = {}
        # Tokens this process took from a shared bucket ahead of spending them: (left, until).
        # (Under the limit they were taken for: a lease outlives no change of limit.)
        self._leases: dict[str, tuple[int, float, Limit]] = {}
        self._lock = threading.Lock()
        self.buckets: Buckets | MemoryBuckets = (
            MemoryBuckets()
            if in_memory
            else Buckets(registry.engine, sqlite_path(str(registry.engine.url)))
        )

    def take(self, key: str, limit: Limit, lease: bool = False) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimitedError with when to retry.

        With `lease` (a party's bucket in the shared store), while the bucket is at least half
        full this process takes `lease_size` tokens of it in one statement and spends them itself
        over the next LEASE_SECONDS: one write per ten requests instead of one each. Tokens
        are taken from the shared bucket before they are spent, so no more requests pass than
        the bucket allows; a lease left unspent when it lapses is lost (fewer pass, never more),
        and below half full every request spends from the shared bucket itself."""
        now = time.time()
        if lease and isinstance(self.buckets, Buckets):
            if self._spend_leased(key, limit, now):
                return
            size = lease_size(limit)
            if size > 1 and self.buckets.lease(
                key, size, limit.burst / 2, limit.burst, limit.rate, now
            ):
                with self._lock:  # (another thread's lease taken meanwhile adds up)
                    held = self._leases.get(key)
                    usable = held is not None and now < held[1] and held[2] == limit
                    left = held[0] if held is not None and usable else 0
                    self._leases[key] = (left + size - 1, now + LEASE_SECONDS, limit)
                return
        tokens = self.buckets.take(key, limit.burst, limit.rate, now)
        if key in self._seen:  # a bucket `check` reads: keep what it will reuse current
            self._seen[key] = (tokens, now, now)
        if tokens < 0:
            raise RateLimitedError(max(1, math.ceil(-tokens / limit.rate)))

    def _spend_leased(self, key: str, limit: Limit, now: float) -> bool:
        """Spend a token this process leased for `key`, if it holds one taken under `limit`
        that has not lapsed."""
        with self._lock:
            held = self._leases.get(key)
            if held is None or held[0] < 1 or now >= held[1] or held[2] != limit:
                self._leases.pop(key, None)
                return False
            self._leases[key] = (held[0] - 1, held[1], held[2])
            return True

    def check(self, key: str, limit: Limit) -> None:
        """Raise RateLimitedError if `key`'s bucket is empty, without spending from it. A bucket
        this process found comfortably full (two tokens or more) is not read again for
        PEEK_REUSE_SECONDS: every request checks its address's failures, and a fuller bucket
        cannot empty that fast through this process (whose own spending updates what it saw);
        spending by other workers is seen within that time."""
        now = time.time()
        seen = self._seen.get(key)
        if (
            seen is not None
            and now - seen[2] < PEEK_REUSE_SECONDS
            and refilled(seen[0], seen[1], now, limit.burst, limit.rate) >= 2
        ):
            return
        if len(self._seen) > MAX_SEEN:  # many addresses: forget what is stale anyway
            self._seen = {k: v for k, v in self._seen.items() if now - v[2] < PEEK_REUSE_SECONDS}
        found = self.buckets.peek(key)
        if found is None:
            self._seen[key] = (limit.burst, now, now)
            return
        self._seen[key] = (*found, now)
        tokens = refilled(*found, now, limit.burst, limit.rate)
        if tokens < 1:
            raise RateLimitedError(max(1, math.ceil((1 - tokens) / limit.rate)))
