"""Promise: a relying party's check succeeds only under a consent still in force when the check
is logged. The check reads without the write lock (its hot path), so a revocation or an erasure
can commit between its read and its log entry; then the check is refused and nothing is logged."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from sincerity.db import repo
from sincerity.services import subject_file
from sincerity.services.checks import revoke_consent
from tests.e2e.api_world import World, payments

BODY = {"subject_id": "alice", "purpose": "tenancy"}


def consented(world: World) -> int:
    world.call(
        "utility",
        "POST",
        "/v1/records",
        json={"records": payments("alice", 6, world.clock().date())},
    )
    grant = world.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={"grantee_kind": "relying_party", "grantee_id": "landlord", "purpose": "tenancy"},
    )
    assert grant.status_code == 201, grant.text
    assert world.call("landlord", "POST", "/v1/checks", json=BODY).status_code == 200
    return int(grant.json()["id"])


def entries(world: World) -> int:
    """The landlord's entries in the log, sequenced or waiting."""
    count = 0
    with world.registry.engine.connect() as conn:
        for table in ("access_log", "access_log_pending"):
            count += conn.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE actor_id = 'landlord'")
            ).scalar_one()
    return count


def between_read_and_log(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> None:
    """Run `act` (in its own committed transaction) right after the check has read — or, on
    PostgreSQL, where the read and the log entry are one statement with no moment between them,
    right before that statement, which must then refuse and log nothing."""
    read = repo.consent_and_stored_score
    read_and_log = repo.consent_score_and_log

    def read_then_act(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        monkeypatch.setattr(repo, "consent_and_stored_score", read)  # once
        act()
        return found

    def act_then_read_and_log(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(repo, "consent_score_and_log", read_and_log)  # once
        act()
        return read_and_log(*args, **kwargs)

    monkeypatch.setattr(repo, "consent_and_stored_score", read_then_act)
    monkeypatch.setattr(repo, "consent_score_and_log", act_then_read_and_log)


@pytest.mark.parametrize("how", ["revoked", "erased"])
def test_a_check_racing_a_revocation_or_an_erasure_is_refused_and_not_logged(
    world: World, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    consent_id = consented(world)
    before = entries(world)

    # What races the check calls the services (each commits on its own), not the API: a check
    # served on the event loop would wait for a request made from inside it.
    def revoke() -> None:
        revoke_consent(world.registry, "alice", consent_id)

    def erase() -> None:
        subject_file.erase(world.registry, "alice")

    between_read_and_log(monkeypatch, revoke if how == "revoked" else erase)
    raced = world.call("landlord", "POST", "/v1/checks", json=BODY)
    assert raced.status_code == 403 and raced.json()["error"]["code"] == "forbidden"
    assert entries(world) == before  # nothing logged for the refused check
    if how == "erased":  # and what the landlord did read before is erased text
        with world.registry.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT what FROM access_log_pending WHERE actor_id = 'landlord' "
                    "UNION ALL SELECT what FROM access_log WHERE actor_id = 'landlord'"
                )
            ).scalars()
            assert set(rows) == {"(erased)"}


def test_a_check_under_a_consent_in_force_is_logged_once(world: World) -> None:
    consented(world)
    before = entries(world)
    assert world.call("landlord", "POST", "/v1/checks", json=BODY).status_code == 200
    assert entries(world) == before + 1


def test_checks_from_many_clients_racing_a_revocation_are_each_logged_or_refused(
    world: World,
) -> None:
    """Eight clients check while the subject revokes: every check answered is logged exactly
    once, a refused one not at all, and none begun after the revocation returned is answered."""
    consent_id = consented(world)
    before = entries(world)
    revoked = threading.Event()
    answered, late_answers = [0], [0]
    lock = threading.Lock()

    def client() -> None:
        for _ in range(25):
            after_revocation = revoked.is_set()
            code = world.call("landlord", "POST", "/v1/checks", json=BODY).status_code
            assert code in (200, 403)
            with lock:
                answered[0] += code == 200
                late_answers[0] += code == 200 and after_revocation

    with ThreadPoolExecutor(8) as pool:
        running = [pool.submit(client) for _ in range(8)]
        while entries(world) < before + 10 and not all(f.done() for f in running):
            # revoke mid-stream
            time.sleep(0.001)
        revoke_consent(world.registry, "alice", consent_id)
        revoked.set()
        for future in running:
            future.result()
    assert late_answers[0] == 0
    assert 10 <= answered[0] < 200  # the revocation came mid-stream
    assert entries(world) == before + answered[0]
