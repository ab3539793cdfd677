"""Jobs: work that follows the clock, not a request. Reads never write; these do.

`sincerity jobs run` runs them once; `sincerity serve` runs them on a timer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial

from sincerity.services.access_log import sequence_log
from sincerity.services.disputes import sweep_overdue
from sincerity.services.registry import Registry
from sincerity.services.scores import trust_status
from sincerity.services.trust_job import Progress, trust_job

log = logging.getLogger("sincerity.jobs")

# Each job takes the registry and, for one that can take long, whom to tell how far it is.
JOBS: dict[str, tuple[str, Callable[[Registry, Progress | None], int]]] = {
    "sweep": (
        "suppress disputes left unanswered past their 30-day deadline",
        lambda registry, _: sweep_overdue(registry),
    ),
    "log": (
        "give access-log entries waiting for the sequencer their place in the tree",
        lambda registry, _: sequence_log(registry),
    ),
    "trust": (
        "recompute global trust if ratings changed, and rescore the subjects it moved",
        lambda registry, progress: trust_job(registry, progress=progress),
    ),
}


def run_jobs(
    registry: Registry,
    names: list[str] | None = None,
    timed: Callable[[str, float], None] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Run the named jobs (all by default); returns what each did (a count). `timed` hears how
    long each took; `progress`, how far a long one is (job, done, of how many; today only the
    trust job's rescoring reports)."""
    chosen = names or list(JOBS)
    unknown = sorted(set(chosen) - set(JOBS))
    if unknown:
        from sincerity.core.errors import InvalidInputError

        raise InvalidInputError(f"unknown job {', '.join(unknown)}: the jobs are {', '.join(JOBS)}")
    done = {}
    for name in chosen:
        started = time.perf_counter()
        told = None if progress is None else partial(progress, name)
        done[name] = JOBS[name][1](registry, told)
        if timed is not None:
            timed(name, time.perf_counter() - started)
    return done


def start_timer(
    registry: Registry,
    every: dict[str, float],
    timed: Callable[[str, float], None] | None = None,
    staleness_bound: float | None = None,
) -> threading.Event:
    """Run each named job now and then every `every[name]` seconds, in a daemon thread; set the
    returned event to stop it. A failing job is logged with its traceback and tried again at its
    next turn. With `staleness_bound`, after each turn of the trust job a warning is logged if
    global trust has been stale for longer than that many seconds (the job is failing or cannot
    keep up)."""
    stop = threading.Event()
    due = dict.fromkeys(every, 0.0)

    def loop() -> None:
        while not stop.is_set():
            now = time.monotonic()
            ready = [n for n, at in due.items() if at <= now]
            for name in ready:
                due[name] = now + every[name]
                try:
                    done = run_jobs(registry, [name], timed=timed)
                    level = logging.INFO if done[name] else logging.DEBUG  # idle runs are quiet
                    log.log(level, "job ran", extra={"job": name, "done": done[name]})
                except Exception:
                    log.exception("job %s failed; it runs again at its next turn", name)
            # Checked at the trust job's own pace: the access-log sequencer wakes the loop every
            # second, and a lag checked (and warned about) that often would flood the log.
            if staleness_bound is not None and "trust" in ready and not stop.is_set():
                try:
                    _warn_if_trust_lags(registry, staleness_bound)
                except Exception:  # the timer must outlive a failed look, as a failed job
                    log.exception("could not check how stale global trust is")
            stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    threading.Thread(target=loop, name="sincerity-jobs", daemon=True).start()
    return stop


def _warn_if_trust_lags(registry: Registry, bound: float) -> None:
    stale_since = trust_status(registry).stale_since
    if stale_since is None:
        return
    lag = (registry.now() - stale_since).total_seconds()
    if lag > bound:
        log.warning(
            "global trust has been stale for %.0f s, beyond the %.0f s bound",
            lag,
            bound,
            extra={"stale_seconds": lag, "bound_seconds": bound},
        )
