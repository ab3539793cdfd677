"""Promise: many concurrent clients never get a 500, never store a batch twice, never half."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tests.e2e.api_world import World, payments


def test_one_idempotency_key_from_ten_threads_does_the_work_once(world: World) -> None:
    today = world.clock().date()
    bodies = [{"records": payments("alice", 2, today, prefix=f"k{i}-")} for i in range(10)]

    def send(body: dict[str, object]) -> int:
        headers = {**world.as_("utility"), "Idempotency-Key": "same-key"}
        return world.client.post("/v1/records", json=body, headers=headers).status_code

    with ThreadPoolExecutor(10) as pool:
        same = list(pool.map(send, [bodies[0]] * 10))
    assert same == [200] * 10
    with ThreadPoolExecutor(10) as pool:
        different = list(pool.map(send, bodies[1:]))
    assert set(different) == {409}
    with world.registry.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM records")).scalar() == 2


def test_twenty_concurrent_writers_for_one_subject(world: World) -> None:
    today = world.clock().date()

    def send(i: int) -> int:
        body = {"records": payments("alice", 1, today, prefix=f"w{i}-")}
        return world.call("utility", "POST", "/v1/records", json=body).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(send, range(20)))
    assert codes == [200] * 20
    with world.registry.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM records")).scalar() == 20


def test_nul_characters_and_huge_ids_are_refused_at_the_edge(world: World) -> None:
    nul = world.call(
        "alice", "POST", "/v1/me/disputes", json={"record_id": "x", "reason": "a\u0000b"}
    )
    assert nul.status_code == 422
    assert world.call("alice", "GET", "/v1/me/disputes?x=%00").status_code == 422
    from sincerity.web import mount_web

    mount_web(world.client.app)
    huge = world.client.post("/me/consents/99999999999999999999/revoke")
    assert huge.status_code == 422


def test_a_transaction_the_database_aborted_is_run_again_whole(world: World) -> None:
    from sqlalchemy.exc import DBAPIError

    class SerializationFailureError(Exception):
        sqlstate = "40001"

    attempts: list[int] = []

    def work(conn: object) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise DBAPIError("UPDATE", {}, SerializationFailureError())
        return "done"

    assert world.registry.run_in_transaction(work) == "done" and len(attempts) == 3
