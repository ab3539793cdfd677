"""Broken object-level authorisation (OWASP API1): for every route that takes an id, every
caller but the owner gets 403 or 404 — each other role, another subject, another source."""

from __future__ import annotations

import pytest

from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world, payments

EVERYONE = ("operator", "utility", "market", "alice", "bob", "landlord", "lender")


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> World:
    built = build_world(db_url, clock)
    today = clock().date()
    assert (
        built.call(
            "utility",
            "POST",
            "/v1/records",
            json={"records": payments("alice", 4, today, status="missed")},
        ).status_code
        == 200
    )
    yield built
    built.client.close()
    built.registry.close()


def others(owner: str) -> list[str]:
    return [who for who in EVERYONE if who != owner]


def assert_refused(world: World, owner: str, method: str, path: str, **kwargs: object) -> None:
    for who in others(owner):
        response = world.call(who, method, path, **kwargs)
        assert response.status_code in (403, 404), (
            who,
            method,
            path,
            response.status_code,
            response.text,
        )


def test_every_route_with_an_id_is_covered_here(world: World) -> None:
    templated = {path for path in world.client.app.openapi()["paths"] if "{" in path}
    assert templated == {
        "/v1/records/{record_id}",
        "/v1/disputes/{dispute_id}/answer",
        "/v1/me/disputes/{dispute_id}/drop",
        "/v1/source/disputes/{dispute_id}/evidence",
        "/v1/me/consents/{consent_id}/restore",
        "/v1/me/consents/{consent_id}",
        "/v1/keys/{key_id}",
        "/v1/me/attestations/{attestation_id}",
        "/v1/status-lists/{list_id}",  # public by design: bits only, no subject in it
        "/v1/presentation-requests/{request_id}",
        # Any subject may answer a request (it names no subject); the proof says whose it is.
        "/v1/me/presentation-requests/{request_id}",
        "/v1/me/presentation-requests/{request_id}/answer",
        "/v1/me/access-log/{seq}/proof",
        "/v1/parties/{kind}/{party_id}/keys",
    }


def test_a_presentation_request_is_read_only_by_the_party_that_made_it(world: World) -> None:
    made = world.call(
        "landlord", "POST", "/v1/presentation-requests", json={"claims": ["tier"], "purpose": "x"}
    )
    assert made.status_code == 201
    path = f"/v1/presentation-requests/{made.json()['id']}"
    assert world.call("landlord", "GET", path).status_code == 200
    assert_refused(world, "landlord", "GET", path)


def test_an_inclusion_proof_is_only_for_the_subject_it_is_about(world: World) -> None:
    world.call("utility", "GET", "/v1/records")  # the source's read of alice's records is logged
    entries = world.call("alice", "GET", "/v1/me/access-log").json()
    path = f"/v1/me/access-log/{entries[0]['seq']}/proof"
    assert world.call("alice", "GET", path).status_code == 200
    assert_refused(world, "alice", "GET", path)


def test_only_the_operator_reissues_keys(world: World) -> None:
    assert_refused(world, "operator", "POST", "/v1/parties/subject/alice/keys")


def test_a_record_is_seen_only_by_its_source(world: World) -> None:
    path = "/v1/records/p-alice-0"
    assert world.call("utility", "GET", path).status_code == 200
    assert_refused(world, "utility", "GET", path)


def test_a_dispute_is_answered_only_by_the_source_of_its_record(world: World) -> None:
    dispute = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "p-alice-1", "reason": "paid"}
    ).json()
    path = f"/v1/disputes/{dispute['id']}/answer"
    body = {"action": "confirm", "evidence": "receipt"}
    assert_refused(world, "utility", "POST", path, json=body)
    assert world.call("utility", "POST", path, json=body).status_code == 200


def test_a_dispute_is_taken_back_only_by_its_subject(world: World) -> None:
    dispute = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "p-alice-1", "reason": "paid"}
    ).json()
    path = f"/v1/me/disputes/{dispute['id']}/drop"
    assert_refused(world, "alice", "POST", path)
    dropped = world.call("alice", "POST", path)
    assert dropped.status_code == 200 and dropped.json()["state"] == "dropped"


def test_a_disputes_evidence_is_read_only_by_the_source_of_its_record(world: World) -> None:
    from sincerity.services.disputes import Evidence, open_dispute

    dispute_id = open_dispute(
        world.registry,
        "alice",
        "p-alice-2",
        "paid",
        "paid_or_settled",
        Evidence("receipt.pdf", "application/pdf", b"%PDF-1.4 receipt"),
    )
    path = f"/v1/source/disputes/{dispute_id}/evidence"
    assert_refused(world, "utility", "GET", path)
    got = world.call("utility", "GET", path)
    assert got.status_code == 200 and got.content == b"%PDF-1.4 receipt"
    assert got.headers["content-type"] == "application/octet-stream"  # never rendered inline


def test_a_revocation_is_undone_only_by_its_subject(world: World) -> None:
    consent_id = world.call("alice", "GET", "/v1/me/consents").json()[0]["id"]
    assert world.call("alice", "DELETE", f"/v1/me/consents/{consent_id}").status_code == 204
    path = f"/v1/me/consents/{consent_id}/restore"
    assert_refused(world, "alice", "POST", path)
    restored = world.call("alice", "POST", path)
    assert restored.status_code == 200 and restored.json()["revoked_at"] is None


def test_a_consent_is_revoked_only_by_its_subject(world: World) -> None:
    consent_id = world.call("alice", "GET", "/v1/me/consents").json()[0]["id"]
    path = f"/v1/me/consents/{consent_id}"
    assert_refused(world, "alice", "DELETE", path)
    assert world.call("alice", "DELETE", path).status_code == 204


def test_a_key_is_revoked_only_by_its_holder_or_the_operator(world: World) -> None:
    key_id = world.keys["alice"].split("_")[1]
    path = f"/v1/keys/{key_id}"
    for who in ("utility", "market", "bob", "landlord", "lender"):
        assert world.call(who, "DELETE", path).status_code == 404
    assert world.call("alice", "GET", "/v1/me").status_code == 200
    assert world.call("alice", "DELETE", path).status_code == 204


def test_ids_in_bodies_are_checked_too(world: World) -> None:
    # Another subject cannot dispute alice's record; a relying party cannot check without consent.
    response = world.call(
        "bob", "POST", "/v1/me/disputes", json={"record_id": "p-alice-0", "reason": "x"}
    )
    assert response.status_code == 404
    world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={"grantee_kind": "relying_party", "grantee_id": "landlord", "purpose": "tenancy"},
    )
    check = {"subject_id": "alice", "purpose": "tenancy"}
    assert world.call("landlord", "POST", "/v1/checks", json=check).status_code == 200
    assert world.call("lender", "POST", "/v1/checks", json=check).status_code == 403
    for who in ("operator", "utility", "alice", "bob"):
        assert world.call(who, "POST", "/v1/checks", json=check).status_code == 403


def test_an_attestation_is_revoked_only_by_its_subject(world: World) -> None:
    issued = world.call("alice", "POST", "/v1/me/attestations", json={})
    assert issued.status_code == 201, issued.text
    path = f"/v1/me/attestations/{issued.json()['id']}"
    assert_refused(world, "alice", "DELETE", path)
    assert world.call("alice", "DELETE", path).status_code == 204
