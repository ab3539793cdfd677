"""The operator: registers parties, reviews stuck disputes, reads registry health."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from sincerity.api.deps import OperatorActor, RegistryDep
from sincerity.api.errors import ERROR_RESPONSES
from sincerity.api.models import (
    DisputeOut,
    PartyCreated,
    PartyIn,
    RelyingPartyOut,
    SourceIn,
    SourceOut,
    StatsOut,
    SubjectIn,
    Swept,
)
from sincerity.services.disputes import review_queue, sweep_overdue
from sincerity.services.operator import (
    list_parties,
    register_relying_party,
    register_source,
    register_subject,
    reissue_key,
    stats,
)

router = APIRouter(prefix="/v1", tags=["operator"], responses=ERROR_RESPONSES)


@router.post("/sources", status_code=201, response_model=PartyCreated)
def create_source(body: SourceIn, registry: RegistryDep, _: OperatorActor) -> PartyCreated:
    """Register a source and the record kinds it may report; returns its first API key."""
    return PartyCreated(
        id=body.id, api_key=register_source(registry, body.id, body.name, body.kinds)
    )


@router.get("/sources", response_model=list[SourceOut])
def sources(registry: RegistryDep, _: OperatorActor) -> list[SourceOut]:
    """Every registered source."""
    return list_parties(registry).sources


@router.post("/relying-parties", status_code=201, response_model=PartyCreated)
def create_relying_party(body: PartyIn, registry: RegistryDep, _: OperatorActor) -> PartyCreated:
    """Register a relying party; returns its first API key."""
    return PartyCreated(id=body.id, api_key=register_relying_party(registry, body.id, body.name))


@router.get("/relying-parties", response_model=list[RelyingPartyOut])
def relying_parties(registry: RegistryDep, _: OperatorActor) -> list[RelyingPartyOut]:
    """Every registered relying party."""
    return list_parties(registry).relying_parties


@router.post("/subjects", status_code=201, response_model=PartyCreated)
def create_subject(body: SubjectIn, registry: RegistryDep, _: OperatorActor) -> PartyCreated:
    """Register a subject who opted in; returns their first API key."""
    return PartyCreated(id=body.id, api_key=register_subject(registry, body.id, body.display_name))


@router.post("/parties/{kind}/{party_id}/keys", status_code=201, response_model=PartyCreated)
def issue_party_key(
    kind: Literal["subject", "source", "relying_party"],
    party_id: Annotated[str, Path(max_length=128)],
    registry: RegistryDep,
    _: OperatorActor,
) -> PartyCreated:
    """Issue a new API key to a registered party whose keys were lost or revoked."""
    return PartyCreated(id=party_id, api_key=reissue_key(registry, kind, party_id))


@router.get("/disputes", response_model=list[DisputeOut])
def dispute_queue(
    registry: RegistryDep,
    operator: OperatorActor,
    older_than_days: Annotated[int, Query(ge=0, le=3650)] = 0,
) -> list[DisputeOut]:
    """Open disputes, oldest first (the review queue). Each read is in the subject's access log."""
    queue = review_queue(registry, operator.id, older_than_days)
    return queue


@router.post("/disputes/sweep", response_model=Swept)
def sweep(registry: RegistryDep, _: OperatorActor) -> Swept:
    """Suppress every dispute left unanswered past its 30-day deadline."""
    return Swept(suppressed=sweep_overdue(registry))


@router.get("/stats", response_model=StatsOut)
def registry_stats(registry: RegistryDep, _: OperatorActor) -> StatsOut:
    """Counts, disputes by state, the score distribution and the policy in force."""
    return stats(registry)
