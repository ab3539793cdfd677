"""A small registry behind the HTTP API, with a key for each role, for the API tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from sincerity.api import Settings, create_app
from sincerity.services import Registry
from sincerity.services.operator import create_operator_key
from tests.conftest import FixedClock


@dataclass
class World:
    """A TestClient over a fresh registry and the keys of every party in it."""

    client: TestClient
    registry: Registry
    clock: FixedClock
    keys: dict[str, str] = field(default_factory=dict)

    def as_(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[who]}"}

    def call(self, who: str, method: str, path: str, **kwargs: Any) -> Any:
        return self.client.request(
            method, path, headers={**self.as_(who), **kwargs.pop("headers", {})}, **kwargs
        )


def payments(
    subject: str, n: int, today: date, prefix: str = "p", status: str = "on_time"
) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{prefix}-{subject}-{i}",
            "subject": subject,
            "kind": "payment",
            "status": status,
            "occurred_on": (today - timedelta(days=30 * i + 5)).isoformat(),
            "reported_on": (today - timedelta(days=30 * i + 3)).isoformat(),
        }
        for i in range(n)
    ]


def build_world(db_url: str, clock: FixedClock, **settings: Any) -> World:
    registry = Registry.create(db_url, clock=clock)
    config = Settings(
        database_url=db_url, **{"max_batch_records": 500, "max_body_bytes": 400_000, **settings}
    )
    client = TestClient(create_app(config, registry), raise_server_exceptions=False)
    world = World(client, registry, clock)
    world.keys["operator"] = create_operator_key(registry)
    for source, kinds in (("utility", ["payment"]), ("market", ["rating", "contract"])):
        response = world.call(
            "operator",
            "POST",
            "/v1/sources",
            json={"id": source, "name": source.title(), "kinds": kinds},
        )
        assert response.status_code == 201, response.text
        world.keys[source] = response.json()["api_key"]
    for subject in ("alice", "bob"):
        response = world.call(
            "operator",
            "POST",
            "/v1/subjects",
            json={"id": subject, "display_name": subject.title()},
        )
        assert response.status_code == 201, response.text
        world.keys[subject] = response.json()["api_key"]
        for source in ("utility", "market"):
            granted = world.call(
                subject,
                "POST",
                "/v1/me/consents",
                json={"grantee_kind": "source", "grantee_id": source},
            )
            assert granted.status_code == 201, granted.text
    for party in ("landlord", "lender"):
        response = world.call(
            "operator", "POST", "/v1/relying-parties", json={"id": party, "name": party.title()}
        )
        assert response.status_code == 201, response.text
        world.keys[party] = response.json()["api_key"]
    return world
