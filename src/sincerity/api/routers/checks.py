"""Relying parties: check a subject's tier for a purpose the subject consented to."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from sincerity.api.deps import ApiKey, RegistryDep, actor_for, require_kind
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import CheckIn, CheckOut
from sincerity.services.checks import check

router = APIRouter(prefix="/v1", tags=["relying parties"], responses=ERROR_RESPONSES)


@router.post("/checks", response_model=CheckOut)
async def trust_check(
    request: Request, body: CheckIn, registry: RegistryDep, key: ApiKey
) -> CheckOut:
    """The subject's tier, and whether the score clears `threshold` — never the records, and the
    exact score only if the subject allowed it. Without consent: 403, whether or not the subject
    exists."""

    # The relying party's hot path: authentication and the check in one trip to the thread
    # pool, not one per dependency.
    def authenticate_and_check() -> CheckOut:
        party = require_kind(actor_for(request, registry, key), "relying_party", "relying parties")
        return check(registry, party, body.subject_id, body.purpose, body.threshold)

    return await run_in_threadpool(authenticate_and_check)
