"""Attestations: the subject asks for one and revokes it; anyone verifies a presentation."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from sincerity.api.deps import (
    RegistryDep,
    RelyingPartyActor,
    SettingsDep,
    SubjectActor,
    limit_by_client,
)
from sincerity.api.errors import ERROR_RESPONSES, links
from sincerity.core.strict import StrictModel
from sincerity.credentials.sdjwt import Verified
from sincerity.services.attest import (
    AttestationSummary,
    issue_attestation,
    list_attestations,
    published_jwks,
    revoke_attestation,
    status_list_token,
    verify_online,
)
from sincerity.services.presentation_requests import (
    PresentationRequest,
    answer_request,
    create_request,
    get_request,
    request_result,
)

router = APIRouter(tags=["attestations"], responses=ERROR_RESPONSES)


class AttestationIn(StrictModel):
    holder_jwk: dict[str, Any] | None = Field(
        default=None,
        description="Your Ed25519 public key; omitted, the registry makes one and shows it once.",
    )
    days: int = Field(default=30, ge=1, le=365)


class AttestationOut(BaseModel):
    id: str
    sd_jwt: str = Field(description="Keep it: present chosen claims from it with your holder key.")
    claims: dict[str, Any]
    expires_at: datetime
    holder_private_jwk: dict[str, Any] | None


class VerifyIn(StrictModel):
    presentation: str = Field(max_length=64_000)
    audience: str | None = Field(default=None, max_length=500)
    nonce: str | None = Field(default=None, max_length=500)


VerifyOut = Verified  # what a verification proves, as the credentials module computes it


class JWKS(BaseModel):
    keys: list[dict[str, Any]]


@router.post(
    "/v1/me/attestations",
    response_model=AttestationOut,
    status_code=201,
    responses=links(
        201,
        RevokeAttestation=(
            "/v1/me/attestations/{attestation_id}",
            "delete",
            {"attestation_id": "$response.body#/id"},
        ),
    ),
)
def attest(
    body: AttestationIn, registry: RegistryDep, settings: SettingsDep, subject: SubjectActor
) -> AttestationOut:
    """Sign the caller's currently true claims (tier, score thresholds cleared, badges, verified
    identity) as an SD-JWT bound to the holder key. Recorded in the caller's access log."""
    issued = issue_attestation(
        registry, subject.id, settings.public_url, body.holder_jwk, body.days
    )
    return AttestationOut(**asdict(issued))


@router.get("/v1/me/attestations", response_model=list[AttestationSummary])
def my_attestations(registry: RegistryDep, subject: SubjectActor) -> list[AttestationSummary]:
    """The caller's attestations and their state."""
    return list_attestations(registry, subject.id)


@router.delete("/v1/me/attestations/{attestation_id}", status_code=204, response_class=Response)
def revoke(
    attestation_id: Annotated[str, Path(max_length=32)],
    registry: RegistryDep,
    subject: SubjectActor,
) -> Response:
    """Revoke an attestation: every presentation of it fails from now on."""
    revoke_attestation(registry, subject.id, attestation_id)
    return Response(status_code=204)


@router.post("/v1/verify", response_model=VerifyOut)
def verify(body: VerifyIn, request: Request, registry: RegistryDep) -> VerifyOut:
    """Verify a presentation: what it proves, by whom, until when — or exactly why it fails.
    No account needed."""
    limit_by_client(request, "verify")
    return verify_online(registry, body.presentation, body.audience, body.nonce)


@router.get("/.well-known/jwks.json", response_model=JWKS)
def jwks(registry: RegistryDep) -> dict[str, Any]:
    """The registry's public signing keys (retired keys stay until their attestations expire)."""
    return published_jwks(registry)


@router.get(
    "/v1/status-lists/{list_id}",
    response_class=Response,
    responses={200: {"content": {"application/statuslist+jwt": {"schema": {"type": "string"}}}}},
)
def status_list(
    list_id: Annotated[int, Path(ge=1, le=2**31 - 1)], registry: RegistryDep, settings: SettingsDep
) -> Response:
    """A token status list (one bit per attestation, 1 = revoked) as a signed JWT. A new list
    starts when one is full; each proof names its own list in its status claim."""
    return Response(
        status_list_token(registry, settings.public_url, list_id),
        media_type="application/statuslist+jwt",
    )


class PresentationRequestIn(StrictModel):
    claims: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=20, description="The claims you need, e.g. ['tier']."
    )
    purpose: str = Field(min_length=1, max_length=200, description="Shown to the subject.")


class PresentationRequestOut(BaseModel):
    id: str
    audience: str
    nonce: str
    claims: list[str]
    purpose: str
    expires_at: datetime
    answered: bool
    link: str = Field(description="Send it to the subject (or show it as a QR code).")
    result: VerifyOut | None = Field(
        default=None, description="The answer, verified against your audience and nonce."
    )


def _request_out(
    request: PresentationRequest, public_url: str, result: Any = None
) -> PresentationRequestOut:
    return PresentationRequestOut(
        id=request.id,
        audience=request.audience,
        nonce=request.nonce,
        claims=list(request.claims),
        purpose=request.purpose,
        expires_at=request.expires_at,
        answered=request.answered,
        link=f"{public_url.rstrip('/')}/share/{request.id}",
        result=result,
    )


RequestId = Annotated[str, Path(max_length=32)]


@router.post(
    "/v1/presentation-requests",
    status_code=201,
    response_model=PresentationRequestOut,
    responses=links(
        201,
        ReadRequest=(
            "/v1/presentation-requests/{request_id}",
            "get",
            {"request_id": "$response.body#/id"},
        ),
        SeeRequest=(
            "/v1/me/presentation-requests/{request_id}",
            "get",
            {"request_id": "$response.body#/id"},
        ),
        AnswerRequest=(
            "/v1/me/presentation-requests/{request_id}/answer",
            "post",
            {"request_id": "$response.body#/id"},
        ),
    ),
)
def make_presentation_request(
    body: PresentationRequestIn,
    registry: RegistryDep,
    settings: SettingsDep,
    party: RelyingPartyActor,
) -> PresentationRequestOut:
    """Ask a subject for a proof: your audience, a fresh nonce, the claims you need."""
    request = create_request(registry, party.id, body.claims, body.purpose)
    return _request_out(request, settings.public_url)


@router.get("/v1/presentation-requests/{request_id}", response_model=PresentationRequestOut)
def read_presentation_request(
    request_id: RequestId, registry: RegistryDep, settings: SettingsDep, party: RelyingPartyActor
) -> PresentationRequestOut:
    """Your request and, once the subject answered, the answer verified for you."""
    request, result = request_result(registry, party.id, request_id)
    return _request_out(request, settings.public_url, result)


class SubjectRequestOut(BaseModel):
    id: str
    relying_party_id: str
    claims: list[str]
    purpose: str
    expires_at: datetime
    answered: bool


@router.get("/v1/me/presentation-requests/{request_id}", response_model=SubjectRequestOut)
def see_presentation_request(
    request_id: RequestId, registry: RegistryDep, _: SubjectActor
) -> SubjectRequestOut:
    """What a relying party asks you to prove, before you choose to answer."""
    request = get_request(registry, request_id)
    return SubjectRequestOut(
        id=request.id,
        relying_party_id=request.relying_party_id,
        claims=list(request.claims),
        purpose=request.purpose,
        expires_at=request.expires_at,
        answered=request.answered,
    )


@router.post("/v1/me/presentation-requests/{request_id}/answer", response_model=SubjectRequestOut)
def answer_presentation_request(
    request_id: RequestId, registry: RegistryDep, settings: SettingsDep, subject: SubjectActor
) -> SubjectRequestOut:
    """Answer a request: a proof of exactly the claims asked, bound to that relying party."""
    request = answer_request(registry, subject.id, request_id, settings.public_url)
    return see_presentation_request(request.id, registry, subject)
