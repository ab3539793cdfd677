"""Repository: people who sign in with passkeys, their passkeys, invitations and the challenges
of ceremonies in progress. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from sincerity.db import tables as t


def insert_person(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.people).values(**values))


def get_person(conn: Connection, person_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.people).where(t.people.c.id == person_id)).mappings().first()
    return None if row is None else dict(row)


def people_of(conn: Connection, actor_kind: str, actor_id: str) -> list[dict[str, Any]]:
    p = t.people.c
    rows = conn.execute(
        select(t.people).where(p.actor_kind == actor_kind, p.actor_id == actor_id).order_by(p.name)
    ).mappings()
    return [dict(r) for r in rows]


def end_sessions_of(conn: Connection, person_id: str, now: datetime) -> None:
    """Sign a person out everywhere: every session they opened so far stops working."""
    conn.execute(update(t.people).where(t.people.c.id == person_id).values(sessions_after=now))
    conn.execute(delete(t.web_sessions).where(t.web_sessions.c.person_id == person_id))


def insert_passkey(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.passkeys).values(**values))


def get_passkey(conn: Connection, credential_id: str) -> dict[str, Any] | None:
    k = t.passkeys.c
    row = conn.execute(select(t.passkeys).where(k.credential_id == credential_id)).mappings()
    found = row.first()
    return None if found is None else dict(found)


def passkeys_of(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    k = t.passkeys.c
    rows = conn.execute(
        select(k.credential_id, k.label, k.created_at, k.last_used_at)
        .where(k.person_id == person_id)
        .order_by(k.created_at)
    ).mappings()
    return [dict(r) for r in rows]


def count_passkeys(conn: Connection, person_id: str) -> int:
    k = t.passkeys.c
    return int(conn.scalar(select(func.count()).where(k.person_id == person_id)) or 0)


def passkey_used(conn: Connection, credential_id: str, sign_count: int, now: datetime) -> None:
    k = t.passkeys.c
    conn.execute(
        update(t.passkeys)
        .where(k.credential_id == credential_id)
        .values(sign_count=sign_count, last_used_at=now)
    )


def delete_passkey(conn: Connection, person_id: str, credential_id: str) -> int:
    k = t.passkeys.c
    result = conn.execute(
        delete(t.passkeys).where(k.person_id == person_id, k.credential_id == credential_id)
    )
    return int(result.rowcount or 0)


def insert_invitation(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.invitations).values(**values))


def get_invitation(conn: Connection, invitation_id: str) -> dict[str, Any] | None:
    i = t.invitations.c
    row = conn.execute(select(t.invitations).where(i.id == invitation_id)).mappings().first()
    return None if row is None else dict(row)


def invitation_by_token(conn: Connection, token_hash: str) -> dict[str, Any] | None:
    i = t.invitations.c
    row = conn.execute(select(t.invitations).where(i.token_hash == token_hash)).mappings()
    found = row.first()
    return None if found is None else dict(found)


def use_invitation(conn: Connection, invitation_id: str, now: datetime) -> bool:
    """Mark an invitation used; False if it already was (it works once)."""
    i = t.invitations.c
    result = conn.execute(
        update(t.invitations).where(i.id == invitation_id, i.used_at.is_(None)).values(used_at=now)
    )
    return bool(result.rowcount)


def insert_challenge(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(t.webauthn_challenges).values(**values))


def take_challenge(conn: Connection, challenge_id: str, now: datetime) -> dict[str, Any] | None:
    """The challenge of a ceremony, removed as it is read (a challenge answers once)."""
    c = t.webauthn_challenges.c
    row = conn.execute(select(t.webauthn_challenges).where(c.id == challenge_id)).mappings().first()
    conn.execute(delete(t.webauthn_challenges).where(c.id == challenge_id))
    conn.execute(delete(t.webauthn_challenges).where(c.expires_at < now))
    if row is None or row["expires_at"] < now:
        return None
    return dict(row)


def delete_people_of(conn: Connection, actor_kind: str, actor_id: str) -> None:
    """Erase the people who act for a party, their passkeys and invitations."""
    p = t.people.c
    ids = select(p.id).where(p.actor_kind == actor_kind, p.actor_id == actor_id)
    conn.execute(delete(t.passkeys).where(t.passkeys.c.person_id.in_(ids)))
    conn.execute(delete(t.people).where(p.actor_kind == actor_kind, p.actor_id == actor_id))
    i = t.invitations.c
    conn.execute(delete(t.invitations).where(i.actor_kind == actor_kind, i.actor_id == actor_id))
