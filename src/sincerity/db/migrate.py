"""Bring a registry database to the newest schema with Alembic, from inside the program."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from sincerity.core.errors import ConfigurationError


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("sincerity.db") / "migrations"))
    return config


def head_revision() -> str:
    """The newest migration this version of Sincerity knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        raise ConfigurationError(f"cannot reach the database: {exc.orig}") from None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration the database lacks up to `revision` (idempotent)."""
    config = _config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise ConfigurationError(f"cannot reach the database: {exc.orig}") from None
