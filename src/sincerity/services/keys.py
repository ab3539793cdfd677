"""API keys: `sk_<id>_<secret>`. Only a SHA-256 of the secret is stored; keys rotate and revoke.

The secret is 256 bits from `secrets`, so a fast hash is the right tool (as for GitHub tokens):
nothing is gained by a slow password hash when the input cannot be guessed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from sincerity.core.errors import AuthenticationError, NotFoundError
from sincerity.db import repo
from sincerity.services.registry import Registry

ACTOR_KINDS: tuple[str, ...] = ("operator", "source", "subject", "relying_party")


@dataclass(frozen=True)
class Actor:
    """Who is calling: a kind, an id, and the key they used."""

    kind: str
    id: str
    key_id: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_key(conn: Connection, kind: str, actor_id: str, now: datetime) -> str:
    """A new key for an actor; the only time the full key exists outside the caller's hands."""
    if kind not in ACTOR_KINDS:
        raise ValueError(f"unknown actor kind {kind!r}")
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    repo.insert_api_key(conn, key_id, kind, actor_id, _digest(secret), now)
    return f"sk_{key_id}_{secret}"


def authenticate(conn: Connection, key: str | None) -> Actor:
    """The actor a key belongs to, or AuthenticationError (the same for every kind of failure)."""
    failure = AuthenticationError("a valid API key is required (Authorization: Bearer sk_...)")
    if not key or not key.startswith("sk_") or key.count("_") < 2:
        raise failure
    _, key_id, secret = key.split("_", 2)
    row = repo.active_api_key(conn, key_id)
    if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
        raise failure
    return Actor(row["actor_kind"], row["actor_id"], key_id)


def revoke_key(conn: Connection, key_id: str, by: Actor, now: datetime) -> None:
    """Revoke a key: an actor its own keys, the operator any key."""
    row = repo.active_api_key(conn, key_id)
    if row is None:
        raise NotFoundError(f"no active key {key_id!r}")
    if by.kind != "operator" and (row["actor_kind"], row["actor_id"]) != (by.kind, by.id):
        raise NotFoundError(f"no active key {key_id!r}")
    repo.revoke_api_key(conn, key_id, now)


def rotate_key(conn: Connection, actor: Actor, now: datetime) -> str:
    """A new key for the caller; the key used for this call stops working."""
    new = issue_key(conn, actor.kind, actor.id, now)
    repo.revoke_api_key(conn, actor.key_id, now)
    return new


def revoke_all(conn: Connection, kind: str, actor_id: str, now: datetime) -> None:
    """Revoke every key of an actor (on erasure)."""
    repo.revoke_actor_keys(conn, kind, actor_id, now)


def authenticate_key(registry: Registry, key: str | None) -> Actor:
    """`authenticate` against the registry (one statement, in autocommit)."""
    with registry.read() as conn:
        return authenticate(conn, key)


def rotate_own_key(registry: Registry, actor: Actor) -> str:
    """`rotate_key` in its own transaction."""
    with registry.transaction() as conn:
        return rotate_key(conn, actor, registry.now())


def revoke_a_key(registry: Registry, key_id: str, by: Actor) -> None:
    """`revoke_key` in its own transaction."""
    with registry.transaction() as conn:
        revoke_key(conn, key_id, by, registry.now())
