"""Issue, revoke and verify attestations; publish the keys and the status list.

The subject chooses to ask for an attestation and, later, which of its claims to disclose to
whom. The registry signs with an Ed25519 key it rotates; old keys stay published until the last
attestation they signed has expired.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from sincerity.core.errors import ConfigurationError, InvalidInputError, NotFoundError
from sincerity.credentials import envelope
from sincerity.credentials import keys as jwk_keys
from sincerity.credentials.sdjwt import ALGORITHM, Verified, issue, sign_jwt, verify
from sincerity.credentials.status_list import StatusList, lookup_in
from sincerity.db import repo
from sincerity.services import access_log
from sincerity.services.attest_status import (
    STATUS_LIST_SIZE,
    Slot,
    allocate_slot,
    attestable_claims,
    revoke_slots,
)
from sincerity.services.kek import require as require_kek
from sincerity.services.registry import Registry
from sincerity.services.scores import current_score

MAX_DAYS = 365
CREDENTIAL_TYPE = "https://sincerity.dev/credentials/trust/v1"


@dataclass(frozen=True)
class Issued:
    """A new attestation. `holder_private_jwk` is set only when the registry made the holder key:
    it is shown once and not kept."""

    id: str
    sd_jwt: str
    claims: dict[str, Any]
    expires_at: datetime
    holder_private_jwk: dict[str, Any] | None


def _active_key(conn: Connection, kek: bytes | None) -> tuple[str, Any] | None:
    found = repo.active_signing_key(conn)
    if found is None:
        return None
    kid, sealed = found
    try:
        opened = envelope.open_sealed(sealed, require_kek(kek), kid)
    except envelope.KeyDecryptionError as exc:
        raise ConfigurationError(f"cannot open signing key {kid}: {exc}") from None
    return kid, jwk_keys.import_jwk(json.loads(opened))


def _signing_key(conn: Connection, now: datetime, kek: bytes | None) -> tuple[str, Any]:
    """The key in use, made on first need (inside the caller's write transaction). Its private
    half is stored sealed under the KEK, never in plain text."""
    found = _active_key(conn, kek)
    if found is not None:
        return found
    key = jwk_keys.new_key()
    kid = str(key.kid)
    sealed = envelope.seal(json.dumps(jwk_keys.private_jwk(key)), require_kek(kek), kid)
    repo.insert_signing_key(conn, kid, sealed, jwk_keys.public_jwk(key), now)
    return kid, key


def rotate_signing_key(registry: Registry) -> str:
    """Retire the signing key in use and make a new one; returns the new key id."""
    now = registry.now()
    with registry.transaction() as conn:
        repo.retire_signing_keys(conn, now)
        kid, _ = _signing_key(conn, now, registry.kek)
    return kid


def current_signing_key(registry: Registry) -> tuple[str, Any]:
    """The key in use, read without the write lock; made only when there is none yet."""
    with registry.engine.connect() as conn:
        found = _active_key(conn, registry.kek)
    if found is not None:
        return found
    with registry.transaction() as conn:
        return _signing_key(conn, registry.now(), registry.kek)


def published_jwks(registry: Registry) -> dict[str, Any]:
    """Public keys that verify something today: the key in use, and retired keys until the
    last attestation they signed expires."""
    current_signing_key(registry)  # a registry always publishes a key it can sign with
    with registry.engine.connect() as conn:
        return jwk_keys.jwks(repo.published_public_keys(conn, registry.now()))


def all_public_keys(registry: Registry) -> dict[str, Any]:
    """Every public key the registry ever signed with (to check old checkpoints)."""
    with registry.engine.connect() as conn:
        return jwk_keys.jwks(repo.all_public_keys(conn))


def _holder_key(
    holder_jwk: dict[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(public holder JWK, private JWK to show once when the registry made the key)."""
    if holder_jwk is None:
        holder = jwk_keys.new_key()
        return jwk_keys.public_jwk(holder), jwk_keys.private_jwk(holder)
    try:
        public = jwk_keys.public_jwk(jwk_keys.import_jwk(holder_jwk))
    except Exception:
        raise InvalidInputError(
            "holder_jwk must be an Ed25519 public key (kty OKP, crv Ed25519)"
        ) from None
    if "d" in holder_jwk:
        raise InvalidInputError("send only the public half of the holder key (no 'd')")
    return public, None


def _visible_claims(
    issuer: str,
    now: datetime,
    expires: datetime,
    attestation_id: str,
    slot: Slot,
    registry: Registry,
) -> dict[str, Any]:
    """What every presentation shows: who issued it, when, until when, its id and status."""
    return {
        "iss": issuer,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": attestation_id,
        "vct": CREDENTIAL_TYPE,
        "policy_version": registry.policy.version,
        "status": {
            "status_list": {"idx": slot.index, "uri": status_list_uri(issuer, slot.list_id)}
        },
    }


def issue_attestation(
    registry: Registry,
    subject_id: str,
    issuer: str,
    holder_jwk: dict[str, Any] | None = None,
    days: int = 30,
) -> Issued:
    """Sign the subject's currently true claims, bound to the holder's key, for `days` days."""
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInputError(f"an attestation lasts 1 to {MAX_DAYS} days")
    holder_public, holder_private = _holder_key(holder_jwk)
    score = current_score(registry, subject_id)
    claims = attestable_claims(score, registry.policy, subject_id)
    now = registry.now()
    expires = now + timedelta(days=days)
    attestation_id = secrets.token_hex(12)
    with registry.transaction() as conn:
        kid, key = _signing_key(conn, now, registry.kek)
        slot = allocate_slot(conn, now)
        visible = _visible_claims(issuer, now, expires, attestation_id, slot, registry)
        sd_jwt, _ = issue(visible, claims, key, kid, holder_public)
        repo.insert_attestation(
            conn,
            {
                "id": attestation_id,
                "subject_id": subject_id,
                "kid": kid,
                "status_list_id": slot.list_id,
                "status_index": slot.index,
                "claims": json.dumps(claims),
                "issued_at": now,
                "expires_at": expires,
            },
        )
        access_log.append(
            conn,
            subject_id,
            "subject",
            subject_id,
            f"attestation {attestation_id} issued: " + ", ".join(sorted(claims)),
            "sharing proof of trust",
            now,
        )
    return Issued(attestation_id, sd_jwt, claims, expires, holder_private)


@dataclass(frozen=True)
class AttestationSummary:
    """One of the subject's attestations: what it claims, when, and whether it still stands."""

    id: str
    claims: dict[str, Any]
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None


def list_attestations(registry: Registry, subject_id: str) -> list[AttestationSummary]:
    """The subject's attestations, newest first, with their state."""
    with registry.engine.connect() as conn:
        return [AttestationSummary(**row) for row in repo.attestations_of(conn, subject_id)]


def revoke_attestation(registry: Registry, subject_id: str, attestation_id: str) -> None:
    """The subject withdraws an attestation: every presentation of it fails from now on."""
    now = registry.now()
    with registry.transaction() as conn:
        row = repo.get_attestation(conn, attestation_id)
        if row is None or row["subject_id"] != subject_id:
            raise NotFoundError(f"you have no attestation {attestation_id!r}")
        if row["revoked_at"] is None:
            repo.mark_revoked(conn, [attestation_id], now, "revoked by the subject")
            if row["status_index"] is not None:  # an expired proof's slot may have moved on
                revoke_slots(conn, [(row["status_list_id"], row["status_index"])], now)


def status_list_uri(issuer: str, list_id: int) -> str:
    """Where status list `list_id` is published; credentials name it in their status claim."""
    return f"{issuer}/v1/status-lists/{list_id}"


def status_list_token(registry: Registry, issuer: str, list_id: int = 1) -> str:
    """Status list `list_id` as a signed JWT (typ statuslist+jwt), for verifiers to fetch and
    cache; NotFoundError when no such list exists."""
    now = registry.now()
    status = _status_list(registry, list_id)
    if status is None:
        raise NotFoundError(f"no status list {list_id}")
    kid, key = current_signing_key(registry)
    payload = {
        "sub": status_list_uri(issuer, list_id),
        "iat": int(now.timestamp()),
        "ttl": 300,
        "status_list": status.encode(),
    }
    return sign_jwt({"alg": ALGORITHM, "typ": "statuslist+jwt", "kid": kid}, payload, key)


def _status_list(registry: Registry, list_id: int) -> StatusList | None:
    """Status list `list_id` as stored, read-only; list 1 is all zeros before the first
    attestation; None for a list that does not exist."""
    with registry.engine.connect() as conn:
        bits = repo.status_bits(conn, list_id)
    if bits is not None:
        return StatusList(bytearray(bits))
    return StatusList.empty(STATUS_LIST_SIZE) if list_id == 1 else None


def _live_status(registry: Registry) -> Callable[[Any], bool | None]:
    """A revocation check against whichever of the registry's lists a credential names."""
    loaded: dict[int, StatusList | None] = {}

    def is_revoked(reference: Any) -> bool | None:
        entry = reference.get("status_list") if isinstance(reference, dict) else None
        uri = entry.get("uri") if isinstance(entry, dict) else None
        tail = uri.rsplit("/v1/status-lists/", 1)[-1] if isinstance(uri, str) else ""
        if not tail.isdigit():
            return None
        list_id = int(tail)
        if list_id not in loaded:
            loaded[list_id] = _status_list(registry, list_id)
        status = loaded[list_id]
        return None if status is None else lookup_in(status)(reference)

    return is_revoked


def verify_online(
    registry: Registry,
    presentation: str,
    audience: str | None = None,
    nonce: str | None = None,
    max_kb_age: int = 300,
) -> Verified:
    """Verify a presentation against the registry's own keys and live status list, and check
    that the registry really issued this attestation and has not revoked it since."""
    keys = jwk_keys.keys_by_kid(published_jwks(registry))
    now = registry.now()
    result = verify(
        presentation,
        keys,
        int(now.timestamp()),
        audience,
        nonce,
        max_kb_age=max_kb_age,
        is_revoked=_live_status(registry),
    )
    if not result.claims:  # refused before the signature was trusted: nothing to look up
        return result
    attestation_id = result.claims.get("jti")
    with registry.engine.connect() as conn:
        row = (
            repo.get_attestation(conn, attestation_id) if isinstance(attestation_id, str) else None
        )
    if row is None:
        return replace(
            result, valid=False, bound=False, reason="this registry has no record of issuing it"
        )
    if row["revoked_at"] is not None:
        return replace(result, valid=False, bound=False, reason="revoked by the issuer")
    return result


@dataclass(frozen=True)
class Shared:
    """A presentation ready to hand over, and the link that carries it."""

    attestation_id: str
    presentation: str
    link: str
    disclosed: list[str]
    short_link: str = ""  # names the presentation kept here: small enough for a QR code


def share_proof(
    registry: Registry,
    subject_id: str,
    issuer: str,
    disclose: list[str],
    audience: str,
    nonce: str,
    days: int = 7,
) -> Shared:
    """For the web: a fresh, short-lived attestation bound to a one-time holder key, presented at
    once with only the chosen claims to one verifier. The holder key is never stored."""
    from sincerity.credentials import present

    if not disclose:
        raise InvalidInputError("choose at least one claim to disclose")
    if not audience.strip():
        raise InvalidInputError("say who the proof is for (the verifier)")
    issued = issue_attestation(registry, subject_id, issuer, None, days)
    unknown = sorted(set(disclose) - set(issued.claims))
    if unknown:
        revoke_attestation(registry, subject_id, issued.id)
        raise InvalidInputError(f"these claims are not true of you today: {', '.join(unknown)}")
    assert issued.holder_private_jwk is not None
    presentation = present(
        issued.sd_jwt,
        disclose,
        jwk_keys.import_jwk(issued.holder_private_jwk),
        audience.strip(),
        nonce.strip(),
        int(registry.now().timestamp()),
    )
    with registry.transaction() as conn:
        repo.keep_presentation(conn, issued.id, presentation)
    base = issuer.rstrip("/")
    return Shared(
        issued.id,
        presentation,
        f"{base}/verify#{presentation}",
        sorted(disclose),
        f"{base}/p/{issued.id}",
    )


@dataclass(frozen=True)
class SharedLink:
    """Where a short link leads: the presentation, or why it no longer works."""

    presentation: str | None
    gone_because: str | None


def follow_short_link(registry: Registry, attestation_id: str) -> SharedLink:
    """The presentation behind a short link, unless it was revoked or has expired."""
    with registry.engine.connect() as conn:
        row = repo.shared_presentation(conn, attestation_id)
    if row is None:
        raise NotFoundError("there is no proof at this link")
    if row["revoked_at"] is not None:
        return SharedLink(None, "revoked")
    if row["expires_at"] <= registry.now():
        return SharedLink(None, "expired")
    return SharedLink(str(row["presentation"]), None)
