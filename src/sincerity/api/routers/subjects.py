"""A subject's own file: records, score and why, consents, disputes, access log, export, erasure."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from sincerity.api.deps import MAX_INT_ID, IntId, RegistryDep, SettingsDep, SubjectActor
from sincerity.api.errors import ERROR_RESPONSES, links
from sincerity.api.models import (
    ConsentIn,
    ConsentOut,
    DisputeIn,
    DisputeOut,
    Erased,
    HistoryOut,
    MeOut,
    RecordPage,
    ScoreOut,
)
from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.services import grant_source_consent, open_dispute, subject_view
from sincerity.services.checks import (
    grant_relying_party_consent,
    revoke_consent,
    undo_revocation,
)
from sincerity.services.disputes import disputes_for_subject, drop_dispute
from sincerity.services.scores import current_score
from sincerity.services.subject_file import erase, export_file, record_page
from sincerity.services.subject_view import AccessEntry

router = APIRouter(prefix="/v1/me", tags=["subjects"], responses=ERROR_RESPONSES)


@router.get("", response_model=MeOut)
def me(registry: RegistryDep, subject: SubjectActor) -> MeOut:
    """The caller's own subject profile."""
    found = subject_view.profile(registry, subject.id)
    if found is None:
        raise NotFoundError("your file was erased")
    return found


@router.get("/records", response_model=RecordPage)
def my_records(
    registry: RegistryDep,
    settings: SettingsDep,
    subject: SubjectActor,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RecordPage:
    """Every record about the caller, with whether it counts and its dispute state."""
    items, next_cursor = record_page(
        registry, subject_id=subject.id, cursor=cursor, limit=min(limit, settings.page_size_max)
    )
    return RecordPage(items=items, next_cursor=next_cursor)


@router.get("/score", response_model=ScoreOut)
def my_score(registry: RegistryDep, subject: SubjectActor) -> ScoreOut:
    """Today's score and why: factors, key reasons, steps to the next tier, badges."""
    return ScoreOut.model_validate(current_score(registry, subject.id), from_attributes=True)


@router.get("/score/history", response_model=list[HistoryOut])
def my_history(registry: RegistryDep, subject: SubjectActor) -> list[HistoryOut]:
    """What the score was on each date, under which policy."""
    return subject_view.score_history(registry, subject.id)


@router.get("/consents", response_model=list[ConsentOut])
def my_consents(registry: RegistryDep, subject: SubjectActor) -> list[ConsentOut]:
    """Every consent the caller gave, in force or not."""
    return subject_view.consents(registry, subject.id)


@router.post(
    "/consents",
    response_model=ConsentOut,
    status_code=201,
    responses=links(
        201,
        RevokeConsent=(
            "/v1/me/consents/{consent_id}",
            "delete",
            {"consent_id": "$response.body#/id"},
        ),
    ),
)
def grant(body: ConsentIn, registry: RegistryDep, subject: SubjectActor) -> ConsentOut:
    """Allow a source to report, or a relying party to check for a purpose, until a date."""
    if body.grantee_kind == "source":
        grant_source_consent(registry, subject.id, body.grantee_id, body.until)
    else:
        if not body.purpose:
            raise InvalidInputError("a consent to a relying party needs a purpose")
        grant_relying_party_consent(
            registry, subject.id, body.grantee_id, body.purpose, body.until, body.share_score
        )
    return my_consents(registry, subject)[-1]


@router.delete("/consents/{consent_id}", status_code=204, response_class=Response)
def revoke(consent_id: IntId, registry: RegistryDep, subject: SubjectActor) -> Response:
    """Revoke a consent from now on."""
    revoke_consent(registry, subject.id, consent_id)
    return Response(status_code=204)


@router.post("/consents/{consent_id}/restore", response_model=ConsentOut)
def restore(consent_id: IntId, registry: RegistryDep, subject: SubjectActor) -> ConsentOut:
    """Undo a revocation made in the last ten minutes."""
    undo_revocation(registry, subject.id, consent_id)
    return next(c for c in my_consents(registry, subject) if c.id == consent_id)


@router.get("/disputes", response_model=list[DisputeOut])
def my_disputes(registry: RegistryDep, subject: SubjectActor) -> list[DisputeOut]:
    """The caller's disputes with every step's time and the deadline."""
    return disputes_for_subject(registry, subject.id)


@router.post(
    "/disputes",
    response_model=DisputeOut,
    status_code=201,
    responses=links(
        201,
        AnswerDispute=(
            "/v1/disputes/{dispute_id}/answer",
            "post",
            {"dispute_id": "$response.body#/id"},
        ),
    ),
)
def dispute(body: DisputeIn, registry: RegistryDep, subject: SubjectActor) -> DisputeOut:
    """Contest a record: it stops counting at once; the source has 30 days to answer."""
    dispute_id = open_dispute(registry, subject.id, body.record_id, body.reason, body.category)
    return next(d for d in disputes_for_subject(registry, subject.id) if d.id == dispute_id)


@router.post("/disputes/{dispute_id}/drop", response_model=DisputeOut)
def drop(dispute_id: IntId, registry: RegistryDep, subject: SubjectActor) -> DisputeOut:
    """Take back an open dispute: the record counts again at once."""
    return drop_dispute(registry, subject.id, dispute_id)


@router.get("/access-log", response_model=list[AccessEntry])
def my_access_log(
    registry: RegistryDep,
    subject: SubjectActor,
    after: Annotated[int, Query(ge=0, le=MAX_INT_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[AccessEntry]:
    """Who read the caller's data, when, and why."""
    return subject_view.access_entries(registry, subject.id, limit, after)


@router.get("/export", response_model=dict[str, Any])
def export(registry: RegistryDep, subject: SubjectActor) -> dict[str, Any]:
    """Everything held about the caller, as JSON (GDPR Art. 20)."""
    return export_file(registry, subject.id)


@router.delete("", response_model=Erased)
def erase_me(registry: RegistryDep, subject: SubjectActor) -> Erased:
    """Erase the caller's file (GDPR Art. 17). The erasure itself is recorded."""
    return Erased(records_deleted=erase(registry, subject.id))
