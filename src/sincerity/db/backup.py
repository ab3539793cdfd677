"""Backing a SQLite registry up and restoring it, with SQLite's online backup API.

The copy is consistent even while the registry serves requests (the backup API copies pages
under SQLite's own locking, restarting if a writer changes a page it already copied). A
PostgreSQL registry is backed up with `pg_dump` (see docs/deploy.md).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sincerity.core.errors import ConfigurationError


def backup_sqlite(database: Path, target: Path) -> int:
    """Copy the live database file to `target` (which must not exist); returns its pages."""
    if not database.exists():
        raise ConfigurationError(f"no registry database at {database}")
    if target.exists():
        raise ConfigurationError(f"{target} exists: a backup never overwrites a file")
    with sqlite3.connect(database) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
    copy.close()
    return pages


def restore_sqlite(backup: Path, database: Path) -> int:
    """Replace the registry at `database` with the backup's content; returns its pages. The
    backup is checked first (integrity_check), so a damaged file never replaces a registry."""
    if not backup.exists():
        raise ConfigurationError(f"no backup at {backup}")
    with sqlite3.connect(f"file:{backup}?mode=ro", uri=True) as source:
        try:
            verdict = source.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            verdict = str(exc)
        if verdict != "ok":
            raise ConfigurationError(f"{backup} is damaged ({verdict}): nothing was restored")
        with sqlite3.connect(database) as live:
            source.backup(live)
            pages = int(live.execute("PRAGMA page_count").fetchone()[0])
        live.close()
    source.close()
    return pages
