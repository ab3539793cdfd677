"""Where the registry's key-encryption key (KEK) comes from, and sealing the keys it protects.

The KEK never enters the database. It is read, in order, from `SINCERITY_KEK` (the key as
base64url text), from the file named by `SINCERITY_KEK_FILE`, or — for a SQLite registry — from
`<database file>.kek` beside it, which `sincerity init` writes with mode 600 when none exists. A
PostgreSQL registry has no such default: the operator provides one, and `serve` refuses to start
without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from sincerity.core.errors import ConfigurationError
from sincerity.credentials import envelope
from sincerity.db import repo

if TYPE_CHECKING:  # the registry imports this module to find its KEK
    from sincerity.services.registry import Registry

KEK_ENV = "SINCERITY_KEK"
KEK_FILE_ENV = "SINCERITY_KEK_FILE"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (another backend, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database))


def default_kek_path(url: str) -> Path | None:
    """`<database file>.kek` for a SQLite registry; None otherwise."""
    path = sqlite_path(url)
    return None if path is None else path.with_name(path.name + ".kek")


def read_kek_file(path: Path) -> bytes:
    """A KEK from a file, with a clear error when it cannot be used."""
    try:
        return envelope.decode_kek(path.read_text())
    except OSError as exc:
        raise ConfigurationError(f"cannot read the key-encryption key {path}: {exc}") from None
    except ValueError as exc:
        raise ConfigurationError(f"{path}: {exc}") from None


def write_kek_file(path: Path, kek: bytes) -> None:
    """Write a new KEK file readable by its owner only; never overwrite one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(envelope.encode_kek(kek) + "\n")


def resolve_kek(url: str, kek_file: Path | None = None, create: bool = False) -> bytes | None:
    """The KEK for the registry at `url`, or None when there is none to be had. With `create`,
    a SQLite registry without one gets a new `<file>.kek` (mode 600)."""
    if kek_file is not None:
        return read_kek_file(kek_file)
    text = os.environ.get(KEK_ENV)
    if text:
        try:
            return envelope.decode_kek(text)
        except ValueError as exc:
            raise ConfigurationError(f"{KEK_ENV}: {exc}") from None
    named = os.environ.get(KEK_FILE_ENV)
    if named:
        return read_kek_file(Path(named))
    if make_url(url).get_backend_name() == "sqlite" and sqlite_path(url) is None:
        return envelope.new_kek()  # an in-memory registry: nothing outlives the process
    beside = default_kek_path(url)
    if beside is None:
        return None
    if beside.exists():
        return read_kek_file(beside)
    if not create:
        return None
    kek = envelope.new_kek()
    write_kek_file(beside, kek)
    return kek


def require(kek: bytes | None) -> bytes:
    """The KEK, or the error that says how to provide one."""
    if kek is None:
        raise ConfigurationError(
            "this registry has no key-encryption key, so it cannot use its signing keys: "
            f"set {KEK_FILE_ENV}=PATH (a file made by `sincerity keys new-kek`) or {KEK_ENV}"
        )
    return kek


def seal_plaintext_keys(conn: Connection, kek: bytes) -> int:
    """Seal any signing key still stored in plain text (from before keys were encrypted)."""
    sealed = 0
    for kid, stored in repo.sealed_signing_keys(conn):
        if not envelope.is_sealed(stored):
            repo.store_private_key(conn, kid, envelope.seal(stored, kek, kid))
            sealed += 1
    return sealed


def rotate_kek(conn: Connection, old: bytes, new: bytes) -> int:
    """Rewrap every signing key's data key under the new KEK; returns how many."""
    rows = repo.sealed_signing_keys(conn)
    for kid, stored in rows:
        if not envelope.is_sealed(stored):
            stored = envelope.seal(stored, old, kid)
        repo.store_private_key(conn, kid, envelope.rewrap(stored, old, new, kid))
    return len(rows)


def rotate_registry_kek(registry: Registry, new: bytes) -> int:
    """Rewrap the registry's signing keys under `new` (one transaction); returns how many."""
    with registry.transaction() as conn:
        return rotate_kek(conn, require(registry.kek), new)
