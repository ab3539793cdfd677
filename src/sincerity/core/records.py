"""Records: one fact from one source about one subject, of a closed set of kinds.

A record either validates completely or is rejected with the field that was wrong. Unknown fields
are rejected; fields the registry refuses by design (speech, associations, location, purchases,
protected attributes — see `refusals`) are rejected with the reason.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from sincerity.core.refusals import refusals

RECORD_KINDS: tuple[str, ...] = ("payment", "contract", "rating", "judgment", "verification")

Identifier = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@/-]*$"),
]


class RefusedFieldError(ValueError):
    """A record carried a field the registry refuses by design."""


class _RecordBase(BaseModel):
    """Fields every record has."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Identifier = Field(description="The source's unique id for this record (idempotency key).")
    source: Identifier = Field(description="Who reports it.")
    subject: Identifier = Field(description="Whom it is about.")
    occurred_on: date = Field(description="When it happened (for a payment: its due date).")
    reported_on: date = Field(description="When the source reported it.")
    evidence: str | None = Field(
        default=None, max_length=2000, description="A reference to supporting evidence."
    )
    supersedes: Identifier | None = Field(
        default=None,
        description="The id of an earlier record from the same source that this one replaces "
        "(a judgment later satisfied, a corrected payment).",
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_forbidden_fields(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = refusals(data.keys())
            if found:
                raise RefusedFieldError("; ".join(r.reason for r in found))
        return data

    @model_validator(mode="after")
    def _check_dates(self) -> _RecordBase:
        if self.reported_on < self.occurred_on:
            raise ValueError("reported_on is earlier than occurred_on")
        if self.supersedes == self.id:
            raise ValueError("a record cannot supersede itself")
        return self


class Payment(_RecordBase):
    """A bill or instalment that fell due: paid on time, late, missed, or defaulted."""

    kind: Literal["payment"]
    status: Literal["on_time", "late", "missed", "defaulted"]
    days_late: int = Field(default=0, ge=0, le=3650)
    amount: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)

    @model_validator(mode="after")
    def _days_late_matches_status(self) -> Payment:
        if self.status == "late" and self.days_late == 0:
            raise ValueError("days_late must be at least 1 when status is 'late'")
        if self.status == "on_time" and self.days_late != 0:
            raise ValueError("days_late must be 0 when status is 'on_time'")
        return self


class Contract(_RecordBase):
    """A contract the subject signed, and whether it was kept."""

    kind: Literal["contract"]
    status: Literal["signed", "fulfilled", "breached"]
    value: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)


class Rating(_RecordBase):
    """A counterparty's rating of a transaction it took part in with the subject.

    The rating is about that transaction only: nobody is rated for whom they know.
    """

    kind: Literal["rating"]
    rater: Identifier = Field(description="The counterparty who rates the transaction.")
    transaction: Identifier = Field(description="The transaction being rated.")
    rating: int = Field(ge=-10, le=10, description="-10 (very bad) to +10 (very good).")

    @model_validator(mode="after")
    def _no_self_rating(self) -> Rating:
        if self.rater == self.subject:
            raise ValueError("a subject cannot rate itself")
        return self


class Judgment(_RecordBase):
    """A court or arbitration judgment against the subject."""

    kind: Literal["judgment"]
    status: Literal["unpaid", "satisfied"]
    amount: float | None = Field(default=None, ge=0, le=1e15, allow_inf_nan=False)


class Verification(_RecordBase):
    """An identity or licence check the subject passed."""

    kind: Literal["verification"]
    what: Literal["identity", "licence"]


Record = Annotated[
    Payment | Contract | Rating | Judgment | Verification, Field(discriminator="kind")
]
RECORD_ADAPTER: TypeAdapter[Payment | Contract | Rating | Judgment | Verification] = TypeAdapter(
    Record
)


def parse_record(data: Any) -> Payment | Contract | Rating | Judgment | Verification:
    """Validate one record from plain data (a dict); raises pydantic.ValidationError."""
    return RECORD_ADAPTER.validate_python(data)


def record_to_dict(record: _RecordBase) -> dict[str, Any]:
    """The record as plain JSON-able data, without unset optional fields."""
    return record.model_dump(mode="json", exclude_none=True)


def canonical_form(record: _RecordBase) -> tuple[str, str]:
    """The record's canonical JSON (what is stored) and its SHA-256 (what tells a replay from a
    conflicting resubmission)."""
    canonical = json.dumps(record_to_dict(record), sort_keys=True, separators=(",", ":"))
    return canonical, hashlib.sha256(canonical.encode()).hexdigest()


def content_hash(record: _RecordBase) -> str:
    """A stable hash of a record's content, to tell a replay from a conflicting resubmission."""
    return canonical_form(record)[1]


AnyRecord = Payment | Contract | Rating | Judgment | Verification
