"""Rate limits in a store every worker shares: token buckets keyed by party (so rotating a key
does not refill them) or, for requests without a valid key, by client address. The buckets
themselves live in `sincerity.db.rate_buckets`."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sincerity.core.errors import RateLimitedError
from sincerity.db.rate_buckets import Buckets, MemoryBuckets
from sincerity.services.kek import sqlite_path
from sincerity.services.registry import Registry


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
        self.buckets: Buckets | MemoryBuckets = (
            MemoryBuckets()
            if in_memory
            else Buckets(registry.engine, sqlite_path(str(registry.engine.url)))
        )

    def take(self, key: str, limit: Limit) -> None:
        """Spend one token of `key`'s bucket, or raise RateLimitedError with when to retry."""
        tokens = self.buckets.take(key, limit.burst, limit.rate, time.time())
        if tokens < 0:
            raise RateLimitedError(max(1, math.ceil(-tokens / limit.rate)))

    def check(self, key: str, limit: Limit) -> None:
        """Raise RateLimitedError if `key`'s bucket is empty, without spending from it."""
        found = self.buckets.peek(key)
        if found is None:
            return
        stored, updated = found
        tokens = min(limit.burst, stored + (time.time() - updated) * limit.rate)
        if tokens < 1:
            raise RateLimitedError(max(1, math.ceil((1 - tokens) / limit.rate)))
