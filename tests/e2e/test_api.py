"""The HTTP API end to end: every party, consent, disputes, the access log, caps and limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from sincerity.services import access_log
from sincerity.services.rate_limits import Limit
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world, payments


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> World:
    built = build_world(db_url, clock)
    yield built
    built.client.close()
    built.registry.close()


def submit(world: World, source: str, records: list[dict], **headers: str):
    return world.call(source, "POST", "/v1/records", json={"records": records}, headers=headers)


def test_a_source_submits_and_the_subject_sees_the_score_change_at_once(world: World) -> None:
    today = world.clock().date()
    assert world.call("alice", "GET", "/v1/me/score").json()["status"] == "thin_file"
    response = submit(world, "utility", payments("alice", 12, today))
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body.pop("batch_id"), int)
    assert body == {"received": 12, "inserted": 12, "unchanged": 0, "subjects_rescored": 1}
    score = world.call("alice", "GET", "/v1/me/score").json()
    assert score["status"] == "scored" and 300 <= score["value"] <= 900
    assert len(score["reasons"]) <= 4 and score["factors"][0]["max_points"] > 0
    history = world.call("alice", "GET", "/v1/me/score/history").json()
    assert history and history[-1]["value"] == pytest.approx(score["value"])
    page = world.call("alice", "GET", "/v1/me/records", params={"limit": 5}).json()
    assert len(page["items"]) == 5 and page["next_cursor"]
    rest = world.call(
        "alice", "GET", "/v1/me/records", params={"limit": 200, "cursor": page["next_cursor"]}
    ).json()
    assert len(rest["items"]) == 7 and rest["next_cursor"] is None


def test_a_batch_is_all_or_nothing_and_names_the_bad_record(world: World) -> None:
    records = payments("alice", 5, world.clock().date())
    records[3]["status"] = "paid-ish"
    response = submit(world, "utility", records)
    assert response.status_code == 422
    problem = response.json()["error"]["problems"][0]
    assert (problem["line"], problem["field"]) == (4, "status")
    assert world.call("alice", "GET", "/v1/me/records").json()["items"] == []


def test_consent_and_registration_are_enforced(world: World) -> None:
    world.call("operator", "POST", "/v1/subjects", json={"id": "carol"})
    response = submit(world, "utility", payments("carol", 2, world.clock().date()))
    assert response.status_code == 403 and response.json()["error"]["code"] == "no_consent"
    wrong_kind = submit(world, "market", payments("alice", 1, world.clock().date()))
    assert wrong_kind.status_code == 403
    spoofed = submit(
        world, "market", [dict(payments("alice", 1, world.clock().date())[0], source="utility")]
    )
    assert spoofed.status_code == 403


def test_idempotency_keys_replay_the_first_response_and_refuse_a_different_body(
    world: World,
) -> None:
    records = payments("alice", 3, world.clock().date())
    first = submit(world, "utility", records, **{"Idempotency-Key": "batch-1"})
    again = submit(world, "utility", records, **{"Idempotency-Key": "batch-1"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    different = submit(world, "utility", records[:2], **{"Idempotency-Key": "batch-1"})
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "idempotency_key_reused"


def test_oversize_bodies_and_batches_get_413(world: World) -> None:
    big = payments("alice", 501, world.clock().date())
    assert submit(world, "utility", big).status_code == 413
    huge = [dict(r, evidence="x" * 1900) for r in payments("alice", 300, world.clock().date())]
    response = submit(world, "utility", huge)
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_relying_parties_need_consent_and_learn_nothing_else(world: World) -> None:
    submit(world, "utility", payments("alice", 12, world.clock().date()))
    body = {"subject_id": "alice", "purpose": "tenancy", "threshold": 600}
    refused = world.call("landlord", "POST", "/v1/checks", json=body)
    ghost = world.call(
        "landlord", "POST", "/v1/checks", json={**body, "subject_id": "nobody-at-all"}
    )
    assert refused.status_code == ghost.status_code == 403
    assert refused.json()["error"]["code"] == ghost.json()["error"]["code"] == "forbidden"
    grant = world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={"grantee_kind": "relying_party", "grantee_id": "landlord", "purpose": "tenancy"},
    )
    assert grant.status_code == 201
    checked = world.call("landlord", "POST", "/v1/checks", json=body).json()
    assert checked["tier"] and checked["meets_threshold"] is True and checked["score"] is None
    assert "records" not in checked and "factors" not in checked
    other_purpose = world.call(
        "landlord", "POST", "/v1/checks", json={**body, "purpose": "marketing"}
    )
    assert other_purpose.status_code == 403
    world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={
            "grantee_kind": "relying_party",
            "grantee_id": "lender",
            "purpose": "loan",
            "share_score": True,
        },
    )
    assert isinstance(
        world.call(
            "lender", "POST", "/v1/checks", json={"subject_id": "alice", "purpose": "loan"}
        ).json()["score"],
        int,
    )
    log = world.call("alice", "GET", "/v1/me/access-log").json()
    assert [(e["actor_id"], e["purpose"]) for e in log if e["actor_kind"] == "relying_party"] == [
        ("landlord", "tenancy"),
        ("lender", "loan"),
    ]
    consent_id = grant.json()["id"]
    assert world.call("alice", "DELETE", f"/v1/me/consents/{consent_id}").status_code == 204
    assert world.call("landlord", "POST", "/v1/checks", json=body).status_code == 403


def test_the_dispute_lifecycle(world: World) -> None:
    today = world.clock().date()
    missed = payments("alice", 2, today, prefix="m", status="missed")
    submit(world, "utility", payments("alice", 12, today) + missed)
    before = world.call("alice", "GET", "/v1/me/score").json()["value"]
    opened = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "m-alice-0", "reason": "I paid it"}
    )
    assert opened.status_code == 201 and opened.json()["state"] == "open"
    during = world.call("alice", "GET", "/v1/me/score").json()["value"]
    assert during > before
    queue = world.call("utility", "GET", "/v1/source/disputes", params={"state": "open"}).json()
    dispute_id = queue[0]["id"]
    no_evidence = world.call(
        "utility", "POST", f"/v1/disputes/{dispute_id}/answer", json={"action": "confirm"}
    )
    assert no_evidence.status_code == 422
    confirmed = world.call(
        "utility",
        "POST",
        f"/v1/disputes/{dispute_id}/answer",
        json={"action": "confirm", "evidence": "bank statement ref 991"},
    )
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["resolved_at"]
    assert world.call("alice", "GET", "/v1/me/score").json()["value"] == pytest.approx(before)
    second = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "m-alice-1", "reason": "not mine"}
    ).json()
    assert world.call("operator", "GET", "/v1/disputes").json()[0]["id"] == second["id"]
    world.clock.moment += timedelta(days=31)
    assert world.call("operator", "POST", "/v1/disputes/sweep").json() == {"suppressed": 1}
    states = {
        d["record_id"]: d["state"] for d in world.call("alice", "GET", "/v1/me/disputes").json()
    }
    assert states == {"m-alice-0": "confirmed", "m-alice-1": "suppressed"}
    late = world.call(
        "utility",
        "POST",
        f"/v1/disputes/{second['id']}/answer",
        json={"action": "confirm", "evidence": "too late"},
    )
    assert late.status_code == 422


def test_a_source_corrects_a_disputed_record(world: World) -> None:
    today = world.clock().date()
    submit(
        world,
        "utility",
        payments("alice", 6, today) + payments("alice", 1, today, prefix="m", status="missed"),
    )
    dispute = world.call(
        "alice",
        "POST",
        "/v1/me/disputes",
        json={"record_id": "m-alice-0", "reason": "late, not missed"},
    ).json()
    corrected = dict(payments("alice", 1, today, prefix="fix", status="late")[0], days_late=3)
    answer = world.call(
        "utility",
        "POST",
        f"/v1/disputes/{dispute['id']}/answer",
        json={"action": "correct", "corrected_record": corrected},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "corrected"
    items = {
        r["id"]: r
        for r in world.call("alice", "GET", "/v1/me/records", params={"limit": 200}).json()["items"]
    }
    assert items["fix-alice-0"]["record"]["supersedes"] == "m-alice-0"


def test_the_access_log_is_tamper_evident(world: World) -> None:
    submit(world, "utility", payments("alice", 6, world.clock().date()))
    world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={"grantee_kind": "relying_party", "grantee_id": "landlord", "purpose": "tenancy"},
    )
    for _ in range(3):
        world.call(
            "landlord", "POST", "/v1/checks", json={"subject_id": "alice", "purpose": "tenancy"}
        )
    world.call("utility", "GET", "/v1/records")
    assert access_log.sequence_log(world.registry) == 4  # three checks and the source's read
    assert access_log.sequence_log(world.registry) == 0
    engine = world.registry.engine
    with engine.connect() as conn:
        assert access_log.verify(conn).ok
    for tamper, expected in (
        ("UPDATE access_log SET purpose = 'nothing to see' WHERE seq = 2", "entry 2 was edited"),
        ("DELETE FROM access_log WHERE seq = 2", "entry 2 is missing"),
        (
            "DELETE FROM access_log WHERE seq = (SELECT MAX(seq) FROM access_log)",
            "deleted from the end",
        ),
    ):
        with engine.connect() as conn:
            transaction = conn.begin()
            conn.execute(text(tamper))
            result = access_log.verify(conn)
            transaction.rollback()
        assert not result.ok and expected in (result.problem or "")
    with engine.connect() as conn:  # reordering: swap two entries' places
        transaction = conn.begin()
        conn.execute(text("UPDATE access_log SET seq = -1 WHERE seq = 2"))
        conn.execute(text("UPDATE access_log SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE access_log SET seq = 3 WHERE seq = -1"))
        result = access_log.verify(conn)
        transaction.rollback()
    assert not result.ok


def test_export_and_erasure(world: World) -> None:
    submit(world, "utility", payments("alice", 6, world.clock().date()))
    exported = world.call("alice", "GET", "/v1/me/export").json()
    assert (
        len(exported["records"]) == 6
        and exported["subject"]["id"] == "alice"
        and exported["consents"]
    )
    erased = world.call("alice", "DELETE", "/v1/me")
    assert erased.json() == {"records_deleted": 6}
    assert world.call("alice", "GET", "/v1/me").status_code == 401
    assert world.call("utility", "GET", "/v1/records").json()["items"] == []
    with world.registry.engine.connect() as conn:
        assert access_log.verify(conn).ok
        assert conn.execute(text("SELECT records_deleted FROM erasures")).scalar() == 6


def test_keys_rotate_and_revoke(world: World) -> None:
    old = world.keys["alice"]
    new = world.call("alice", "POST", "/v1/keys/rotate").json()["api_key"]
    assert world.call("alice", "GET", "/v1/me").status_code == 401
    world.keys["alice"] = new
    assert world.call("alice", "GET", "/v1/me").status_code == 200
    bob_key_id = world.keys["bob"].split("_")[1]
    assert world.call("alice", "DELETE", f"/v1/keys/{bob_key_id}").status_code == 404
    assert world.call("operator", "DELETE", f"/v1/keys/{bob_key_id}").status_code == 204
    assert world.call("bob", "GET", "/v1/me").status_code == 401
    assert old != new


def test_rate_limits_answer_429_with_retry_after(world: World) -> None:
    world.client.app.state.party_limit = Limit(per_minute=60, burst=5)
    codes = [world.call("alice", "GET", "/v1/me").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429
    limited = world.call("alice", "GET", "/v1/me")
    assert (
        limited.headers["Retry-After"].isdigit()
        and limited.json()["error"]["code"] == "rate_limited"
    )
    assert world.call("bob", "GET", "/v1/me").status_code == 200  # limits are per caller


def test_errors_have_one_shape(world: World) -> None:
    for response in (
        world.client.get("/v1/me"),
        world.call("alice", "GET", "/v1/me/records", params={"limit": 5000}),
        world.call("alice", "GET", "/v1/nowhere"),
        world.call("alice", "POST", "/v1/me/disputes", json={"record_id": ""}),
    ):
        body = response.json()
        assert set(body) == {"error"} and {"code", "message", "problems"} <= set(body["error"])


def test_the_docs_page_serves_its_own_assets(world: World) -> None:
    page = world.client.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    assert world.client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    assert world.client.get("/openapi.json").json()["info"]["title"] == "Sincerity"
