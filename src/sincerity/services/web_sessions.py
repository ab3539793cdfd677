"""Sign-in for the web pages: an API key opens a session; the cookie holds only a random token,
the database only its hash. Revoking the key ends its sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from sincerity.core.errors import AuthenticationError
from sincerity.db import repo
from sincerity.services.keys import Actor, authenticate
from sincerity.services.registry import Registry

SESSION_HOURS = 12


@dataclass(frozen=True)
class Session:
    """A signed-in person: who they act as, the token their forms must echo, and — when they
    signed in with a passkey — who they are."""

    actor: Actor
    csrf: str
    person_id: str | None = None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    conn: Connection, actor: Actor, now: datetime, person_id: str | None = None
) -> tuple[str, Session]:
    """A new session for `actor` (signed in with its API key, or as a person with a passkey),
    inside the caller's transaction; returns the cookie value and the session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    repo.delete_expired_sessions(conn, now)
    repo.insert_session(
        conn,
        {
            "token_hash": _hash(token),
            "actor_kind": actor.kind,
            "actor_id": actor.id,
            "key_id": None if person_id else actor.key_id,
            "person_id": person_id,
            "csrf": csrf,
            "created_at": now,
            "expires_at": now + timedelta(hours=SESSION_HOURS),
        },
    )
    return token, Session(actor, csrf, person_id)


def sign_in(registry: Registry, api_key: str) -> tuple[str, Session]:
    """Open a session with an API key; returns the cookie value and the session."""
    now = registry.now()
    with registry.transaction() as conn:
        actor = authenticate(conn, api_key.strip())
        return open_session(conn, actor, now)


def session_for(registry: Registry, token: str | None) -> Session:
    """The session a cookie belongs to, or AuthenticationError."""
    if not token:
        raise AuthenticationError("please sign in")
    with registry.engine.connect() as conn:
        row = repo.live_session(conn, _hash(token), registry.now())
    if row is None:
        raise AuthenticationError("your session has ended: please sign in again")
    actor = Actor(row["actor_kind"], row["actor_id"], row["key_id"] or "")
    return Session(actor, row["csrf"], row["person_id"])


def sign_out(registry: Registry, token: str | None) -> None:
    if token:
        with registry.transaction() as conn:
            repo.delete_session(conn, _hash(token))
