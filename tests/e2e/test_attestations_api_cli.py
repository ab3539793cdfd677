"""Proofs of trust end to end: issued over the API, presented with the CLI, verified online
(POST /v1/verify) and offline (sincerity verify --jwks --status-list)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sincerity.cli import build_app
from sincerity.credentials import StatusList, present
from sincerity.credentials.keys import import_jwk, keys_by_kid
from sincerity.credentials.status_list import read_status_list_token
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world, payments

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture
def world(tmp_path: Path) -> World:
    import datetime as dt

    clock = FixedClock(dt.datetime.now(dt.UTC))
    built = build_world(f"sqlite:///{tmp_path / 'att.db'}", clock)
    built.call(
        "utility", "POST", "/v1/records", json={"records": payments("alice", 24, clock().date())}
    )
    yield built
    built.client.close()
    built.registry.close()


def test_issue_present_and_verify_online(world: World) -> None:
    issued = world.call("alice", "POST", "/v1/me/attestations", json={"days": 7}).json()
    proof = present(
        issued["sd_jwt"],
        ["tier"],
        import_jwk(issued["holder_private_jwk"]),
        "acme",
        "n1",
        int(time.time()),
    )
    result = world.client.post(
        "/v1/verify", json={"presentation": proof, "audience": "acme", "nonce": "n1"}
    ).json()
    assert result["valid"] and result["claims"]["tier"] == issued["claims"]["tier"]
    assert "score_at_least_600" not in result["claims"] and result["status_checked"]
    other = world.client.post("/v1/verify", json={"presentation": proof, "audience": "evil"}).json()
    assert not other["valid"] and "another verifier" in other["reason"]
    for garbage in ("", "~", "a.b.c~~", "x" * 70_000, "eyJhbGciOiJub25lIn0.e30.~"):
        response = world.client.post("/v1/verify", json={"presentation": garbage})
        assert response.status_code in (200, 422) and (
            response.status_code == 422 or not response.json()["valid"]
        )
    listed = world.call("alice", "GET", "/v1/me/attestations").json()
    assert listed[0]["id"] == issued["id"] and listed[0]["revoked_at"] is None


def test_keys_and_status_list_are_published(world: World) -> None:
    issued = world.call("alice", "POST", "/v1/me/attestations", json={}).json()
    jwks = world.client.get("/.well-known/jwks.json").json()
    assert jwks["keys"] and "d" not in jwks["keys"][0]
    token = world.client.get("/v1/status-lists/1")
    assert token.headers["content-type"].startswith("application/statuslist+jwt")
    status = read_status_list_token(token.text, keys_by_kid(jwks))
    assert isinstance(status.status, StatusList) and status.status.get(0) == 0
    assert status.ttl == 300 and status.stale_reason(status.issued_at + 60) is None
    world.call("alice", "DELETE", f"/v1/me/attestations/{issued['id']}")
    status = read_status_list_token(world.client.get("/v1/status-lists/1").text, keys_by_kid(jwks))
    assert status.status.get(0) == 1


def test_the_cli_attests_presents_and_verifies_offline(world: World, tmp_path: Path) -> None:
    db = str(world.registry.engine.url)
    app = build_app()
    result = runner.invoke(app, ["attest", "alice", "--out", str(tmp_path), "--db", db])
    assert result.exit_code == 0, result.stderr
    jwks_file, status_file = tmp_path / "jwks.json", tmp_path / "status.jwt"
    jwks_file.write_text(runner.invoke(app, ["keys", "jwks", "--db", db]).stdout)
    status_file.write_text(runner.invoke(app, ["keys", "status-list", "--db", db]).stdout)
    made = runner.invoke(
        app,
        [
            "present",
            str(tmp_path / "alice.sd-jwt"),
            "--key",
            str(tmp_path / "alice.holder.jwk"),
            "--disclose",
            "tier",
            "--aud",
            "acme",
            "--nonce",
            "n9",
            "--qr-svg",
            str(tmp_path / "qr.svg"),
        ],
    )
    assert made.exit_code == 0, made.stderr
    proof = made.stdout.strip()
    assert "Verification link: http://localhost:8000/verify#" in made.stderr
    assert (tmp_path / "qr.svg").read_text().startswith("<?xml")
    (tmp_path / "proof.txt").write_text(proof)
    ok = runner.invoke(
        app,
        [
            "verify",
            f"@{tmp_path / 'proof.txt'}",
            "--jwks",
            str(jwks_file),
            "--status-list",
            str(status_file),
            "--aud",
            "acme",
            "--nonce",
            "n9",
        ],
    )
    assert ok.exit_code == 0, ok.stderr
    assert "tier" in ok.stdout and "revocation checked" in ok.stdout
    bad = runner.invoke(app, ["verify", proof[:-3] + "AAA", "--jwks", str(jwks_file)])
    assert bad.exit_code == 1 and "not valid" in bad.stderr
    online = runner.invoke(app, ["verify", proof, "--db", db, "--aud", "acme", "--nonce", "n9"])
    assert online.exit_code == 0, online.stderr
    unbound = runner.invoke(app, ["verify", proof, "--db", db])
    assert unbound.exit_code == 1 and "not bound to you" in unbound.stderr
    assert json.loads(jwks_file.read_text())["keys"]
