"""Presentation requests: the verifier asks first, the subject's proof answers that request.

A relying party makes a request (its own audience, a fresh nonce, the claims it needs, the
purpose). The subject sees who asks for what and chooses to answer; the registry issues a fresh
attestation and presents exactly those claims bound to the request's audience and nonce. The
relying party then reads the answer verified against its own audience and nonce — a proof made
for one party is worthless to another, and each nonce answers once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sincerity.core.errors import InvalidInputError, NotFoundError
from sincerity.credentials.sdjwt import Verified
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.attest import share_proof, verify_online
from sincerity.services.registry import Registry

REQUEST_MINUTES = 15


@dataclass(frozen=True)
class PresentationRequest:
    """What a relying party asked a subject to prove."""

    id: str
    relying_party_id: str
    audience: str
    nonce: str
    claims: tuple[str, ...]
    purpose: str
    created_at: datetime
    expires_at: datetime
    answered: bool


def _request(row: Mapping[str, Any]) -> PresentationRequest:
    return PresentationRequest(
        row["id"],
        row["relying_party_id"],
        row["audience"],
        row["nonce"],
        tuple(json.loads(row["claims"])),
        row["purpose"],
        row["created_at"],
        row["expires_at"],
        row["answered_at"] is not None,
    )


def _load(registry: Registry, request_id: str) -> Mapping[str, Any] | None:
    with registry.engine.connect() as conn:
        return repo.presentation_request(conn, request_id)


def create_request(
    registry: Registry, relying_party_id: str, claims: list[str], purpose: str
) -> PresentationRequest:
    """A new request from a relying party, with its audience (itself) and a fresh nonce."""
    wanted = sorted({c.strip() for c in claims if c.strip()})
    if not wanted:
        raise InvalidInputError("ask for at least one claim (for example: tier)")
    if not purpose.strip():
        raise InvalidInputError("say what the proof is for (the subject sees it)")
    now = registry.now()
    request = PresentationRequest(
        secrets.token_hex(12),
        relying_party_id,
        relying_party_id,
        secrets.token_urlsafe(24),
        tuple(wanted),
        purpose.strip()[:200],
        now,
        now + timedelta(minutes=REQUEST_MINUTES),
        False,
    )
    with registry.transaction() as conn:
        repo.insert_presentation_request(
            conn,
            {
                "id": request.id,
                "relying_party_id": relying_party_id,
                "audience": request.audience,
                "nonce": request.nonce,
                "claims": json.dumps(list(request.claims)),
                "purpose": request.purpose,
                "created_at": now,
                "expires_at": request.expires_at,
            },
        )
    return request


def get_request(registry: Registry, request_id: str) -> PresentationRequest:
    """A request, as the subject asked to answer it sees it."""
    row = _load(registry, request_id)
    if row is None:
        raise NotFoundError(f"no presentation request {request_id!r}")
    return _request(row)


def answer_request(
    registry: Registry, subject_id: str, request_id: str, issuer: str
) -> PresentationRequest:
    """The subject answers: a proof of exactly the requested claims, bound to the request."""
    request = get_request(registry, request_id)
    now = registry.now()
    if request.answered:
        raise InvalidInputError("this request was already answered: ask for a new one")
    if now > request.expires_at:
        raise InvalidInputError("this request has expired: ask the verifier for a new one")
    shared = share_proof(
        registry,
        subject_id,
        issuer,
        list(request.claims),
        request.audience,
        request.nonce,
        days=1,
    )
    with registry.transaction() as conn:
        if not repo.answer_presentation_request(conn, request_id, now, shared.presentation):
            raise InvalidInputError("this request was already answered: ask for a new one")
        access_log.append(
            conn,
            subject_id,
            "relying_party",
            request.relying_party_id,
            "proof shared: " + ", ".join(request.claims),
            request.purpose,
            now,
        )
    return get_request(registry, request_id)


def request_result(
    registry: Registry, relying_party_id: str, request_id: str
) -> tuple[PresentationRequest, Verified | None]:
    """The relying party's own request and, once answered, the answer verified against its
    audience and nonce."""
    row = _load(registry, request_id)
    if row is None or row["relying_party_id"] != relying_party_id:
        raise NotFoundError(f"you made no presentation request {request_id!r}")
    request = _request(row)
    if row["presentation"] is None:
        return request, None
    # The answer is fresh for as long as the request was open, not only the usual 5 minutes.
    return request, verify_online(
        registry,
        row["presentation"],
        request.audience,
        request.nonce,
        max_kb_age=REQUEST_MINUTES * 60 + 300,
    )
