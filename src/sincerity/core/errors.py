"""The exception tree. Every error a user can meet says what was wrong, where, and what to do.

SincerityError
├── InvalidInputError        bad input; carries every Problem found (file:line: field: message)
│   ├── RecordError          records that failed validation or were refused
│   ├── PolicyError          a policy or scorecard file that failed validation
│   ├── ConsentError         a source reported about a subject who has not consented to it,
│   │                        or is not registered for that kind of record
│   └── ConflictError        a record id reused with different content
├── NotFoundError            no such subject, source or record (or not yours to see)
├── PermissionDeniedError    the caller may not do this (another role's endpoint, no consent)
├── AuthenticationError      no valid API key or session
├── IdempotencyConflictError an Idempotency-Key reused with a different request
├── RateLimitedError         too many requests from one party or address
├── TooLargeError            a request body or batch over the configured cap
├── ConfigurationError       the registry cannot be opened or reached, or lacks its KEK
└── ConvergenceError         (core.reputation) global trust did not converge
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, and where it is."""

    message: str
    where: str = ""
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        location = self.where
        if self.line is not None:
            location = f"{location}:{self.line}" if location else f"line {self.line}"
        parts = [p for p in (location, self.field) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class SincerityError(Exception):
    """The root of every error Sincerity raises on purpose."""


class InvalidInputError(SincerityError):
    """Input that could not be accepted; nothing of it was applied."""

    def __init__(self, summary: str, problems: Sequence[Problem] = ()) -> None:
        self.summary = summary
        self.problems: tuple[Problem, ...] = tuple(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"{summary}\n{shown}" if shown else summary)


class RecordError(InvalidInputError):
    """Records that failed validation or were refused."""


class PolicyError(InvalidInputError):
    """A policy or scorecard file that failed validation."""


class ConsentError(InvalidInputError):
    """A source reported about a subject who has not consented to it."""


class ConflictError(InvalidInputError):
    """A record id was reused with different content."""


class NotFoundError(SincerityError):
    """No such subject, source, record or policy."""


class PermissionDeniedError(SincerityError):
    """The caller may not do this: no consent in force, or another party's object."""


class AuthenticationError(SincerityError):
    """No API key, or one that is unknown, malformed or revoked."""


class ConfigurationError(SincerityError):
    """The registry cannot be opened or reached."""


class IdempotencyConflictError(SincerityError):
    """An Idempotency-Key reused with a different request body."""


class TooLargeError(SincerityError):
    """A request body or batch over the configured cap."""


class RateLimitedError(SincerityError):
    """Too many requests from one caller."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"rate limit exceeded: retry in {retry_after} s")
