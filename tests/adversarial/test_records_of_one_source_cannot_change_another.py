"""Promise: what one source reported, no other source (and no dispute answer) can change."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.api_world import World, payments


def judgment(world: World, **fields: object) -> dict[str, object]:
    day = world.clock().date() - timedelta(days=30)
    return {
        "id": "j-1",
        "source": "court",
        "subject": "alice",
        "kind": "judgment",
        "occurred_on": day.isoformat(),
        "reported_on": day.isoformat(),
        "status": "unpaid",
        "amount": 5000,
        **fields,
    }


def score(world: World) -> float:
    return float(world.call("alice", "GET", "/v1/me/score").json()["value"] or 0)


def test_a_payment_cannot_supersede_another_sources_judgment(world: World) -> None:
    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 12, today)})
    assert (
        world.call("court", "POST", "/v1/records", json={"records": [judgment(world)]}).status_code
        == 200
    )
    before = score(world)
    attack = payments("alice", 1, today, prefix="x")[0] | {"supersedes": "j-1"}
    refused = world.call("utility", "POST", "/v1/records", json={"records": [attack]})
    assert refused.status_code == 403
    assert refused.json()["error"]["problems"][0]["field"] == "supersedes"
    assert score(world) == before
    listed = world.call("court", "GET", "/v1/records").json()["items"]
    assert listed[0]["counts"] is True


def test_a_source_may_supersede_its_own_record_and_it_stops_counting(world: World) -> None:
    world.call("court", "POST", "/v1/records", json={"records": [judgment(world)]})
    satisfied = judgment(world, id="j-2", status="satisfied", supersedes="j-1")
    assert (
        world.call("court", "POST", "/v1/records", json={"records": [satisfied]}).status_code == 200
    )
    items = {i["id"]: i for i in world.call("court", "GET", "/v1/records").json()["items"]}
    assert items["j-1"]["counts"] is False and items["j-1"]["superseded"] is True
    assert items["j-2"]["counts"] is True


def test_supersedes_must_name_the_same_subject_and_kind(world: World) -> None:
    world.call("court", "POST", "/v1/records", json={"records": [judgment(world)]})
    other = judgment(world, id="j-3", subject="bob", supersedes="j-1")
    world.call(
        "bob", "POST", "/v1/me/consents", json={"grantee_kind": "source", "grantee_id": "court"}
    )
    refused = world.call("court", "POST", "/v1/records", json={"records": [other]})
    assert refused.status_code == 403 and "same subject and kind" in refused.text


def test_a_correction_gets_every_check_a_batch_gets(world: World) -> None:
    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 3, today)})
    dispute = world.call(
        "alice",
        "POST",
        "/v1/me/disputes",
        json={"record_id": "p-alice-0", "reason": "never billed"},
    ).json()
    consent = next(
        c
        for c in world.call("alice", "GET", "/v1/me/consents").json()
        if c["grantee_id"] == "utility"
    )
    assert world.call("alice", "DELETE", f"/v1/me/consents/{consent['id']}").status_code == 204
    # A payment-only source, whose consent was revoked, tries to store a judgment as a correction.
    forged = judgment(world, id="forged", amount=99_999)
    answered = world.call(
        "utility",
        "POST",
        f"/v1/disputes/{dispute['id']}/answer",
        json={"action": "correct", "corrected": forged},
    )
    assert answered.status_code in (403, 422), answered.text
    assert world.call("court", "GET", "/v1/records").json()["items"] == []


def test_future_dates_and_infinite_amounts_are_refused(world: World) -> None:
    future = (world.clock().date() + timedelta(days=3)).isoformat()
    refused = world.call(
        "court",
        "POST",
        "/v1/records",
        json={"records": [judgment(world, occurred_on=future, reported_on=future)]},
    )
    assert refused.status_code == 403 and "future" in refused.text
    huge = world.client.post(
        "/v1/records",
        content='{"records": [{"id": "j-9", "source": "court", "subject": "alice", '
        '"kind": "judgment", "occurred_on": "2026-05-01", "reported_on": "2026-05-01", '
        '"status": "unpaid", "amount": 1e999}]}',
        headers={**world.as_("court"), "Content-Type": "application/json"},
    )
    assert huge.status_code == 422
    assert world.call("alice", "GET", "/v1/me/export").status_code == 200
