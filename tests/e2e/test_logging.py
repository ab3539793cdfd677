"""Logs an operator can use: JSON lines with a request id, the same id in every response and
error body, and a traceback for an error nobody mapped."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from sincerity.api.logs import JsonFormatter, configure_logging
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world


@pytest.fixture
def world(tmp_path, clock: FixedClock) -> Iterator[World]:
    built = build_world(f"sqlite:///{tmp_path / 'logs.db'}", clock)
    yield built
    built.client.close()
    built.registry.close()


def test_every_response_and_error_body_carries_the_request_id(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="sincerity.http"):
        ok = world.client.get("/v1/health")
        refused = world.client.get("/v1/me", headers={"X-Request-ID": "client-chosen-id-1"})
    assert len(ok.headers["x-request-id"]) == 16
    assert refused.headers["x-request-id"] == "client-chosen-id-1"
    assert refused.json()["error"]["request_id"] == "client-chosen-id-1"
    lines = [r for r in caplog.records if r.name == "sincerity.http"]
    assert {r.status for r in lines} >= {200, 401}  # type: ignore[attr-defined]
    formatted = json.loads(JsonFormatter().format(lines[-1]))
    assert formatted["request_id"] == "client-chosen-id-1" and formatted["path"] == "/v1/me"


def test_an_unmapped_error_is_logged_with_its_traceback(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sincerity.core.reputation import ConvergenceError
    from sincerity.services import attest

    def broken(*_: object, **__: object) -> None:
        raise ConvergenceError("trust did not converge in 100 iterations")

    monkeypatch.setattr(attest, "published_jwks", broken)
    from sincerity.api.routers import attestations

    monkeypatch.setattr(attestations, "published_jwks", broken)
    with caplog.at_level(logging.ERROR):
        response = world.client.get("/.well-known/jwks.json")
    assert response.status_code == 500
    body = response.json()["error"]
    assert body["request_id"] == response.headers["x-request-id"]
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "ConvergenceError" in JsonFormatter().format(logged[-1])


def test_the_log_level_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="unknown log level"):
        configure_logging("LOUD")
    configure_logging("WARNING")
    logging.getLogger("sincerity.test").warning("disk nearly full", extra={"free_gb": 2})
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["message"] == "disk nearly full" and line["free_gb"] == 2
    logging.getLogger().handlers.clear()


def test_a_page_that_breaks_shows_an_html_error_with_the_reference(
    world: World, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.testclient import TestClient

    from sincerity.api import Settings
    from sincerity.web import create_site, pages

    site = TestClient(
        create_site(Settings(database_url=str(world.registry.engine.url)), world.registry),
        raise_server_exceptions=False,
    )

    def broken(*_: object) -> None:
        raise RuntimeError("a bug in a page")

    monkeypatch.setattr(pages, "max_points", broken)
    with caplog.at_level(logging.ERROR):
        page = site.get("/")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-request-id"] in page.text and "a bug in a page" not in page.text
    assert any(r.exc_info and "a bug in a page" in str(r.exc_info[1]) for r in caplog.records)
    api = site.get("/v1/nothing-here")
    assert api.headers["content-type"].startswith("application/json")
