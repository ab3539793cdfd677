"""Attestations in the registry: issuance, the access log, revocation by the subject and when a
claim stops being true, key rotation, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from sincerity.core.errors import NotFoundError
from sincerity.credentials import present
from sincerity.credentials.keys import import_jwk, keys_by_kid
from sincerity.credentials.status_list import read_status_list_token
from sincerity.db import tables
from sincerity.services import (
    Registry,
    add_source,
    add_subject,
    grant_source_consent,
    ingest_rows,
)
from sincerity.services.attest import (
    issue_attestation,
    list_attestations,
    published_jwks,
    revoke_attestation,
    rotate_signing_key,
    status_list_token,
    verify_online,
)
from sincerity.services.attest_status import STATUS_LIST_SIZE
from sincerity.services.subject_file import export_file
from tests.conftest import FixedClock

ISSUER = "https://registry.test"


def payments(
    n: int, today: date, status: str = "on_time", prefix: str = "p"
) -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}-{i}",
            "source": "utility",
            "subject": "alice",
            "kind": "payment",
            "status": status,
            "occurred_on": (today - timedelta(days=30 * i + 3)).isoformat(),
            "reported_on": (today - timedelta(days=30 * i + 1)).isoformat(),
        }
        for i in range(n)
    ]


@pytest.fixture
def registry(db_url: str, clock: FixedClock) -> Registry:
    reg = Registry.create(db_url, clock=clock)
    add_source(reg, "utility", "Utility", ["payment"])
    add_subject(reg, "alice")
    grant_source_consent(reg, "alice", "utility")
    ingest_rows(reg, payments(40, clock().date()))
    yield reg
    reg.close()


def prove(registry: Registry, sd_jwt: str, holder: dict, disclose: list[str]) -> str:
    now = int(registry.now().timestamp())
    return present(sd_jwt, disclose, import_jwk(holder), "acme", "n-1", now)


def test_issue_verify_and_log(registry: Registry) -> None:
    issued = issue_attestation(registry, "alice", ISSUER)
    assert issued.claims["tier"] and issued.claims.get("badge_on_time_36") is True
    proof = prove(registry, issued.sd_jwt, issued.holder_private_jwk, ["tier", "badge_on_time_36"])
    result = verify_online(registry, proof, "acme", "n-1")
    assert result.valid, result.reason
    assert result.claims["tier"] == issued.claims["tier"] and result.status_checked
    log = export_file(registry, "alice")["access_log"]
    assert any(f"attestation {issued.id} issued" in entry["what"] for entry in log)


def test_the_subject_revokes_an_attestation(registry: Registry) -> None:
    issued = issue_attestation(registry, "alice", ISSUER)
    proof = prove(registry, issued.sd_jwt, issued.holder_private_jwk, ["tier"])
    revoke_attestation(registry, "alice", issued.id)
    assert verify_online(registry, proof, "acme", "n-1").reason == "revoked by the issuer"


def test_an_attestation_is_revoked_when_its_tier_falls(
    registry: Registry, clock: FixedClock
) -> None:
    issued = issue_attestation(registry, "alice", ISSUER)
    proof = prove(registry, issued.sd_jwt, issued.holder_private_jwk, ["tier"])
    ingest_rows(registry, payments(6, clock().date(), status="defaulted", prefix="d"))
    [state] = list_attestations(registry, "alice")
    assert state.revoked_reason == "an attested claim is no longer true"
    assert verify_online(registry, proof, "acme", "n-1").reason == "revoked by the issuer"


def test_rotated_keys_keep_verifying_until_their_attestations_expire(
    registry: Registry, clock: FixedClock
) -> None:
    old = issue_attestation(registry, "alice", ISSUER, days=10)
    new_kid = rotate_signing_key(registry)
    fresh = issue_attestation(registry, "alice", ISSUER, days=60)
    kids = [k["kid"] for k in published_jwks(registry)["keys"]]
    assert len(kids) == 2 and kids[-1] == new_kid
    old_proof = prove(registry, old.sd_jwt, old.holder_private_jwk, ["tier"])
    assert verify_online(registry, old_proof, "acme", "n-1").valid
    assert (
        verify_online(
            registry,
            prove(registry, fresh.sd_jwt, fresh.holder_private_jwk, ["tier"]),
            "acme",
            "n-1",
        ).kid
        == new_kid
    )
    clock.moment += timedelta(days=11)
    assert [k["kid"] for k in published_jwks(registry)["keys"]] == [new_kid]
    late = prove(registry, old.sd_jwt, old.holder_private_jwk, ["tier"])
    assert "unknown key id" in verify_online(registry, late, "acme", "n-1").reason


def test_a_holder_key_of_the_subjects_own(registry: Registry) -> None:
    from sincerity.credentials.keys import new_key, private_jwk, public_jwk

    holder = new_key()
    issued = issue_attestation(registry, "alice", ISSUER, holder_jwk=public_jwk(holder))
    assert issued.holder_private_jwk is None
    proof = prove(registry, issued.sd_jwt, private_jwk(holder), ["subject"])
    assert verify_online(registry, proof, "acme", "n-1").claims["subject"] == "alice"


def slot_of(registry: Registry, attestation_id: str) -> tuple[int | None, int | None]:
    a = tables.attestations.c
    with registry.engine.connect() as conn:
        row = conn.execute(
            select(a.status_list_id, a.status_index).where(a.id == attestation_id)
        ).one()
    return row[0], row[1]


def fill_status_list(registry: Registry, list_id: int) -> None:
    """As if every slot of the list had been handed out."""
    s = tables.status_lists.c
    with registry.engine.begin() as conn:
        conn.execute(
            update(tables.status_lists).where(s.id == list_id).values(next_index=STATUS_LIST_SIZE)
        )


def test_a_full_status_list_starts_a_new_one(registry: Registry) -> None:
    first = issue_attestation(registry, "alice", ISSUER)
    assert slot_of(registry, first.id) == (1, 0)
    fill_status_list(registry, 1)
    second = issue_attestation(registry, "alice", ISSUER)
    assert slot_of(registry, second.id) == (2, 0)
    proof = prove(registry, second.sd_jwt, second.holder_private_jwk, ["tier"])
    checked = verify_online(registry, proof, "acme", "n-1")
    assert checked.valid and checked.status_checked
    revoke_attestation(registry, "alice", second.id)
    assert verify_online(registry, proof, "acme", "n-1").reason == "revoked by the issuer"
    first_proof = prove(registry, first.sd_jwt, first.holder_private_jwk, ["tier"])
    assert verify_online(registry, first_proof, "acme", "n-1").valid  # list 1 untouched
    keys = keys_by_kid(published_jwks(registry))
    token = read_status_list_token(status_list_token(registry, ISSUER, 2), keys)
    assert token.subject == f"{ISSUER}/v1/status-lists/2" and token.status.get(0) == 1
    assert read_status_list_token(status_list_token(registry, ISSUER, 1), keys).status.get(0) == 0
    with pytest.raises(NotFoundError):
        status_list_token(registry, ISSUER, 3)


def test_a_slot_is_reused_only_after_its_proof_expired(
    registry: Registry, clock: FixedClock
) -> None:
    old = issue_attestation(registry, "alice", ISSUER, days=1)
    old_proof = prove(registry, old.sd_jwt, old.holder_private_jwk, ["tier"])
    revoke_attestation(registry, "alice", old.id)  # its bit is set
    fill_status_list(registry, 1)
    clock.moment += timedelta(hours=30)  # expired, but within the reuse grace
    assert slot_of(registry, issue_attestation(registry, "alice", ISSUER).id) == (2, 0)
    fill_status_list(registry, 2)
    clock.moment += timedelta(days=2)
    new = issue_attestation(registry, "alice", ISSUER)
    assert slot_of(registry, new.id) == (1, 0)  # the expired proof's slot, bit reset
    assert slot_of(registry, old.id) == (None, None)
    new_proof = prove(registry, new.sd_jwt, new.holder_private_jwk, ["tier"])
    checked = verify_online(registry, new_proof, "acme", "n-1")
    assert checked.valid and checked.status_checked
    refused = verify_online(registry, old_proof, "acme", "n-1")
    assert not refused.valid and "expired" in refused.reason
    assert any(a.id == old.id for a in list_attestations(registry, "alice"))  # history stays
