"""Relying parties: check a subject's tier for a purpose the subject consented to."""

from __future__ import annotations

from fastapi import APIRouter

from sincerity.api.deps import RegistryDep, RelyingPartyActor
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import CheckIn, CheckOut
from sincerity.services.checks import check

router = APIRouter(prefix="/v1", tags=["relying parties"], responses=ERROR_RESPONSES)


@router.post("/checks", response_model=CheckOut)
def trust_check(body: CheckIn, registry: RegistryDep, party: RelyingPartyActor) -> CheckOut:
    """The subject's tier, and whether the score clears `threshold` — never the records, and the
    exact score only if the subject allowed it. Without consent: 403, whether or not the subject
    exists."""
    return check(registry, party, body.subject_id, body.purpose, body.threshold)
