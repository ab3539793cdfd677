"""A registry under attack: the API world plus a court that reports judgments."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world


@pytest.fixture
def world(db_url: str, clock: FixedClock) -> Iterator[World]:
    built = build_world(db_url, clock)
    made = built.call(
        "operator",
        "POST",
        "/v1/sources",
        json={"id": "court", "name": "Court", "kinds": ["judgment"]},
    )
    assert made.status_code == 201, made.text
    built.keys["court"] = made.json()["api_key"]
    granted = built.call(
        "alice", "POST", "/v1/me/consents", json={"grantee_kind": "source", "grantee_id": "court"}
    )
    assert granted.status_code == 201, granted.text
    yield built
    built.client.close()
    built.registry.close()
