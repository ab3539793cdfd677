"""Promise: after erasure, nothing the subject told us or anyone said about them is left, their
proofs stop working, and their id cannot be reused to inherit anything."""

from __future__ import annotations

import glob

from sqlalchemy import text

from sincerity.services import access_log
from tests.e2e.api_world import World, payments

MARKER = "zq7marker"


def test_nothing_of_the_subject_survives_erasure(world: World) -> None:
    today = world.clock().date()
    rows = payments("alice", 4, today, prefix=f"{MARKER}-p")
    rows[0]["evidence"] = f"{MARKER} invoice"
    assert world.call("utility", "POST", "/v1/records", json={"records": rows}).status_code == 200
    world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={
            "grantee_kind": "relying_party",
            "grantee_id": "landlord",
            "purpose": f"{MARKER} flat",
        },
    )
    world.call(
        "landlord", "POST", "/v1/checks", json={"subject_id": "alice", "purpose": f"{MARKER} flat"}
    )
    world.call(
        "alice",
        "POST",
        "/v1/me/disputes",
        json={"record_id": rows[1]["id"], "reason": f"{MARKER} why"},
    )
    issued = world.call("alice", "POST", "/v1/me/attestations", json={}).json()
    assert world.call("alice", "DELETE", "/v1/me").status_code == 200
    with world.registry.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM attestations")).scalar() == 0
        assert access_log.verify(conn).ok  # the log still verifies without the text
        dumped = "\n".join(
            str(row)
            for table in ("access_log", "batches", "idempotency", "disputes", "records", "scores")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert MARKER not in dumped
    status = world.client.get("/v1/status-lists/1")
    assert status.status_code == 200
    assert issued["id"]
    # The id is retired: a new registration does not inherit the old log or proofs.
    again = world.call("operator", "POST", "/v1/subjects", json={"id": "alice"})
    assert again.status_code == 422 and "retired" in again.text
    url = str(world.registry.engine.url)
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        for name in glob.glob(path + "*"):
            with open(name, "rb") as handle:
                assert MARKER.encode() not in handle.read(), name
