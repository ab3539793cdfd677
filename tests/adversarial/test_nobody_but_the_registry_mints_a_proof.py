"""Promise: only the registry can mint a proof, and a proof is worth something only to the
verifier it was made for, and only while it is true and unrevoked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from sincerity.credentials import keys as jwk_keys
from sincerity.credentials.envelope import is_sealed
from sincerity.credentials.sdjwt import issue
from sincerity.credentials.status_list import StatusList, StatusListToken
from sincerity.services.attest import issue_attestation, verify_online
from tests.e2e.api_world import World, payments


def test_a_copy_of_the_database_holds_no_usable_signing_key(world: World, tmp_path: Path) -> None:
    world.call("alice", "POST", "/v1/me/attestations", json={})
    with world.registry.engine.connect() as conn:
        stored = conn.execute(text("SELECT kid, private_jwk FROM signing_keys")).all()
    assert stored and all(is_sealed(private) for _, private in stored)
    for _, private in stored:
        with pytest.raises(ValueError):
            jwk_keys.import_jwk(json.loads(private.removeprefix("enc:v1:")))
    # Someone holding only the database mints a credential with a key of their own: it fails.
    forger = jwk_keys.new_key(stored[0][0])  # even claiming the registry's key id
    holder = jwk_keys.new_key()
    forged, _ = issue(
        {"iss": "x", "iat": 1, "exp": 2**40, "jti": "nope"},
        {"subject": "ghost", "tier": "excellent"},
        forger,
        stored[0][0],
        jwk_keys.public_jwk(holder),
    )
    from sincerity.credentials import present

    shown = present(forged, ["tier"], holder, "acme", "n", int(world.clock().timestamp()))
    result = verify_online(world.registry, shown, "acme", "n")
    assert not result.valid and "signature" in result.reason


def test_an_attestation_the_registry_never_issued_is_refused(world: World) -> None:
    issued = issue_attestation(world.registry, "alice", "http://x")
    with world.registry.transaction() as conn:
        conn.execute(text("DELETE FROM attestations"))
    from sincerity.credentials import present

    shown = present(
        issued.sd_jwt,
        ["subject"],
        jwk_keys.import_jwk(issued.holder_private_jwk or {}),
        "acme",
        "n",
        int(world.clock().timestamp()),
    )
    result = verify_online(world.registry, shown, "acme", "n")
    assert not result.valid and "no record of issuing" in result.reason


def test_a_stale_status_list_is_not_trusted() -> None:
    token = StatusListToken(StatusList.empty(8), issued_at=1_000, ttl=300, expires_at=None)
    assert token.stale_reason(1_100) is None
    assert "stale" in (token.stale_reason(1_000 + 30 * 86_400) or "")


def test_a_proof_made_for_one_relying_party_is_worthless_to_another(world: World) -> None:
    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 12, today)})
    made = world.call(
        "landlord",
        "POST",
        "/v1/presentation-requests",
        json={"claims": ["subject"], "purpose": "x"},
    ).json()
    answered = world.call("alice", "POST", f"/v1/me/presentation-requests/{made['id']}/answer")
    assert answered.status_code == 200, answered.text
    result = world.call("landlord", "GET", f"/v1/presentation-requests/{made['id']}").json()
    assert result["result"]["valid"] and result["result"]["bound"]
    with world.registry.engine.connect() as conn:
        presentation = conn.execute(text("SELECT presentation FROM presentation_requests")).scalar()
    replay = world.client.post(
        "/v1/verify",
        json={"presentation": presentation, "audience": "lender", "nonce": made["nonce"]},
    ).json()
    assert not replay["valid"] and "replay" in replay["reason"]
    unbound = world.client.post("/v1/verify", json={"presentation": presentation}).json()
    assert not unbound["valid"] and "not bound to you" in unbound["reason"]
    again = world.call("alice", "POST", f"/v1/me/presentation-requests/{made['id']}/answer")
    assert again.status_code == 422  # a nonce answers once


def test_rotating_the_kek_keeps_signing_and_retires_the_old_key(
    world: World, tmp_path: Path
) -> None:
    from sincerity.core.errors import ConfigurationError
    from sincerity.credentials.envelope import new_kek
    from sincerity.services.attest import current_signing_key
    from sincerity.services.kek import rotate_kek

    kid, _ = current_signing_key(world.registry)
    old, new = world.registry.kek, new_kek()
    assert old is not None
    with world.registry.transaction() as conn:
        assert rotate_kek(conn, old, new) == 1
    world.registry.kek = new
    assert current_signing_key(world.registry)[0] == kid
    world.registry.kek = old  # the old KEK no longer opens anything
    with pytest.raises(ConfigurationError, match="another key-encryption key"):
        current_signing_key(world.registry)
    world.registry.kek = None
    with pytest.raises(ConfigurationError, match="SINCERITY_KEK_FILE"):
        current_signing_key(world.registry)
