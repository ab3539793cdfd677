"""Backing a registry up and restoring it (SQLite; a PostgreSQL registry uses pg_dump)."""

from __future__ import annotations

from pathlib import Path

from sincerity.core.errors import ConfigurationError
from sincerity.db.backup import backup_sqlite, restore_sqlite
from sincerity.services.kek import sqlite_path


def _file_of(url: str) -> Path:
    path = sqlite_path(url)
    if path is None:
        raise ConfigurationError(
            "backup and restore here are for SQLite registries; back a PostgreSQL registry up "
            "with pg_dump (see docs/deploy.md)"
        )
    return path


def backup_registry(url: str, target: Path) -> int:
    """A consistent copy of the live registry at `url` in `target`; returns its pages."""
    return backup_sqlite(_file_of(url), target)


def restore_registry(backup: Path, url: str) -> int:
    """Replace the registry at `url` with a checked backup; returns its pages."""
    return restore_sqlite(backup, _file_of(url))
