"""Repository: reputation. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from sincerity.core.disputes import NOT_COUNTING
from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


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
    for chunk in chunks(sorted(set(raters))):
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
    for chunk in chunks(list(subject_ids)):
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


def trust_computed_at(conn: Connection) -> datetime | None:
    """When global trust was last computed (None: never)."""
    found = conn.scalar(select(func.max(t.rater_trust.c.computed_at)))
    return found if isinstance(found, datetime) else None
