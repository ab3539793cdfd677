"""Relying parties: check a subject's tier for a purpose the subject consented to."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from sincerity.api.deps import ApiKey, RegistryDep, actor_for, require_kind
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import CheckIn, CheckOut
from sincerity.services.checks import check
from sincerity.services.keys import Actor
from sincerity.services.rate_limits import RateLimits
from sincerity.services.registry import ThreadNeeded, WriterBusy

router = APIRouter(prefix="/v1", tags=["relying parties"], responses=ERROR_RESPONSES)
# How long a check on the event loop keeps trying for the writer before it waits in a thread.
WRITER_PATIENCE_SECONDS = 0.05


@router.post("/checks", response_model=CheckOut)
async def trust_check(
    request: Request, body: CheckIn, registry: RegistryDep, key: ApiKey
) -> CheckOut:
    """The subject's tier, and whether the score clears `threshold` — never the records, and the
    exact score only if the subject allowed it. Without consent: 403, whether or not the subject
    exists."""

    limits: RateLimits = request.app.state.rate_limits

    def authenticate() -> Actor:
        return require_kind(actor_for(request, registry, key), "relying_party", "relying parties")

    def run(party: Actor, wait: bool) -> CheckOut:
        return check(registry, party, body.subject_id, body.purpose, body.threshold, wait)

    if limits.in_memory and registry.engine.dialect.name == "sqlite":
        # The relying party's hot path on a one-process SQLite server: authentication is reads
        # (rate limits in memory) and the check a read and one short write, done here — the
        # trip to a worker thread cost more than the work (0.39-0.45x -> 0.59-0.70x the
        # throughput of /v1/health under load). A check that finds the writer busy tries again
        # shortly, then waits in a thread, as does one that must score a subject afresh: the
        # event loop never waits for a lock.
        party = authenticate()
        give_up = time.monotonic() + WRITER_PATIENCE_SECONDS
        while True:
            try:
                return run(party, wait=False)
            except WriterBusy:
                # Another thread's write is short: yield to other requests and try again,
                # rather than join a queue of threads behind the lock.
                if time.monotonic() > give_up:
                    break
                await asyncio.sleep(0.001)
            except ThreadNeeded:
                break
        return await run_in_threadpool(run, party, True)

    # Elsewhere (PostgreSQL: network round trips), authentication and the check in one trip to
    # the thread pool, not one per dependency.
    return await run_in_threadpool(lambda: run(authenticate(), True))
