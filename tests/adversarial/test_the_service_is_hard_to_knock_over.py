"""Promise: no anonymous visitor can exhaust the server, guess keys freely, frame or sniff its
pages, or sign a person in from another site; a subject who lost every key gets a new one."""

from __future__ import annotations

from tests.e2e.api_world import World


def test_anonymous_lab_runs_are_refused(world: World) -> None:
    from sincerity.web import mount_web

    mount_web(world.client.app)
    response = world.client.post("/lab", data={"agents": "5000", "steps": "120"})
    assert response.status_code == 403


def test_failed_keys_are_limited_by_address_even_for_a_right_key_after(world: World) -> None:
    codes = [
        world.client.get("/v1/me", headers={"Authorization": f"Bearer sk_x_{i}"}).status_code
        for i in range(25)
    ]
    assert codes[0] == 401 and codes[-1] == 429
    assert world.call("alice", "GET", "/v1/me").status_code == 429  # same address, still cooling


def test_rotating_a_key_does_not_refill_the_bucket(world: World) -> None:
    from sincerity.services.rate_limits import Limit

    world.client.app.state.party_limit = Limit(per_minute=1, burst=3)
    assert world.call("bob", "GET", "/v1/me").status_code == 200
    rotated = world.call("bob", "POST", "/v1/keys/rotate")
    world.keys["bob"] = rotated.json()["api_key"]
    codes = [world.call("bob", "GET", "/v1/me").status_code for _ in range(2)]
    assert codes[-1] == 429


def test_pages_carry_security_headers_and_sign_in_checks_origin(world: World) -> None:
    from sincerity.web import mount_web

    mount_web(world.client.app)
    page = world.client.get("/signin")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    cross = world.client.post(
        "/signin", data={"api_key": world.keys["alice"]}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403


def test_a_subject_whose_only_key_was_revoked_gets_a_new_one(world: World) -> None:
    key_id = world.keys["bob"].split("_")[1]
    assert world.call("operator", "DELETE", f"/v1/keys/{key_id}").status_code == 204
    assert world.call("bob", "GET", "/v1/me").status_code == 401
    issued = world.call("operator", "POST", "/v1/parties/subject/bob/keys")
    assert issued.status_code == 201
    world.keys["bob"] = issued.json()["api_key"]
    assert world.call("bob", "GET", "/v1/me").status_code == 200


def test_the_lab_queue_is_bounded_and_one_run_per_person() -> None:
    import threading

    import pytest

    from sincerity.core.errors import RateLimitedError
    from sincerity.web.lab_jobs import LabJobs

    release = threading.Event()

    def slow(progress: object) -> str:
        release.wait(10)
        return "<p>done</p>"

    jobs = LabJobs(max_running=1, max_waiting=1)
    first = jobs.submit("alice", 10, slow)
    with pytest.raises(RateLimitedError):
        jobs.submit("alice", 10, slow)  # one at a time per person
    jobs.submit("bob", 10, slow)
    with pytest.raises(RateLimitedError):
        jobs.submit("carol", 10, slow)  # the queue is full
    with pytest.raises(Exception, match="no lab run"):
        jobs.get(first.id, "bob")  # nobody reads another's run
    release.set()
    jobs.shutdown()


def test_listing_disputes_never_writes_the_sweep_is_a_job(world: World) -> None:
    from datetime import timedelta

    from tests.e2e.api_world import payments

    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 2, today)})
    opened = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "p-alice-0", "reason": "no"}
    ).json()
    world.clock.moment += timedelta(days=31)
    listed = world.call("alice", "GET", "/v1/me/disputes").json()
    assert listed[0]["state"] == "open"  # overdue, but a read changes nothing
    from sincerity.services.jobs import run_jobs

    assert run_jobs(world.registry, ["sweep"]) == {"sweep": 1}
    after = world.call("alice", "GET", "/v1/me/disputes").json()
    assert after[0]["id"] == opened["id"] and after[0]["state"] == "suppressed"
