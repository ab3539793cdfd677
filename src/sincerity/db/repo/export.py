"""Repository: the whole registry read out for a batch engine. The caller owns the connection."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from sincerity.core.disputes import NOT_COUNTING
from sincerity.db import tables as t
from sincerity.db.repo.trust import trust_computed_at


def all_record_bodies(conn: Connection, batch: int = 20_000) -> Iterator[str]:
    """Every record's canonical JSON, streamed in batches."""
    rows = conn.execution_options(stream_results=True, yield_per=batch).execute(
        select(t.records.c.body)
    )
    for (body,) in rows:
        yield str(body)


def not_counting_record_ids(conn: Connection) -> list[str]:
    """Every record whose dispute state stops it counting."""
    d = t.disputes.c
    return [str(r) for r in conn.scalars(select(d.record_id).where(d.state.in_(NOT_COUNTING)))]


def all_credibilities(conn: Connection) -> dict[str, float] | None:
    """Every rater's credibility, or None when global trust was never computed."""
    if trust_computed_at(conn) is None:
        return None
    rows = conn.execute(select(t.rater_trust.c.node_id, t.rater_trust.c.credibility))
    return {str(node): float(c) for node, c in rows}


def all_damping(conn: Connection) -> dict[str, float]:
    """Every damped rating's damping factor, by record id."""
    rows = conn.execute(select(t.rating_damping.c.record_id, t.rating_damping.c.factor))
    return {str(r): float(f) for r, f in rows}
