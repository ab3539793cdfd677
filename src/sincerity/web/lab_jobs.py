"""Lab runs started from the web: a bounded queue, one run at a time per person, with progress.

A run computes for seconds to minutes; doing it while the request waits let anonymous visitors
fill the server's thread pool. Here a run is a job: at most `max_running` compute at once (the
rest of the server stays responsive), at most `max_waiting` wait behind them, each person has at
most one job queued or running, and the page polls the job's progress.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sincerity.core.errors import NotFoundError, RateLimitedError

Work = Callable[[Callable[[int], None]], str]


@dataclass
class LabJob:
    """One run: who asked, how far it got, and its report (or error) when done."""

    id: str
    owner: str
    total: int
    done: int = 0
    state: str = "waiting"  # waiting, running, finished, failed
    html: str = ""
    error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self, steps: int) -> None:
        with self._lock:
            self.done = min(self.total, self.done + steps)

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 100


class LabJobs:
    """The server's lab queue."""

    def __init__(self, max_running: int = 1, max_waiting: int = 4, keep: int = 50) -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_running, thread_name_prefix="lab")
        self._max_open = max_running + max_waiting
        self._keep = keep
        self._jobs: dict[str, LabJob] = {}
        self._lock = threading.Lock()

    def _open(self) -> list[LabJob]:
        return [j for j in self._jobs.values() if j.state in ("waiting", "running")]

    def submit(self, owner: str, total_steps: int, work: Work) -> LabJob:
        """Queue a run for `owner`; RateLimitedError when they already have one or the queue
        is full."""
        with self._lock:
            open_jobs = self._open()
            if any(j.owner == owner for j in open_jobs):
                raise RateLimitedError(10)  # one run at a time per person
            if len(open_jobs) >= self._max_open:
                raise RateLimitedError(30)
            job = LabJob(secrets.token_hex(8), owner, max(1, total_steps))
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.state in ("finished", "failed")]
            for old in finished[: max(0, len(finished) - self._keep)]:
                del self._jobs[old.id]
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: LabJob, work: Work) -> None:
        job.state = "running"
        try:
            job.html = work(job.advance)
            job.done = job.total
            job.state = "finished"
        except Exception as exc:  # the job reports it; the server carries on
            job.error = f"{type(exc).__name__}: {exc}"
            job.state = "failed"
            raise

    def get(self, job_id: str, owner: str) -> LabJob:
        """A job of `owner`'s (another person's job is not found)."""
        job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFoundError(f"no lab run {job_id!r} of yours")
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
