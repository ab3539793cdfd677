"""Repositories: every query the services make, as functions over an open Connection.

The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from sincerity.db import tables as t

CHUNK = 500  # ids per IN (...) query: well under every backend's parameter limit


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Subjects and sources ----------------------------------------------------------------------


def insert_subject(
    conn: Connection, subject_id: str, display_name: str | None, now: datetime
) -> None:
    conn.execute(
        insert(t.subjects).values(id=subject_id, display_name=display_name, created_at=now)
    )


def insert_subjects(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.subjects), list(rows))


def existing_subjects(conn: Connection, subject_ids: Iterable[str]) -> set[str]:
    ids = sorted(set(subject_ids))
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(conn.scalars(select(t.subjects.c.id).where(t.subjects.c.id.in_(chunk))))
    return found


def get_subject(conn: Connection, subject_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.subjects).where(t.subjects.c.id == subject_id)).mappings().first()
    return None if row is None else dict(row)


def was_erased(conn: Connection, subject_id: str) -> bool:
    """Whether this subject id belonged to a file that was erased (a tombstone)."""
    e = t.erasures.c
    return conn.scalar(select(e.id).where(e.subject_id == subject_id).limit(1)) is not None


def list_subject_ids(conn: Connection) -> list[str]:
    return list(conn.scalars(select(t.subjects.c.id).order_by(t.subjects.c.id)))


def insert_source(
    conn: Connection, source_id: str, name: str, kinds: Sequence[str], now: datetime
) -> None:
    conn.execute(
        insert(t.sources).values(id=source_id, name=name, kinds=",".join(kinds), created_at=now)
    )


def source_kinds(conn: Connection) -> dict[str, frozenset[str]]:
    """Every registered source and the record kinds it may report."""
    rows = conn.execute(select(t.sources.c.id, t.sources.c.kinds))
    return {source: frozenset(kinds.split(",")) for source, kinds in rows}


def list_sources(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(t.sources).order_by(t.sources.c.id)).mappings()
    return [dict(r) for r in rows]


# Consents ------------------------------------------------------------------------------------


def insert_consents(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.consents), list(rows))


def _active_consent(today: date, now: datetime) -> Any:
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
    for chunk in _chunks(ids):
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


# Records -------------------------------------------------------------------------------------


def insert_batch(conn: Connection, name: str, received: int, inserted: int, now: datetime) -> int:
    result = conn.execute(
        insert(t.batches).values(
            name=name[:500], received_at=now, records_received=received, records_inserted=inserted
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def existing_hashes(conn: Connection, record_ids: Sequence[str]) -> dict[str, str]:
    """Content hashes of the records among `record_ids` that are already stored."""
    found: dict[str, str] = {}
    for chunk in _chunks(record_ids):
        rows = conn.execute(
            select(t.records.c.id, t.records.c.content_hash).where(t.records.c.id.in_(chunk))
        )
        found.update((rid, digest) for rid, digest in rows)
    return found


def record_owners(conn: Connection, record_ids: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """(source, subject, kind) of each stored record among `record_ids`."""
    r = t.records.c
    found: dict[str, tuple[str, str, str]] = {}
    for chunk in _chunks(record_ids):
        rows = conn.execute(select(r.id, r.source_id, r.subject_id, r.kind).where(r.id.in_(chunk)))
        found.update((rid, (source, subject, kind)) for rid, source, subject, kind in rows)
    return found


def superseded_among(conn: Connection, record_ids: Sequence[str]) -> set[str]:
    """The records among `record_ids` that a later record of their source replaces."""
    r = t.records.c
    found: set[str] = set()
    for chunk in _chunks(record_ids):
        found.update(conn.scalars(select(r.supersedes).where(r.supersedes.in_(chunk))))
    return found


def insert_records(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(t.records), list(rows))


def record_rows_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.records)
        .where(t.records.c.subject_id == subject_id)
        .order_by(t.records.c.occurred_on.desc(), t.records.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def get_record_row(conn: Connection, record_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(t.records).where(t.records.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def count_rows(conn: Connection, table: Any) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


# Disputes ------------------------------------------------------------------------------------

# A record under these dispute states does not count towards the score.
NOT_COUNTING = ("open", "withdrawn", "suppressed")


def insert_dispute(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(t.disputes).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def disputes_of(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(t.disputes).where(t.disputes.c.subject_id == subject_id).order_by(t.disputes.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def open_dispute_on(conn: Connection, record_id: str) -> int | None:
    d = t.disputes.c
    return conn.scalar(select(d.id).where(d.record_id == record_id, d.state == "open"))


# Policies and scores -------------------------------------------------------------------------


def ensure_policy(conn: Connection, version: str, name: str, body: str, now: datetime) -> None:
    exists = conn.scalar(select(t.policies.c.version).where(t.policies.c.version == version))
    if exists is None:
        conn.execute(
            insert(t.policies).values(
                version=version, name=name, body=body, created_at=now, active=False
            )
        )


def activate_policy(conn: Connection, version: str) -> None:
    conn.execute(update(t.policies).values(active=t.policies.c.version == version))


def active_policy_body(conn: Connection) -> str | None:
    return conn.scalar(select(t.policies.c.body).where(t.policies.c.active.is_(True)))


def save_scores(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Store scores, replacing any earlier one for the same subject, day and policy: one
    upsert, so concurrent writers for one subject never collide on the day's row."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    else:  # pragma: no cover - make_engine accepts only these two
        raise ValueError(f"unsupported database {dialect}")
    statement = upsert(t.scores)
    excluded = statement.excluded
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["subject_id", "as_of", "policy_version"],
            set_={
                name: excluded[name]
                for name in ("status", "value", "tier", "explanation", "computed_at")
            },
        ),
        list(rows),
    )


def replace_day_scores(
    conn: Connection, as_of: date, policy_version: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace every stored score of one day under one policy (a whole-registry rescore)."""
    s = t.scores.c
    conn.execute(delete(t.scores).where(s.as_of == as_of, s.policy_version == policy_version))
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(t.scores), list(rows[start : start + 10_000]))


def score_history(conn: Connection, subject_id: str) -> list[dict[str, Any]]:
    s = t.scores.c
    rows = conn.execute(
        select(s.as_of, s.policy_version, s.status, s.value, s.tier, s.computed_at)
        .where(s.subject_id == subject_id)
        .order_by(s.as_of, s.computed_at)
    ).mappings()
    return [dict(r) for r in rows]


def latest_scores(conn: Connection) -> list[dict[str, Any]]:
    """Each subject's most recent stored score (status, value, tier)."""
    s = t.scores.c
    latest = select(s.subject_id, func.max(s.id).label("id")).group_by(s.subject_id).subquery()
    rows = conn.execute(
        select(s.subject_id, s.status, s.value, s.tier, s.as_of).join(latest, latest.c.id == s.id)
    ).mappings()
    return [dict(r) for r in rows]


# Reputation ----------------------------------------------------------------------------------


def rating_rows(conn: Connection, as_of: date) -> list[tuple[str, str, str]]:
    """(record id, subject, body) of every rating that occurred by `as_of` and is not under
    dispute, withdrawn or suppressed."""
    r, d = t.records.c, t.disputes.c
    excluded = select(d.record_id).where(d.state.in_(NOT_COUNTING))
    rows = conn.execute(
        select(r.id, r.subject_id, r.body).where(
            r.kind == "rating", r.occurred_on <= as_of, r.id.not_in(excluded)
        )
    )
    return [(rid, subject, body) for rid, subject, body in rows]


def verified_subjects(conn: Connection, as_of: date) -> set[str]:
    """Subjects with an identity verification on record by `as_of`, not under dispute."""
    r, d = t.records.c, t.disputes.c
    excluded = select(d.record_id).where(d.state.in_(NOT_COUNTING))
    rows = conn.execute(
        select(r.subject_id, r.body).where(
            r.kind == "verification", r.occurred_on <= as_of, r.id.not_in(excluded)
        )
    )
    return {subject for subject, body in rows if json.loads(body).get("what") == "identity"}


def stored_trust(conn: Connection) -> dict[str, float]:
    rows = conn.execute(select(t.rater_trust.c.node_id, t.rater_trust.c.trust))
    return {node: float(trust) for node, trust in rows}


def replace_trust(
    conn: Connection,
    trust_rows: Sequence[dict[str, Any]],
    damping_rows: Sequence[dict[str, Any]],
) -> None:
    """Replace the stored credibilities and damped ratings with a new computation."""
    conn.execute(delete(t.rater_trust))
    conn.execute(delete(t.rating_damping))
    if trust_rows:
        conn.execute(insert(t.rater_trust), list(trust_rows))
    if damping_rows:
        conn.execute(insert(t.rating_damping), list(damping_rows))


def credibilities(conn: Connection, raters: Iterable[str]) -> dict[str, float] | None:
    """The stored credibility of these raters (absent: 0); None when trust was never computed,
    and then every rater counts fully, as in a plain Beta reputation."""
    if conn.scalar(select(t.rater_trust.c.node_id).limit(1)) is None:
        return None
    found: dict[str, float] = {}
    for chunk in _chunks(sorted(set(raters))):
        rows = conn.execute(
            select(t.rater_trust.c.node_id, t.rater_trust.c.credibility).where(
                t.rater_trust.c.node_id.in_(chunk)
            )
        )
        found.update((node, float(credibility)) for node, credibility in rows)
    return found


def damping_of(conn: Connection, subject_ids: Sequence[str]) -> dict[str, float]:
    """Damping factors of the damped ratings received by these subjects, by record id."""
    r = t.records.c
    damping: dict[str, float] = {}
    for chunk in _chunks(list(subject_ids)):
        rows = conn.execute(
            select(t.rating_damping.c.record_id, t.rating_damping.c.factor)
            .join(t.records, r.id == t.rating_damping.c.record_id)
            .where(r.subject_id.in_(chunk))
        )
        damping.update((rid, float(f)) for rid, f in rows)
    return damping


def live_attestation_holders(
    conn: Connection, subject_ids: Sequence[str], now: datetime
) -> list[str]:
    """Which of these subjects hold an attestation that is neither revoked nor expired."""
    a = t.attestations.c
    wanted = set(subject_ids)
    holders = conn.scalars(
        select(a.subject_id).where(a.revoked_at.is_(None), a.expires_at > now).distinct()
    )
    return sorted(h for h in holders if h in wanted)
