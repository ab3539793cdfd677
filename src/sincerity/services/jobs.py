"""Jobs: work that follows the clock, not a request. Reads never write; these do.

`sincerity jobs run` runs them once; `sincerity serve` runs them on a timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sincerity.services.disputes import sweep_overdue
from sincerity.services.registry import Registry

log = logging.getLogger("sincerity.jobs")

JOBS: dict[str, tuple[str, Callable[[Registry], int]]] = {
    "sweep": ("suppress disputes left unanswered past their 30-day deadline", sweep_overdue),
}


def run_jobs(
    registry: Registry,
    names: list[str] | None = None,
    timed: Callable[[str, float], None] | None = None,
) -> dict[str, int]:
    """Run the named jobs (all by default); returns what each did (a count). `timed` hears how
    long each took."""
    chosen = names or list(JOBS)
    unknown = sorted(set(chosen) - set(JOBS))
    if unknown:
        from sincerity.core.errors import InvalidInputError

        raise InvalidInputError(f"unknown job {', '.join(unknown)}: the jobs are {', '.join(JOBS)}")
    done = {}
    for name in chosen:
        started = time.perf_counter()
        done[name] = JOBS[name][1](registry)
        if timed is not None:
            timed(name, time.perf_counter() - started)
    return done


def start_timer(
    registry: Registry,
    interval_seconds: float,
    timed: Callable[[str, float], None] | None = None,
) -> threading.Event:
    """Run every job now and then every `interval_seconds` in a daemon thread; set the returned
    event to stop it. A failing job is logged with its traceback and tried again next time."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                done = run_jobs(registry, timed=timed)
                log.info("jobs ran", extra={"jobs": done})
            except Exception:
                log.exception("a scheduled job failed; it runs again at the next interval")
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="sincerity-jobs", daemon=True).start()
    return stop
