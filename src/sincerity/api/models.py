"""Request and response models, one family per resource, one view per role (OWASP API3):
a relying party's view has no field that could leak a record or an exact score by accident."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from sincerity.core.badges import BadgeStatus
from sincerity.core.disputes import DISPUTE_CATEGORIES
from sincerity.core.explain import Step
from sincerity.core.factors import FactorScore
from sincerity.core.strict import StrictModel
from sincerity.services.checks import CheckResult
from sincerity.services.disputes import Dispute
from sincerity.services.ingest import IngestResult
from sincerity.services.operator import RegistryStats, RelyingPartyView, SourceView
from sincerity.services.subject_file import RecordView
from sincerity.services.subject_view import (
    Consent,
    HistoryEntry,
    SubjectProfile,
)


class PartyIn(StrictModel):
    id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=1, max_length=200)


class SourceIn(PartyIn):
    kinds: list[Literal["payment", "contract", "rating", "judgment", "verification"]] = Field(
        min_length=1
    )


class SubjectIn(StrictModel):
    id: str = Field(min_length=1, max_length=128)
    display_name: str | None = Field(default=None, max_length=200)


class PartyCreated(BaseModel):
    id: str
    api_key: str = Field(description="Shown once; only a hash is stored.")


SourceOut = SourceView
RelyingPartyOut = RelyingPartyView


class KeyOut(BaseModel):
    api_key: str


class Health(BaseModel):
    status: Literal["ok"]
    policy_version: str


class BatchIn(StrictModel):
    records: list[dict[str, Any]] = Field(
        min_length=1, description="Records of the closed set of kinds."
    )


IngestOut = IngestResult


RecordOut = RecordView


class RecordPage(BaseModel):
    items: list[RecordOut]
    next_cursor: str | None


DisputeOut = Dispute
DisputeCategory = Literal[DISPUTE_CATEGORIES]  # type: ignore[valid-type]


class DisputeIn(StrictModel):
    record_id: str = Field(min_length=1, max_length=128)
    reason: str = Field(min_length=1, max_length=2000)
    category: DisputeCategory | None = None


class AnswerIn(StrictModel):
    action: Literal["confirm", "correct", "withdraw"]
    evidence: str | None = Field(default=None, max_length=2000)
    corrected_record: dict[str, Any] | None = None


# A subject's score as the API shows it is the core's: its parts are the core's own types.
FactorOut = FactorScore
StepOut = Step
BadgeOut = BadgeStatus


class ScoreOut(BaseModel):
    status: Literal["scored", "thin_file"]
    value: float | None
    rounded: int | None
    tier: str | None
    tier_label: str | None
    range_min: int
    range_max: int
    factors: list[FactorOut]
    reasons: list[str]
    steps: list[StepOut]
    next_tier: str | None
    badges: list[BadgeOut]
    privileges: list[str]
    policy_version: str
    as_of: date
    records_used: int
    trust_snapshot: datetime | None = Field(
        description="When the global trust that weighed the counterparty ratings was computed "
        "(null: not yet computed, every rater counts fully)."
    )


HistoryOut = HistoryEntry


class ConsentIn(StrictModel):
    grantee_kind: Literal["source", "relying_party"]
    grantee_id: str = Field(min_length=1, max_length=128)
    purpose: str | None = Field(
        default=None, max_length=200, description="Required for a relying party."
    )
    until: date | None = None
    share_score: bool = Field(default=False, description="Let a relying party see the exact score.")


ConsentOut = Consent


MeOut = SubjectProfile


class CheckIn(StrictModel):
    subject_id: str = Field(min_length=1, max_length=128)
    purpose: str = Field(min_length=1, max_length=200)
    threshold: int | None = Field(default=None, ge=0, le=100_000)


CheckOut = CheckResult


class Erased(BaseModel):
    records_deleted: int


class Swept(BaseModel):
    suppressed: int


StatsOut = RegistryStats
