"""Passkeys: an invitation works once and only as its issuer may issue it; a ceremony answers
once, for this site only; a passkey signs in only its own person, never after it is removed,
and signing out everywhere ends every session. The browser's part is played by a software
authenticator that signs whatever a test hands it."""

from __future__ import annotations

from typing import Any

import pytest

from sincerity.core.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from sincerity.services import Registry, passkeys
from sincerity.services.keys import Actor
from sincerity.services.operator import register_relying_party, register_source, register_subject
from sincerity.services.subject_file import erase
from sincerity.services.web_sessions import session_for
from tests.conftest import FixedClock
from tests.software_authenticator import Authenticator

SITE = passkeys.Site.of("https://trust.example.org")
OPERATOR = Actor("operator", "operator", "k0")


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Registry:
    built = Registry.create(db_url, clock=clock)
    register_subject(built, "alice", "Alice Example")
    register_subject(built, "bob", "Bob Example")
    register_source(built, "utility", "City Utility", ["payment"])
    register_source(built, "bank", "Other Bank", ["payment"])
    register_relying_party(built, "landlord", "Landlord Ltd")
    yield built
    built.close()


def enrol(registry: Registry, key: Authenticator, kind: str, party: str) -> tuple[str, str]:
    """Invite and register; returns (person id, the session's cookie token)."""
    _, token = passkeys.invite(registry, OPERATOR, kind, party, f"someone at {party}")
    ceremony, options = passkeys.registration_options(registry, SITE, invitation_token=token)
    cookie, session = passkeys.finish_registration(
        registry, SITE, ceremony, key.create(options, SITE.origin)
    )
    assert session.person_id is not None
    return session.person_id, cookie


def sign_in(registry: Registry, key: Authenticator, origin: str = SITE.origin) -> str:
    ceremony, options = passkeys.signin_options(registry, SITE)
    cookie, _ = passkeys.finish_signin(registry, SITE, ceremony, key.get(options, origin))
    return cookie


def test_the_honest_path_signs_in_as_the_invited_party(registry: Registry) -> None:
    key = Authenticator()
    person, _ = enrol(registry, key, "subject", "alice")
    session = session_for(registry, sign_in(registry, key))
    assert (session.actor.kind, session.actor.id, session.person_id) == ("subject", "alice", person)


def test_only_the_operator_or_a_colleague_invites(registry: Registry) -> None:
    for inviter, kind, party in [
        (Actor("subject", "alice", "k"), "subject", "alice"),  # subjects invite nobody
        (Actor("subject", "alice", "k"), "subject", "bob"),
        (Actor("source", "bank", "k"), "source", "utility"),  # not a colleague
        (Actor("relying_party", "landlord", "k"), "operator", "operator"),
    ]:
        with pytest.raises(PermissionDeniedError):
            passkeys.invite(registry, inviter, kind, party, "someone")
    passkeys.invite(registry, Actor("source", "utility", "k"), "source", "utility", "a colleague")
    with pytest.raises(NotFoundError):
        passkeys.invite(registry, OPERATOR, "source", "nobody", "someone")


def test_recovery_adds_a_passkey_to_the_same_person_and_only_the_operator_issues_it(
    registry: Registry,
) -> None:
    lost = Authenticator()
    person, _ = enrol(registry, lost, "source", "utility")
    colleague = Actor("source", "utility", "k")
    with pytest.raises(PermissionDeniedError):  # a colleague cannot take over another's sign-in
        passkeys.invite(registry, colleague, "source", "utility", "x", person_id=person)
    with pytest.raises(NotFoundError):  # a person of another party
        passkeys.invite(registry, OPERATOR, "source", "bank", "x", person_id=person)
    _, token = passkeys.invite(registry, OPERATOR, "source", "utility", "ignored", person)
    assert passkeys.open_invitation(registry, token).for_existing_person
    ceremony, options = passkeys.registration_options(registry, SITE, invitation_token=token)
    found = Authenticator()
    _, session = passkeys.finish_registration(
        registry, SITE, ceremony, found.create(options, SITE.origin)
    )
    assert session.person_id == person
    assert len(passkeys.passkeys_of(registry, person)) == 2
    assert session_for(registry, sign_in(registry, found)).person_id == person


def test_an_invitation_registers_once(registry: Registry) -> None:
    _, token = passkeys.invite(registry, OPERATOR, "subject", "alice", "Alice")
    first = passkeys.registration_options(registry, SITE, invitation_token=token)
    second = passkeys.registration_options(registry, SITE, invitation_token=token)
    passkeys.finish_registration(
        registry, SITE, first[0], Authenticator().create(first[1], SITE.origin)
    )
    with pytest.raises(NotFoundError):  # the second ceremony started before the first finished
        passkeys.finish_registration(
            registry, SITE, second[0], Authenticator().create(second[1], SITE.origin)
        )
    with pytest.raises(NotFoundError):
        passkeys.open_invitation(registry, token)


def test_an_invitation_expires(registry: Registry, clock: FixedClock) -> None:
    _, token = passkeys.invite(registry, OPERATOR, "subject", "alice", "Alice")
    clock.advance(days=passkeys.INVITATION_DAYS, seconds=1)
    with pytest.raises(NotFoundError):
        passkeys.registration_options(registry, SITE, invitation_token=token)


def test_a_ceremony_answers_once_and_only_for_this_site(registry: Registry) -> None:
    key = Authenticator()
    enrol(registry, key, "subject", "alice")
    ceremony, options = passkeys.signin_options(registry, SITE)
    answer = key.get(options, SITE.origin)
    passkeys.finish_signin(registry, SITE, ceremony, answer)
    with pytest.raises(AuthenticationError):  # replayed: the challenge is spent
        passkeys.finish_signin(registry, SITE, ceremony, answer)
    with pytest.raises(AuthenticationError):  # phished: signed for another origin
        sign_in(registry, key, origin="https://trust-example.evil")
    ceremony, options = passkeys.signin_options(registry, SITE)
    tampered = key.get(options, SITE.origin)
    tampered["response"]["signature"] = tampered["response"]["signature"][:-4] + "AAAA"
    with pytest.raises(AuthenticationError):
        passkeys.finish_signin(registry, SITE, ceremony, tampered)


def test_a_ceremony_expires(registry: Registry, clock: FixedClock) -> None:
    key = Authenticator()
    enrol(registry, key, "subject", "alice")
    ceremony, options = passkeys.signin_options(registry, SITE)
    clock.advance(minutes=passkeys.CHALLENGE_MINUTES, seconds=1)
    with pytest.raises(AuthenticationError):
        passkeys.finish_signin(registry, SITE, ceremony, key.get(options, SITE.origin))


def test_a_cloned_passkey_is_refused_by_its_counter(registry: Registry) -> None:
    key = Authenticator()
    enrol(registry, key, "subject", "alice")
    sign_in(registry, key)
    clone = Authenticator(key=key.key, credential_id=key.credential_id, count=0)
    with pytest.raises(AuthenticationError):
        sign_in(registry, clone)


def test_an_unknown_or_removed_passkey_signs_nobody_in(registry: Registry) -> None:
    with pytest.raises(AuthenticationError):
        sign_in(registry, Authenticator())
    key, spare = Authenticator(), Authenticator()
    person, cookie = enrol(registry, key, "subject", "alice")
    session = session_for(registry, cookie)
    ceremony, options = passkeys.registration_options(registry, SITE, session=session)
    passkeys.finish_registration(
        registry, SITE, ceremony, spare.create(options, SITE.origin), "spare", session
    )
    with pytest.raises(NotFoundError):
        passkeys.remove_passkey(registry, person, "no-such-credential")
    passkeys.remove_passkey(
        registry, person, passkeys.passkeys_of(registry, person)[0].credential_id
    )
    with pytest.raises(AuthenticationError):
        sign_in(registry, key)
    sign_in(registry, spare)
    with pytest.raises(InvalidInputError):  # never the last one
        passkeys.remove_passkey(
            registry, person, passkeys.passkeys_of(registry, person)[0].credential_id
        )


def test_another_partys_session_cannot_add_a_passkey_to_a_ceremony(registry: Registry) -> None:
    _, alice_cookie = enrol(registry, Authenticator(), "subject", "alice")
    _, bob_cookie = enrol(registry, Authenticator(), "subject", "bob")
    alice, bob = session_for(registry, alice_cookie), session_for(registry, bob_cookie)
    ceremony, options = passkeys.registration_options(registry, SITE, session=alice)
    with pytest.raises(AuthenticationError):
        passkeys.finish_registration(
            registry, SITE, ceremony, Authenticator().create(options, SITE.origin), "x", bob
        )


def test_signing_out_everywhere_ends_every_session(registry: Registry, clock: FixedClock) -> None:
    key = Authenticator()
    person, first = enrol(registry, key, "subject", "alice")
    clock.advance(seconds=1)
    second = sign_in(registry, key)
    passkeys.sign_out_everywhere(registry, person)
    for cookie in (first, second):
        with pytest.raises(AuthenticationError):
            session_for(registry, cookie)
    clock.advance(seconds=1)
    session_for(registry, sign_in(registry, key))  # signing in again works


def test_erasure_removes_the_subjects_passkeys(registry: Registry) -> None:
    key = Authenticator()
    _, cookie = enrol(registry, key, "subject", "alice")
    erase(registry, "alice")
    with pytest.raises(AuthenticationError):
        session_for(registry, cookie)
    with pytest.raises(AuthenticationError):
        sign_in(registry, key)


def test_another_site_cannot_start_or_finish_a_ceremony(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from sincerity.api import Settings
    from sincerity.web import create_site

    db = f"sqlite:///{tmp_path / 'site.db'}"
    Registry.create(db).close()
    site = create_site(Settings(database_url=db, public_url=SITE.origin))
    key = Authenticator()
    with TestClient(site, base_url=SITE.origin) as browser:
        evil = {"origin": "https://trust-example.evil"}
        started = browser.post("/webauthn/signin/options", json={}, headers=evil).json()
        assert started["ok"] is False and "another site" in started["message"]
        ours = {"origin": SITE.origin}
        started = browser.post("/webauthn/signin/options", json={}, headers=ours).json()
        assert started["ok"] is True
        answer = key.get(started["options"], SITE.origin)
        finished = browser.post(
            "/webauthn/signin/verify", json={"credential": answer}, headers=evil
        ).json()
        assert finished["ok"] is False and "sincerity_session" not in browser.cookies
