"""schemathesis over the whole OpenAPI document: every operation, many generated requests each,
no 5xx, and every response matches the documented schema, status codes and content type."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from sincerity.api import Settings, create_app
from sincerity.services import Registry
from tests.conftest import FixedClock
from tests.e2e.api_world import World, build_world, payments

ROLE_BY_TAG = {
    "operator": "operator",
    "sources": "utility",
    "subjects": "alice",
    "attestations": "alice",
    "relying parties": "landlord",
    "keys": "bob",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def all_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation the API documents."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'spec.db'}"
        registry = Registry.create(url)
        spec = create_app(Settings(database_url=url), registry).openapi()
        registry.close()
    return sorted((method.upper(), path) for path, item in spec["paths"].items() for method in item)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = build_world(
        f"sqlite:///{tmp_path / 'schema.db'}", FixedClock(), rate_limit_burst=100_000
    )
    today = built.clock().date()
    built.call("utility", "POST", "/v1/records", json={"records": payments("alice", 6, today)})
    built.call(
        "alice",
        "POST",
        "/v1/me/consents",
        json={"grantee_kind": "relying_party", "grantee_id": "landlord", "purpose": "tenancy"},
    )
    yield built
    built.client.close()
    built.registry.close()


@pytest.mark.parametrize(("method", "path"), all_operations())
def test_every_operation_against_its_schema(method: str, path: str, world: World) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    operation = schema[path][method]
    tags = operation.definition.raw.get("tags") or ["meta"]
    role = ROLE_BY_TAG.get(tags[0])
    headers = world.as_(role) if role else {}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_the_api_statefully_along_its_links(world: World) -> None:
    """Chains of calls along the OpenAPI links (create, then read, answer or delete what was
    made), each call made by the role its operation is for: no 5xx, every response conforms."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.client.app)
    links = [
        (path, method)
        for path, item in schema.raw_schema["paths"].items()
        for method, operation in item.items()
        if any("links" in r for r in operation.get("responses", {}).values())
    ]
    assert len(links) >= 5, links  # create → read/update/delete for each resource with an id

    # Each sequence starts from the same registry, so what one sequence made cannot change the
    # next one's responses (hypothesis needs every replay to see the same API).
    url = world.registry.engine.url
    database = Path(str(url.database))
    world.registry.engine.dispose()
    snapshot = database.with_name("snapshot.db")
    with sqlite3.connect(database) as live, sqlite3.connect(snapshot) as copy:
        live.backup(copy)

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            world.registry.engine.dispose()
            with sqlite3.connect(snapshot) as saved, sqlite3.connect(database) as live:
                saved.backup(live)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            tags = case.operation.definition.raw.get("tags") or ["meta"]
            role = ROLE_BY_TAG.get(tags[0])
            return {"headers": world.as_(role) if role else {}}

        def validate_response(
            self, response: object, case: schemathesis.Case, **kwargs: object
        ) -> None:
            case.validate_response(response, checks=CHECKS[:-1])

    Machine.run(
        settings=settings(
            max_examples=60,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
