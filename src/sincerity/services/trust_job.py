"""The trust job: global trust recomputed off the ingest path, and the subjects it moved rescored.

Ingest marks trust stale when a batch brings ratings or identity verifications; this job (run by
`sincerity jobs run trust` and on a timer by `sincerity serve`) brings it up to date.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from sqlalchemy import Connection

from sincerity.db import repo
from sincerity.services.registry import Registry
from sincerity.services.reputation import TrustRun, compute_trust, store_trust
from sincerity.services.scores import rescore_subjects

log = logging.getLogger("sincerity.trust")


def trust_job(registry: Registry, force: bool = False) -> int:
    """The trust job: when the rating graph changed since trust was computed (or `force`),
    recompute it outside the write lock, store the difference and rescore the subjects it
    moved, in one transaction. Returns how many subjects were rescored."""
    with registry.engine.connect() as conn:
        taken_in = repo.pending_trust_changes(conn)
        if not force and not taken_in and repo.trust_computed_at(conn) is not None:
            return 0
        now = registry.now()
        computed = compute_trust(conn, registry.policy, now.date())

    def write(conn: Connection) -> tuple[int, list[str]]:
        changed, affected = store_trust(conn, computed, now)
        repo.mark_trust_computed(conn, now, taken_in)
        subjects = sorted(affected)
        rescore_subjects(conn, registry.policy, subjects, now.date(), now)
        return changed, subjects

    changed, subjects = registry.run_in_transaction(write)
    run = TrustRun.of(computed, changed, len(subjects))
    log.info("global trust recomputed by the trust job", extra=asdict(run))
    return len(subjects)
