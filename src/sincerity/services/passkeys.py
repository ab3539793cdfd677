"""Passkeys (WebAuthn): how people — subjects, and the staff of sources, relying parties and the
operator — sign in to the pages. API keys stay for machines.

A person is first invited: the operator (or a colleague at the same party) issues a one-time
link; opening it registers a passkey, which creates the person, acting for that party. A
signed-in person may add a second passkey; one who lost theirs gets a new invitation naming
them (recovery). Signing out everywhere ends every session the person has opened.

The ceremonies follow the `webauthn` library: the server makes the options and a challenge
(kept here, answerable once, for five minutes), the browser's authenticator answers, the
server verifies the answer against the challenge, this site's origin and relying-party id.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sincerity.core.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from sincerity.db import repo
from sincerity.services.keys import ACTOR_KINDS, Actor
from sincerity.services.registry import Registry
from sincerity.services.web_sessions import Session, open_session

INVITATION_DAYS = 7
CHALLENGE_MINUTES = 5
OPERATOR_PARTY = "operator"


@dataclass(frozen=True)
class Site:
    """Who the passkeys are for: this site's origin and WebAuthn relying-party id (its host)."""

    origin: str
    rp_id: str
    name: str = "Sincerity"

    @classmethod
    def of(cls, public_url: str) -> Site:
        parts = urlsplit(public_url)
        if not parts.scheme or not parts.hostname:
            raise InvalidInputError(f"the public URL {public_url!r} names no host")
        return cls(f"{parts.scheme}://{parts.netloc}", parts.hostname)


@dataclass(frozen=True)
class Invitation:
    """An invitation as the person opening it sees it."""

    id: str
    actor_kind: str
    actor_id: str
    name: str
    for_existing_person: bool
    expires_at: datetime


@dataclass(frozen=True)
class Passkey:
    credential_id: str
    label: str
    created_at: datetime
    last_used_at: datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    registry: Registry,
    inviter: Actor,
    actor_kind: str,
    actor_id: str,
    name: str,
    person_id: str | None = None,
) -> tuple[str, str]:
    """A one-time invitation for a person to act for a party; returns (id, secret token).
    The operator invites anyone; the staff of a source or relying party invite colleagues at
    their own party; nobody else invites."""
    name = name.strip()
    if not name:
        raise InvalidInputError("say whom the invitation is for (their name)")
    if actor_kind not in ACTOR_KINDS:
        raise InvalidInputError(f"a person acts for one of: {', '.join(ACTOR_KINDS)}")
    colleague = inviter.kind in ("source", "relying_party") and (inviter.kind, inviter.id) == (
        actor_kind,
        actor_id,
    )
    if inviter.kind != "operator" and not colleague:
        raise PermissionDeniedError("only the operator, or a colleague at the party, invites")
    if person_id is not None and inviter.kind != "operator":
        # A passkey for an existing person signs in as them: a colleague may not mint one.
        raise PermissionDeniedError("only the operator issues recovery invitations")
    now = registry.now()
    token = secrets.token_urlsafe(32)
    invitation_id = secrets.token_hex(8)
    with registry.transaction() as conn:
        if actor_kind != "operator" and not repo.party_exists(conn, actor_kind, actor_id):
            raise NotFoundError(f"no {actor_kind.replace('_', ' ')} {actor_id!r}")
        if person_id is not None:
            person = repo.get_person(conn, person_id)
            if person is None or (person["actor_kind"], person["actor_id"]) != (
                actor_kind,
                actor_id,
            ):
                raise NotFoundError(f"no person {person_id!r} at that party")
        repo.insert_invitation(
            conn,
            {
                "id": invitation_id,
                "token_hash": _hash(token),
                "actor_kind": actor_kind,
                "actor_id": OPERATOR_PARTY if actor_kind == "operator" else actor_id,
                "name": name[:200],
                "person_id": person_id,
                "created_by": f"{inviter.kind}:{inviter.id}"[:160],
                "created_at": now,
                "expires_at": now + timedelta(days=INVITATION_DAYS),
            },
        )
    return invitation_id, token


def _usable_invitation(row: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    # One answer for unknown, used and expired: a link that does not work says nothing more.
    if row is None or row["used_at"] is not None or row["expires_at"] <= now:
        raise NotFoundError("this invitation link is not valid: it was used, or it expired")
    return row


def open_invitation(registry: Registry, token: str) -> Invitation:
    """What an invitation link invites to (it is used only when a passkey is registered)."""
    with registry.engine.connect() as conn:
        row = _usable_invitation(repo.invitation_by_token(conn, _hash(token)), registry.now())
    return Invitation(
        row["id"],
        row["actor_kind"],
        row["actor_id"],
        row["name"],
        row["person_id"] is not None,
        row["expires_at"],
    )


def _options_json(options: Any) -> dict[str, Any]:
    from webauthn import options_to_json

    return dict(json.loads(options_to_json(options)))


def registration_options(
    registry: Registry,
    site: Site,
    *,
    invitation_token: str | None = None,
    session: Session | None = None,
) -> tuple[str, dict[str, Any]]:
    """Start registering a passkey, by invitation or (a further passkey) signed in. Returns
    the ceremony's id (for a cookie) and the options for the browser."""
    from webauthn import generate_registration_options
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    now = registry.now()
    with registry.transaction() as conn:
        if invitation_token:
            found = repo.invitation_by_token(conn, _hash(invitation_token))
            row = _usable_invitation(found, now)
            kind, party, name = row["actor_kind"], row["actor_id"], row["name"]
            person_id, invitation_id = row["person_id"] or secrets.token_hex(16), row["id"]
        elif session is not None:
            kind, party, invitation_id = session.actor.kind, session.actor.id, None
            person = repo.get_person(conn, session.person_id) if session.person_id else None
            person_id = person["id"] if person else secrets.token_hex(16)
            name = person["name"] if person else session.actor.id
        else:
            raise AuthenticationError("sign in, or open an invitation link, to add a passkey")
        existing = [p["credential_id"] for p in repo.passkeys_of(conn, person_id)]
        options = generate_registration_options(
            rp_id=site.rp_id,
            rp_name=site.name,
            user_id=person_id.encode(),
            user_name=f"{name} ({party})",
            user_display_name=name,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=[
                PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in existing
            ],
        )
        ceremony = secrets.token_urlsafe(32)
        repo.insert_challenge(
            conn,
            {
                "id": ceremony,
                "challenge": _b64(options.challenge),
                "purpose": "register",
                "invitation_id": invitation_id,
                "person_id": person_id,
                "actor_kind": kind,
                "actor_id": party,
                "expires_at": now + timedelta(minutes=CHALLENGE_MINUTES),
            },
        )
    return ceremony, _options_json(options)


def _b64(data: bytes) -> str:
    from webauthn.helpers import bytes_to_base64url

    return str(bytes_to_base64url(data))


def _verification_failed(exc: Exception) -> AuthenticationError:
    return AuthenticationError(f"the passkey's answer did not verify: {exc}")


def finish_registration(
    registry: Registry,
    site: Site,
    ceremony: str | None,
    credential: dict[str, Any],
    label: str = "passkey",
    session: Session | None = None,
) -> tuple[str, Session]:
    """Verify the authenticator's answer and keep the passkey; the person is signed in. The
    challenge answers once; an invitation registers once."""
    from webauthn import verify_registration_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    now = registry.now()
    with registry.transaction() as conn:
        found = repo.take_challenge(conn, ceremony or "", now)
        if found is None or found["purpose"] != "register":
            raise AuthenticationError("the passkey ceremony expired: start again")
        if found["invitation_id"] is None and (
            session is None
            or (session.actor.kind, session.actor.id)
            != (
                found["actor_kind"],
                found["actor_id"],
            )
        ):
            raise AuthenticationError("sign in again to add a passkey")
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(found["challenge"]),
                expected_origin=site.origin,
                expected_rp_id=site.rp_id,
            )
        except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
            raise _verification_failed(exc) from None
        if found["invitation_id"] is not None and not repo.use_invitation(
            conn, found["invitation_id"], now
        ):
            raise NotFoundError("this invitation link is not valid: it was used, or it expired")
        person_id = found["person_id"]
        person = repo.get_person(conn, person_id)
        if person is None:
            invited = repo.get_invitation(conn, found["invitation_id"] or "")
            name = invited["name"] if invited else found["actor_id"]
            repo.insert_person(
                conn,
                {
                    "id": person_id,
                    "actor_kind": found["actor_kind"],
                    "actor_id": found["actor_id"],
                    "name": name,
                    "created_at": now,
                },
            )
        credential_id = _b64(verified.credential_id)
        if repo.get_passkey(conn, credential_id) is not None:
            raise InvalidInputError("this passkey is already registered")
        repo.insert_passkey(
            conn,
            {
                "credential_id": credential_id,
                "person_id": person_id,
                "public_key": verified.credential_public_key,
                "sign_count": verified.sign_count,
                "label": (label.strip() or "passkey")[:100],
                "created_at": now,
                "last_used_at": now,
            },
        )
        actor = Actor(found["actor_kind"], found["actor_id"], "")
        return open_session(conn, actor, now, person_id)


def signin_options(registry: Registry, site: Site) -> tuple[str, dict[str, Any]]:
    """Start signing in with a passkey (any of this site's: the authenticator offers them)."""
    from webauthn import generate_authentication_options
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=site.rp_id, user_verification=UserVerificationRequirement.PREFERRED
    )
    ceremony = secrets.token_urlsafe(32)
    now = registry.now()
    with registry.transaction() as conn:
        repo.insert_challenge(
            conn,
            {
                "id": ceremony,
                "challenge": _b64(options.challenge),
                "purpose": "signin",
                "expires_at": now + timedelta(minutes=CHALLENGE_MINUTES),
            },
        )
    return ceremony, _options_json(options)


def finish_signin(
    registry: Registry, site: Site, ceremony: str | None, credential: dict[str, Any]
) -> tuple[str, Session]:
    """Verify a passkey's signature over the challenge; the person is signed in."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    now = registry.now()
    refused = AuthenticationError("that passkey is not registered here, or was removed")
    with registry.transaction() as conn:
        found = repo.take_challenge(conn, ceremony or "", now)
        if found is None or found["purpose"] != "signin":
            raise AuthenticationError("the passkey ceremony expired: start again")
        credential_id = str(credential.get("id", ""))
        passkey = repo.get_passkey(conn, credential_id) if credential_id else None
        if passkey is None:
            raise refused
        person = repo.get_person(conn, passkey["person_id"])
        if person is None:
            raise refused
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(found["challenge"]),
                expected_origin=site.origin,
                expected_rp_id=site.rp_id,
                credential_public_key=passkey["public_key"],
                credential_current_sign_count=passkey["sign_count"],
            )
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
            raise _verification_failed(exc) from None
        repo.passkey_used(conn, credential_id, verified.new_sign_count, now)
        actor = Actor(person["actor_kind"], person["actor_id"], "")
        return open_session(conn, actor, now, person["id"])


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    passkeys: int


def people_of(registry: Registry, actor_kind: str, actor_id: str) -> list[Person]:
    """The people who sign in for a party (for the operator's recovery invitations)."""
    with registry.engine.connect() as conn:
        return [
            Person(p["id"], p["name"], repo.count_passkeys(conn, p["id"]))
            for p in repo.people_of(conn, actor_kind, actor_id)
        ]


def passkeys_of(registry: Registry, person_id: str) -> list[Passkey]:
    """A person's passkeys, oldest first."""
    with registry.engine.connect() as conn:
        return [Passkey(**row) for row in repo.passkeys_of(conn, person_id)]


def remove_passkey(registry: Registry, person_id: str, credential_id: str) -> None:
    """Remove one of the person's passkeys (never the last: that would lock them out)."""
    with registry.transaction() as conn:
        if repo.count_passkeys(conn, person_id) <= 1:
            raise InvalidInputError("this is your only passkey: add another before removing it")
        if not repo.delete_passkey(conn, person_id, credential_id):
            raise NotFoundError("you have no such passkey")


def sign_out_everywhere(registry: Registry, person_id: str) -> None:
    """End every session the person has opened, on every device."""
    with registry.transaction() as conn:
        repo.end_sessions_of(conn, person_id, registry.now())
