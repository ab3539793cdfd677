"""Promise: a proof whose claim stopped being true is revoked, whatever engine rescored."""

from __future__ import annotations

from datetime import timedelta

from sincerity.services import ingest_rows
from sincerity.services.attest import issue_attestation, list_attestations
from sincerity.services.rescore_batch import rescore_with_engine
from tests.e2e.api_world import World, payments


def test_a_duckdb_rescore_revokes_a_proof_that_stopped_being_true(world: World) -> None:
    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 24, today)})
    issued = issue_attestation(world.registry, "alice", "http://x")
    assert "tier" in issued.claims
    day = (today - timedelta(days=5)).isoformat()
    judgments = [
        {
            "id": f"j{i}",
            "source": "court",
            "subject": "alice",
            "kind": "judgment",
            "occurred_on": day,
            "reported_on": day,
            "status": "unpaid",
            "amount": 90_000,
        }
        for i in range(5)
    ]
    ingest_rows(world.registry, judgments, rescore=False)  # stored, not yet rescored
    assert list_attestations(world.registry, "alice")[0].revoked_at is None
    rescore_with_engine(world.registry, "duckdb")
    listed = {a.id: a for a in list_attestations(world.registry, "alice")}
    assert listed[issued.id].revoked_at is not None
