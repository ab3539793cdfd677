"""Repository: consents. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    and_,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    update,
)

from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


def insert_consents(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.consents), list(rows))


def _active_consent(today: date | BindParameter[Any], now: datetime | BindParameter[Any]) -> Any:
    c = t.consents.c
    return and_(
        c.revoked_at.is_(None),
        or_(c.expires_on.is_(None), c.expires_on >= today),
        c.granted_at <= now,
    )


def consented_pairs(
    conn: Connection, subject_ids: Iterable[str], grantee_kind: str, now: datetime
) -> set[tuple[str, str]]:
    """(subject, grantee) pairs with a consent in force now."""
    c = t.consents.c
    ids = sorted(set(subject_ids))
    pairs: set[tuple[str, str]] = set()
    for chunk in chunks(ids):
        query = select(c.subject_id, c.grantee_id).where(
            c.subject_id.in_(chunk),
            c.grantee_kind == grantee_kind,
            _active_consent(now.date(), now),
        )
        pairs.update((s, g) for s, g in conn.execute(query))
    return pairs


def revoke_consents(
    conn: Connection, subject_id: str, grantee_id: str, grantee_kind: str, now: datetime
) -> int:
    c = t.consents.c
    result = conn.execute(
        update(t.consents)
        .where(
            c.subject_id == subject_id,
            c.grantee_id == grantee_id,
            c.grantee_kind == grantee_kind,
            c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return result.rowcount


def consents_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.consents).where(t.consents.c.subject_id == subject_id).order_by(t.consents.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def insert_consent(conn: Connection, values: dict[str, Any], share_score: bool) -> int:
    """One consent and its options; returns its id."""
    result = conn.execute(insert(t.consents).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    consent_id = int(key[0])
    conn.execute(insert(t.consent_options).values(consent_id=consent_id, share_score=share_score))
    return consent_id


def _consent_and_stored_score_statement() -> Any:
    c, o, s = t.consents.c, t.consent_options.c, t.scores.c
    todays_score = and_(
        s.subject_id == c.subject_id,
        s.as_of == bindparam("today"),
        s.policy_version == bindparam("policy_version"),
    )
    return (
        select(c.id.label("consent_id"), o.share_score, s.status, s.value, s.tier)
        .select_from(t.consents)
        .join(t.consent_options, o.consent_id == c.id, isouter=True)
        .join(t.scores, todays_score, isouter=True)
        .where(
            c.subject_id == bindparam("subject_id"),
            c.grantee_kind == "relying_party",
            c.grantee_id == bindparam("relying_party_id"),
            c.purpose == bindparam("purpose"),
            _active_consent(bindparam("today"), bindparam("now")),
        )
        .order_by(c.id.desc())
        .limit(1)
    )


def _check_params(
    subject_id: str, relying_party_id: str, purpose: str, now: datetime, policy_version: str
) -> dict[str, Any]:
    """The parameters of `_consent_and_stored_score_statement`, alone or inside the check's
    one statement."""
    return {
        "subject_id": subject_id,
        "relying_party_id": relying_party_id,
        "purpose": purpose,
        "today": now.date(),
        "now": now,
        "policy_version": policy_version,
    }


# The relying party's hot path: its statements are built once (SQLAlchemy memoises a built
# statement's cache key, so each call only binds parameters).
CONSENT_AND_STORED_SCORE = _consent_and_stored_score_statement()


def consent_and_stored_score(
    conn: Connection,
    subject_id: str,
    relying_party_id: str,
    purpose: str,
    now: datetime,
    policy_version: str,
) -> dict[str, Any] | None:
    """A relying party's check in one indexed query: the newest consent in force from the
    subject to the relying party for exactly this purpose (`consent_id`, `share_score`), with
    the subject's stored score of today under `policy_version` (`status`, `value`, `tier`: None
    when none is stored yet), or None without such a consent."""
    row = (
        conn.execute(
            CONSENT_AND_STORED_SCORE,
            _check_params(subject_id, relying_party_id, purpose, now, policy_version),
        )
        .mappings()
        .first()
    )
    return None if row is None else {**row, "share_score": bool(row["share_score"])}


def _insert_if_consented_statement() -> Any:
    c, p = t.consents.c, t.access_log_pending.c
    columns = [column.name for column in t.access_log_pending.columns if column.name != "id"]
    values = select(*(bindparam(name, type_=p[name].type) for name in columns))
    in_force = select(c.id).where(
        c.id == bindparam("required_consent"),
        _active_consent(bindparam("today"), bindparam("now")),
    )
    return (
        insert(t.access_log_pending)
        .from_select(columns, values.where(in_force.exists()))
        .returning(t.access_log_pending.c.id)
    )


INSERT_PENDING_IF_CONSENTED = _insert_if_consented_statement()


def insert_pending_entry_if_consented(
    conn: Connection, entry: dict[str, Any], consent_id: int, now: datetime
) -> bool:
    """Write an access-log entry for a read made under `consent_id` only if that consent is
    still in force (not revoked, expired or erased since the read): True if written."""
    written = conn.execute(
        INSERT_PENDING_IF_CONSENTED,
        {**entry, "required_consent": consent_id, "today": now.date(), "now": now},
    )
    return written.first() is not None  # rowcount is not portable for INSERT ... SELECT


def get_consent(conn: Connection, consent_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(t.consents).where(t.consents.c.id == consent_id)).mappings().first()
    return None if row is None else dict(row)


def restore_consent(conn: Connection, consent_id: int) -> None:
    """Take back a revocation (the caller checks it is recent)."""
    c = t.consents.c
    conn.execute(update(t.consents).where(c.id == consent_id).values(revoked_at=None))


def revoke_consent(conn: Connection, consent_id: int, now: datetime) -> None:
    c = t.consents.c
    conn.execute(
        update(t.consents).where(c.id == consent_id, c.revoked_at.is_(None)).values(revoked_at=now)
    )


# The columns of the pending log entry that differ when the consent shares the exact score.
_SHARED_VARIANT = ("what", "detail_salt", "detail_digest")


def _consent_score_and_log_statement() -> Any:
    found = _consent_and_stored_score_statement().cte("found")
    p = t.access_log_pending.c
    columns = [column.name for column in t.access_log_pending.columns if column.name != "id"]
    shares = found.c.share_score.is_(True)

    def value(name: str) -> Any:
        if name == "consent_id":
            return found.c.consent_id
        plain = bindparam(f"entry_{name}", type_=p[name].type)
        if name in _SHARED_VARIANT:
            return case((shares, bindparam(f"shared_{name}", type_=p[name].type)), else_=plain)
        return plain

    entry = select(*(value(name) for name in columns)).where(found.c.status.is_not(None))
    logged = insert(t.access_log_pending).from_select(columns, entry).returning(p.id).cte("logged")
    written = select(func.count()).select_from(logged).scalar_subquery()
    return select(*found.c, written.label("logged"))


CONSENT_SCORE_AND_LOG = _consent_score_and_log_statement()


def consent_score_and_log(
    conn: Connection,
    subject_id: str,
    relying_party_id: str,
    purpose: str,
    now: datetime,
    policy_version: str,
    entry: dict[str, Any],
    entry_if_shared: dict[str, Any],
) -> dict[str, Any] | None:
    """PostgreSQL: `consent_and_stored_score` and, when it finds a stored score, the check's
    pending access-log entry (`entry`, or `entry_if_shared` when the consent shares the exact
    score; its consent id is the one found) in one statement — one round trip, and atomic: the
    entry is written exactly when the read finds the consent in force. `logged` says whether it
    was written."""
    params = {
        **_check_params(subject_id, relying_party_id, purpose, now, policy_version),
        **{f"entry_{k}": v for k, v in entry.items()},
        **{f"shared_{k}": entry_if_shared[k] for k in _SHARED_VARIANT},
    }
    row = conn.execute(CONSENT_SCORE_AND_LOG, params).mappings().first()
    if row is None:
        return None
    return {**row, "share_score": bool(row["share_score"]), "logged": bool(row["logged"])}
