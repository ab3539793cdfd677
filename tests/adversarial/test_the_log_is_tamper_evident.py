"""Promise: someone who controls the database cannot rewrite or shorten the access log without
a checkpoint taken earlier exposing it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from sincerity.core import merkle
from sincerity.db import tables as t
from sincerity.services import access_log
from sincerity.services.checkpoints import sign_checkpoint, verify_log
from tests.e2e.api_world import World, payments


@pytest.fixture
def logged(world: World) -> World:
    today = world.clock().date()
    world.call("utility", "POST", "/v1/records", json={"records": payments("alice", 4, today)})
    for _ in range(4):
        world.call("utility", "GET", "/v1/records")
    return world


def test_rewriting_rows_and_recomputing_every_hash_breaks_the_checkpoint(logged: World) -> None:
    registry = logged.registry
    checkpoint = sign_checkpoint(registry, "test")
    assert verify_log(registry, checkpoint.token).ok
    with registry.transaction() as conn:  # the attacker recomputes the leaf after editing
        row = dict(
            conn.execute(select(t.access_log).where(t.access_log.c.seq == 2)).mappings().one()
        )
        row["actor_id"] = "nobody"
        leaf = merkle.leaf_hash(access_log.leaf_bytes(row)).hex()
        conn.execute(
            update(t.access_log)
            .where(t.access_log.c.seq == 2)
            .values(actor_id="nobody", leaf_hash=leaf)
        )
    with registry.engine.connect() as conn:
        assert access_log.verify(conn).ok  # consistent with itself...
    result = verify_log(registry, checkpoint.token)
    assert not result.ok and "rewritten" in (result.problem or "")  # ...but not with the past


def test_deleting_the_tail_and_the_head_breaks_the_checkpoint(logged: World) -> None:
    registry = logged.registry
    checkpoint = sign_checkpoint(registry, "test")
    with registry.transaction() as conn:
        last = conn.execute(text("SELECT MAX(seq) FROM access_log")).scalar()
        conn.execute(text(f"DELETE FROM access_log WHERE seq = {last}"))
        conn.execute(text(f"UPDATE log_head SET seq = {last - 1}"))
    result = verify_log(registry, checkpoint.token)
    assert not result.ok and "deleted" in (result.problem or "")


def test_a_subject_proves_an_entry_is_in_the_signed_tree(logged: World) -> None:
    entries = logged.call("alice", "GET", "/v1/me/access-log").json()
    proof = logged.call("alice", "GET", f"/v1/me/access-log/{entries[-1]['seq']}/proof").json()
    assert access_log.check_inclusion(proof)
    assert not access_log.check_inclusion({**proof, "leaf_hash": "00" * 32})
    head = logged.client.get("/v1/audit/checkpoint").json()
    assert head["tree_size"] >= proof["tree_size"]
    later = logged.client.get("/v1/audit/consistency", params={"from": 2}).json()
    with logged.registry.engine.connect() as conn:
        hashes, _ = access_log.leaves(conn)
    assert merkle.verify_consistency(
        2,
        later["tree_size"],
        merkle.root(hashes[:2]),
        bytes.fromhex(later["root_hash"]),
        [bytes.fromhex(p) for p in later["proof"]],
    )
