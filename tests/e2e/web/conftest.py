"""A real browser (Debian's chromium, driven by Playwright) against a real server on loopback.

Skipped with a reason where chromium or Playwright is missing; .ci/run installs both and sets
SINCERITY_REQUIRE_ALL_SUITES, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sincerity.api import Settings
from sincerity.services import Registry
from sincerity.web import create_site
from tests.conftest import REQUIRE_ENV
from tests.web_world import populate

ARTIFACTS = Path(__file__).parents[3] / "test-artifacts"
CHROMIUM = os.environ.get("SINCERITY_CHROMIUM", "/usr/bin/chromium")


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright's Python package is not installed (pip install playwright)"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set SINCERITY_CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"browser suite required but unavailable: {reason}")
        pytest.skip(f"browser suite: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@dataclass
class Site:
    url: str
    registry: Registry
    keys: dict[str, str] = field(default_factory=dict)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    import uvicorn

    db = f"sqlite:///{tmp_path / 'web.db'}"
    registry = Registry.create(db)
    port = _free_port()
    url = f"http://localhost:{port}"  # a WebAuthn relying-party id may not be an IP address
    built = Site(url, registry)
    built.keys.update(populate(registry))
    app = create_site(Settings(database_url=db, public_url=url), registry)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield built
    server.should_exit = True
    thread.join(timeout=10)
    registry.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser page; after the test, a screenshot and a check for console errors."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], f"console errors: {errors}"
