"""Shared fixtures: the default policy, a record factory, and registry databases.

Integration tests run on SQLite always and on PostgreSQL when SINCERITY_TEST_DATABASE_URL is set.
Each test gets its own SQLite file or its own PostgreSQL schema, dropped afterwards: no test
shares a database with another.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from sincerity.core.policy import Policy
from sincerity.core.records import AnyRecord, parse_record
from sincerity.policies import shipped_policy

PG_ENV = "SINCERITY_TEST_DATABASE_URL"
REQUIRE_ENV = "SINCERITY_REQUIRE_ALL_SUITES"  # set by .ci/run: a skipped suite is a failure
AS_OF = date(2026, 6, 1)


@pytest.fixture(scope="session")
def policy() -> Policy:
    return shipped_policy()


def make(kind: str, day: date, n: int | str = 0, **fields: Any) -> AnyRecord:
    """A valid record of `kind` on `day`; fields override the defaults."""
    defaults: dict[str, dict[str, Any]] = {
        "payment": {"status": "on_time"},
        "contract": {"status": "fulfilled"},
        "rating": {"rater": "counterparty-1", "transaction": f"t-{n}", "rating": 10},
        "judgment": {"status": "unpaid"},
        "verification": {"what": "identity"},
    }
    data = {
        "id": f"{kind}-{n}",
        "source": "src",
        "subject": "alice",
        "kind": kind,
        "occurred_on": day,
        "reported_on": day,
        **defaults[kind],
        **fields,
    }
    return parse_record(data)


@pytest.fixture
def record() -> Callable[..., AnyRecord]:
    return make


def _pg_base_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _pg_url_with_schema(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


def database_params() -> list[Any]:
    params: list[Any] = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return params


@pytest.fixture(params=database_params())
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    base = _pg_base_url()
    if base is None:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(
                f"{REQUIRE_ENV} is set: the PostgreSQL suite must run, but {PG_ENV} is not set"
            )
        pytest.skip(
            f"PostgreSQL suite: set {PG_ENV}=postgresql://USER@HOST/DB to run it (.ci/run does)"
        )
    from sincerity.credentials.envelope import encode_kek, new_kek
    from sincerity.db.engine import normalise_url

    # A PostgreSQL registry has no default key-encryption key: the operator provides one.
    request.getfixturevalue("monkeypatch").setenv("SINCERITY_KEK", encode_kek(new_kek()))
    base = normalise_url(base)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server was asked for and is not there: fail, never skip
        pytest.fail(f"{PG_ENV} is set but PostgreSQL cannot be reached: {exc}")
    try:
        yield _pg_url_with_schema(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, moment: datetime | None = None) -> None:
        self.moment = moment or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        """Move the clock on (timedelta's keywords)."""
        self.moment += timedelta(**delta)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()
