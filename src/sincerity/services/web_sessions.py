"""Sign-in for the web pages: an API key opens a session; the cookie holds only a random token,
the database only its hash. Revoking the key ends its sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sincerity.core.errors import AuthenticationError
from sincerity.db import repo
from sincerity.services.keys import Actor, authenticate
from sincerity.services.registry import Registry

SESSION_HOURS = 12


@dataclass(frozen=True)
class Session:
    """A signed-in person: who they act as, and the token their forms must echo."""

    actor: Actor
    csrf: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(registry: Registry, api_key: str) -> tuple[str, Session]:
    """Open a session with an API key; returns the cookie value and the session."""
    now = registry.now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with registry.transaction() as conn:
        actor = authenticate(conn, api_key.strip())
        repo.delete_expired_sessions(conn, now)
        repo.insert_session(
            conn,
            {
                "token_hash": _hash(token),
                "actor_kind": actor.kind,
                "actor_id": actor.id,
                "key_id": actor.key_id,
                "csrf": csrf,
                "created_at": now,
                "expires_at": now + timedelta(hours=SESSION_HOURS),
            },
        )
    return token, Session(actor, csrf)


def session_for(registry: Registry, token: str | None) -> Session:
    """The session a cookie belongs to, or AuthenticationError."""
    if not token:
        raise AuthenticationError("please sign in")
    with registry.engine.connect() as conn:
        row = repo.live_session(conn, _hash(token), registry.now())
    if row is None:
        raise AuthenticationError("your session has ended: please sign in again")
    return Session(Actor(row["actor_kind"], row["actor_id"], row["key_id"]), row["csrf"])


def sign_out(registry: Registry, token: str | None) -> None:
    if token:
        with registry.transaction() as conn:
            repo.delete_session(conn, _hash(token))
