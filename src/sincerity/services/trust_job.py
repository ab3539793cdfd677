"""The trust job: global trust recomputed off the ingest path, and the subjects it moved rescored.

Ingest, disputes and erasure mark trust stale when they change the rating graph; this job (run
by `sincerity jobs run trust` and on a timer by `sincerity serve`) brings it up to date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import date

from sqlalchemy import Connection

from sincerity.core.reputation import TrustParams, trust_params
from sincerity.db import repo
from sincerity.services.registry import Registry
from sincerity.services.reputation import (
    StoredTrust,
    TrustMemory,
    TrustRun,
    compute_trust,
    grow_trust,
    store_trust,
)
from sincerity.services.scores import rescore_subjects

log = logging.getLogger("sincerity.trust")
Progress = Callable[[int, int], None]  # (subjects rescored so far, of how many)
# Subjects rescored per write transaction when a trust computation moved many.
RESCORE_CHUNK = 500
PROGRESS_EVERY = 20_000  # subjects between two progress lines in the log


def trust_job(registry: Registry, force: bool = False, progress: Progress | None = None) -> int:
    """The trust job: when the rating graph changed since trust was computed (or `force`),
    recompute it outside the write lock and store the difference with the list of subjects it
    moved, in one transaction; then rescore them a chunk per transaction (see
    `finish_rescoring`, which reports to `progress`). Returns how many subjects were rescored.

    The graph is kept in memory (`registry.trust_memory`) for the next run: when what changed
    since is new batches and records that stopped or started counting, that run reads those
    records alone and changes the graph, instead of reading every rating again. `force` reads
    it afresh."""
    leftover = finish_rescoring(registry, progress=progress)  # an interrupted run's
    with registry.engine.connect() as conn:
        taken_in = repo.pending_trust_changes(conn)
        if not force and not taken_in and repo.trust_computed_at(conn) is not None:
            return leftover
        generation = repo.trust_generation(conn)
        now = registry.now()
        params = trust_params(registry.policy)
        memory = None if force else _usable(registry.trust_memory, generation, now.date(), params)
        grown = None
        if memory is not None and not taken_in.other:
            grown = grow_trust(conn, memory, taken_in)
        if grown is not None and memory is not None:
            computed, before = grown
            maybe_in = memory.maybe_in - set(taken_in.batches)
            nothing_later = memory.nothing_later  # it grew by nothing dated later
        else:
            computed, before = compute_trust(conn, registry.policy, now.date()), None
            # Batches committed while the graph was read may be in it already.
            maybe_in = frozenset(repo.pending_trust_changes(conn).batches) - set(taken_in.batches)
            latest = repo.latest_graph_day(conn)
            nothing_later = latest is None or latest <= now.date()

    def write(conn: Connection) -> tuple[StoredTrust, int]:
        stored = store_trust(conn, computed, now, before)
        stored_generation = repo.mark_trust_computed(conn, now, taken_in)
        repo.queue_rescore(conn, stored.affected, now)
        return stored, stored_generation

    stored, stored_generation = registry.run_in_transaction(write)
    # Another process storing a computation in between would leave a graph this one lacks.
    registry.trust_memory = (
        TrustMemory(
            stored_generation,
            now.date(),
            params,
            computed,
            stored.credibility,
            stored.damped_ids,
            stored.damped_factors,
            maybe_in,
            nothing_later,
        )
        if stored_generation == generation + 1 and registry.keep_trust_graph
        else None
    )
    rescored = finish_rescoring(registry, progress=progress)
    run = TrustRun.of(computed, stored.changed_nodes, len(stored.affected), grown is not None)
    log.info("global trust recomputed by the trust job", extra=asdict(run))
    return leftover + rescored


def _usable(
    memory: TrustMemory | None, generation: int, as_of: date, params: TrustParams
) -> TrustMemory | None:
    """The graph held in memory, if trust was last computed from it, by this policy, and it
    holds every rating of today (carried from an earlier day when none was left out for being
    dated later)."""
    if memory is None or memory.generation != generation:
        return None
    if memory.params != params or as_of < memory.as_of:
        return None
    if as_of > memory.as_of:
        return memory.on(as_of) if memory.nothing_later else None
    return memory


def finish_rescoring(
    registry: Registry, chunk: int | None = None, progress: Progress | None = None
) -> int:
    """Rescore the subjects a trust computation moved, `chunk` per write transaction: the
    writer is never held for a whole large rescore (ingest and checks go between chunks), and
    what a crash interrupts is still listed for the next run. `progress` hears (done, of how
    many) after each chunk. Returns how many."""
    size = chunk or RESCORE_CHUNK
    done = 0
    if progress is not None:
        with registry.engine.connect() as conn:
            owed_at_start = repo.count_rescore_due(conn)
    while True:

        def one_chunk(conn: Connection) -> int:
            subjects = repo.rescore_due(conn, size)
            if subjects:
                now = registry.now()
                rescore_subjects(conn, registry.policy, subjects, now.date(), now, keep=False)
                repo.rescore_done(conn, subjects)
            return len(subjects)

        rescored = registry.run_in_transaction(one_chunk)
        done += rescored
        if progress is not None and rescored:
            progress(done, max(done, owed_at_start))
        if rescored < size:
            return done
        if done % PROGRESS_EVERY < size:  # a long rescore says how far it is
            with registry.engine.connect() as conn:
                owed = repo.count_rescore_due(conn)
            log.info("rescoring the subjects trust moved", extra={"done": done, "owed": owed})
