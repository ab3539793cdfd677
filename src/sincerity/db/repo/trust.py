"""Repository: reputation. The caller owns the transaction; nothing here commits."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from sqlalchemy import (
    Connection,
    Integer,
    Text,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by

from sincerity.core.disputes import NOT_COUNTING
from sincerity.db import tables as t
from sincerity.db.repo.base import chunks


@dataclass(frozen=True)
class RatingEdges:
    """Every counted rating, as columns in one order."""

    ids: pa.Array  # record ids (strings)
    raters: pa.Array  # strings
    subjects: pa.Array  # strings
    ratings: NDArray[np.float64]
    days: NDArray[np.int64]  # the day it occurred, in days since 1970-01-01

    def __len__(self) -> int:
        return len(self.ids)


def _not_counting() -> Any:
    """The ids of records that do not count: under a dispute that stops them counting, or
    replaced by a correction (which counts instead)."""
    d, replacing = t.disputes.c, t.records.alias("replacing").c
    disputed = select(d.record_id).where(d.state.in_(NOT_COUNTING))
    # (Without the IS NOT NULL, NOT IN over a NULL would exclude every record.)
    replaced = select(replacing.supersedes).where(replacing.supersedes.is_not(None))
    return disputed.union(replaced)


def rating_edges(conn: Connection, as_of: date) -> RatingEdges:
    """Every rating that occurred by `as_of` and is not under dispute, withdrawn, suppressed or
    replaced by a correction, read from columns (no record body is parsed).

    The database joins each column into one string and Arrow splits it: a million ratings read
    as Python rows cost seconds of object creation, as five strings a fraction of one.
    (Identifiers cannot hold a line break, so it separates them.)"""
    r = t.records.c
    excluded = _not_counting()
    # A rating is a whole number from -10 to 10: written as one, not as a formatted REAL.
    columns = (r.id, r.rater, r.subject_id, cast(r.rating, Integer), r.occurred_on)
    if conn.dialect.name == "postgresql":
        # One order for every aggregate, whatever plan PostgreSQL picks.
        joined = [
            func.string_agg(cast(c, Text), aggregate_order_by(literal("\n"), r.id)) for c in columns
        ]
    else:  # SQLite's aggregates of one query read its rows in one pass, in one order
        joined = [func.group_concat(c, "\n") for c in columns]
    row = conn.execute(
        select(*joined).where(r.kind == "rating", r.occurred_on <= as_of, r.id.not_in(excluded))
    ).one()

    def split(text: str | None) -> pa.Array:
        if text is None:
            return pa.array([], pa.large_string())
        return pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()

    ids, raters, subjects, ratings, days = (split(text) for text in row)
    return RatingEdges(
        ids,
        raters,
        subjects,
        pc.cast(ratings, pa.float64()).to_numpy(),
        pc.cast(pc.cast(days, pa.date32()), pa.int32()).to_numpy().astype(np.int64),
    )


@dataclass(frozen=True)
class BatchGraphRecords:
    """What some batches added to the rating graph: their ratings and identity verifications."""

    edges: RatingEdges
    verified: set[str]
    replaced: set[str]  # the records their corrections replace: those stop counting
    latest_day: date | None  # the latest day one of them occurred on


def batch_graph_records(conn: Connection, batch_ids: Sequence[int]) -> BatchGraphRecords:
    """The ratings and identity verifications these batches stored (by the batch index, in
    the order they were stored), for a trust job that holds the rest of the graph."""
    r = t.records.c
    rated: list[tuple[str, str, str, float, date]] = []
    verified: set[str] = set()
    replaced: set[str] = set()
    latest: date | None = None
    # Only identity verifications seed trust: the database reads `what` from their bodies.
    what = case((r.kind == "verification", _what(conn)), else_=None)
    for chunk in chunks(sorted(set(batch_ids))):
        rows = conn.execute(
            select(r.id, r.kind, r.subject_id, r.rater, r.rating, r.occurred_on, r.supersedes, what)
            .where(r.batch_id.in_(chunk), r.kind.in_(("rating", "verification")))
            .order_by(r.batch_id)
        )
        for rid, kind, subject, rater, rating, occurred_on, supersedes, verifies in rows:
            if supersedes is not None:
                replaced.add(supersedes)
            latest = occurred_on if latest is None else max(latest, occurred_on)
            if kind == "rating":
                rated.append((rid, subject, rater, rating, occurred_on))
            elif verifies == "identity":
                verified.add(subject)
    return BatchGraphRecords(_edges_of(rated), verified, replaced, latest)


def _edges_of(rows: Sequence[tuple[str, str, str, float, date]]) -> RatingEdges:
    """Ratings read as rows of (id, subject, rater, rating, day), as columns."""
    epoch = date(1970, 1, 1)
    return RatingEdges(
        pa.array([row[0] for row in rows], pa.large_string()),
        pa.array([row[2] for row in rows], pa.large_string()),
        pa.array([row[1] for row in rows], pa.large_string()),
        np.array([float(row[3]) for row in rows], dtype=np.float64),
        np.array([(row[4] - epoch).days for row in rows], dtype=np.int64),
    )


def rechecked_records(
    conn: Connection, record_ids: Collection[str], as_of: date
) -> tuple[RatingEdges, set[str], date | None]:
    """Of these records, whose counting may have changed: the ratings that count now (as
    `rating_edges` reads them), the subjects of the verifications among them, and the latest
    day one of them occurred on."""
    r = t.records.c
    rated: list[tuple[str, str, str, float, date]] = []
    verified_subjects_: set[str] = set()
    latest: date | None = None
    excluded = _not_counting()
    for chunk in chunks(sorted(record_ids)):
        rows = conn.execute(
            select(
                r.id, r.kind, r.subject_id, r.rater, r.rating, r.occurred_on, r.id.not_in(excluded)
            ).where(r.id.in_(chunk), r.kind.in_(("rating", "verification")))
        )
        for rid, kind, subject, rater, rating, occurred_on, not_excluded in rows:
            latest = occurred_on if latest is None else max(latest, occurred_on)
            if kind == "verification":
                verified_subjects_.add(subject)
            elif not_excluded and occurred_on <= as_of:
                rated.append((rid, subject, rater, rating, occurred_on))
    return _edges_of(rated), verified_subjects_, latest


def latest_graph_day(conn: Connection) -> date | None:
    """The latest day a rating or a verification on record occurred on (one may be dated
    after today: it joins the graph on its day)."""
    r = t.records.c
    latest: date | None = conn.scalar(
        select(func.max(r.occurred_on)).where(r.kind.in_(("rating", "verification")))
    )
    return latest


def _what(conn: Connection) -> Any:
    """A verification's `what`, read by the database from the record's JSON body."""
    r = t.records.c
    if conn.dialect.name == "postgresql":
        return cast(r.body, JSONB)["what"].astext
    return func.json_extract(r.body, "$.what")


def verified_subjects(
    conn: Connection, as_of: date, among: Collection[str] | None = None
) -> set[str]:
    """Subjects (`among` these, or all) with an identity verification on record by `as_of`
    that counts (see `_not_counting`). The database reads `what` from the record's JSON
    instead of Python parsing every verification's body."""
    r = t.records.c
    query = select(r.subject_id).where(
        r.kind == "verification",
        r.occurred_on <= as_of,
        _what(conn) == "identity",
        r.id.not_in(_not_counting()),
    )
    if among is None:
        # No DISTINCT: SQLite would walk the subject index and fetch every record by it (22 s
        # against 1 s at 10M records); the set drops repeats.
        return set(conn.scalars(query))
    found: set[str] = set()
    for chunk in chunks(sorted(among)):
        found.update(conn.scalars(query.where(r.subject_id.in_(chunk))))
    return found


def stored_credibility_columns(conn: Connection) -> tuple[pa.Array, NDArray[np.float64]]:
    """Every stored node and its credibility, as two columns in one order, for the trust job's
    million-node reads (a dictionary of a million entries costs seconds; these, a fraction)."""
    # The driver's own rows, not SQLAlchemy's: a million Row objects cost 0.6 s more.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("SELECT node_id, credibility FROM rater_trust")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    nodes, credibility = zip(*rows, strict=True) if rows else ((), ())
    return (
        pa.array(nodes, pa.string()),
        np.fromiter(credibility, dtype=np.float64, count=len(rows)),
    )


VECTOR_SCHEMA = pa.schema([("node", pa.string()), ("trust", pa.float64())])


def stored_trust_vector(conn: Connection) -> tuple[pa.Array, NDArray[np.float64]]:
    """The last computation's trust vector: every node and its share of global trust."""
    blob = conn.scalar(select(t.trust_state.c.trust_vector).where(t.trust_state.c.id == 1))
    if not blob:
        return pa.array([], pa.string()), np.zeros(0)
    table = pa.ipc.open_stream(pa.py_buffer(blob)).read_all()
    return (
        table.column("node").combine_chunks(),
        table.column("trust").to_numpy().astype(np.float64),
    )


def store_trust_vector(conn: Connection, nodes: pa.Array, trust: NDArray[np.float64]) -> None:
    """Store a computation's whole trust vector, in one row (uncompressed: an erased
    subject's id must be findable, to be removed — see `drop_from_trust_vector`)."""
    table = pa.table([pc.cast(nodes, pa.string()), pa.array(trust)], schema=VECTOR_SCHEMA)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, VECTOR_SCHEMA) as writer:
        writer.write_table(table)
    conn.execute(
        update(t.trust_state)
        .where(t.trust_state.c.id == 1)
        .values(trust_vector=sink.getvalue().to_pybytes())
    )


def drop_from_trust_vector(conn: Connection, node: str) -> None:
    """Take a node (an erased subject) out of the stored trust vector."""
    nodes, trust = stored_trust_vector(conn)
    if len(nodes) == 0:
        return
    keep = pc.not_equal(nodes, pa.scalar(node, pa.string()))
    if pc.all(keep).as_py():
        return
    store_trust_vector(conn, nodes.filter(keep), trust[keep.to_numpy(zero_copy_only=False)])


def stored_damping_columns(conn: Connection) -> tuple[pa.Array, NDArray[np.float64]]:
    """Every damped rating's record id and damping factor, as two columns in one order."""
    rows = conn.execute(select(t.rating_damping.c.record_id, t.rating_damping.c.factor)).all()
    return (
        pa.array([r for r, _ in rows], pa.string()),
        np.array([f for _, f in rows], dtype=np.float64),
    )


def stored_trust(conn: Connection) -> dict[str, tuple[float, float]]:
    """Every stored node's (trust, credibility), by node id."""
    nodes, credibility = stored_credibility_columns(conn)
    vector_nodes, vector_trust = stored_trust_vector(conn)
    trust = dict(zip(vector_nodes.to_pylist(), vector_trust.tolist(), strict=True))
    return {
        node: (trust.get(node, 0.0), cred)
        for node, cred in zip(nodes.to_pylist(), credibility.tolist(), strict=True)
    }


def write_trust_diff(
    conn: Connection,
    upserts: Sequence[dict[str, Any]],
    removed_nodes: Sequence[str],
    damping_upserts: Sequence[dict[str, Any]],
    undamped: Sequence[str],
) -> None:
    """Apply a change to the stored credibilities (rows of node_id, credibility, computed_at)
    and damped ratings: rows that changed are replaced, rows that no longer exist are deleted,
    the rest are left alone."""
    rt, rd = t.rater_trust.c, t.rating_damping.c
    for chunk in chunks([row["node_id"] for row in upserts] + list(removed_nodes)):
        conn.execute(delete(t.rater_trust).where(rt.node_id.in_(chunk)))
    for chunk in chunks([row["record_id"] for row in damping_upserts] + list(undamped)):
        conn.execute(delete(t.rating_damping).where(rd.record_id.in_(chunk)))
    if upserts:
        conn.execute(insert(t.rater_trust), list(upserts))
    if damping_upserts:
        conn.execute(insert(t.rating_damping), list(damping_upserts))


def trust_computed_at(conn: Connection) -> datetime | None:
    """When global trust was last computed (None: never): the snapshot scores are weighed by."""
    return conn.scalar(select(t.trust_state.c.computed_at).where(t.trust_state.c.id == 1))


def trust_generation(conn: Connection) -> int:
    """How many times global trust has been computed and stored."""
    return int(conn.scalar(select(t.trust_state.c.generation).where(t.trust_state.c.id == 1)) or 0)


def trust_state(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """(when global trust was last computed, since when it is stale); None: never / it is not."""
    stale_since = conn.scalar(select(func.min(t.trust_changes.c.at)))
    return trust_computed_at(conn), stale_since


def mark_trust_stale(
    conn: Connection, now: datetime, batch_id: int | None = None, record_id: str | None = None
) -> None:
    """Record a change to the rating graph: a batch that added records (`batch_id`), a record
    that stopped or started counting (`record_id`), or anything else (neither: an erasure).
    Each change appends its own row, so concurrent batches never wait on one another here."""
    conn.execute(insert(t.trust_changes).values(at=now, batch_id=batch_id, record_id=record_id))


@dataclass(frozen=True)
class PendingTrustChanges:
    """The changes to the rating graph that trust has not taken in."""

    ids: list[int]
    batches: list[int]  # batches that added records, in order
    records: set[str]  # records that stopped or started counting
    other: bool  # some change was neither (an erasure)

    def __bool__(self) -> bool:
        return bool(self.ids)


def pending_trust_changes(conn: Connection) -> PendingTrustChanges:
    """The changes to the rating graph that trust has not taken in (read them before the graph:
    a change committed in between is then taken in twice, never missed)."""
    c = t.trust_changes.c
    rows = conn.execute(select(c.id, c.batch_id, c.record_id).order_by(c.id)).all()
    return PendingTrustChanges(
        [change for change, _, _ in rows],
        sorted({batch for _, batch, _ in rows if batch is not None}),
        {record for _, _, record in rows if record is not None},
        any(batch is None and record is None for _, batch, record in rows),
    )


def mark_trust_computed(conn: Connection, now: datetime, taken_in: PendingTrustChanges) -> int:
    """Record a computation of trust and drop the changes it took in; changes that arrived
    after it read the graph stay, and keep trust stale for the next run. Returns the new
    generation (one more than the computation it started from, unless another process stored
    one in between)."""
    state = t.trust_state.c
    conn.execute(
        update(t.trust_state)
        .where(state.id == 1)
        .values(computed_at=now, generation=state.generation + 1)
    )
    for chunk in chunks(list(taken_in.ids)):
        conn.execute(delete(t.trust_changes).where(t.trust_changes.c.id.in_(chunk)))
    return trust_generation(conn)


def subjects_where(conn: Connection, column: str, values: Iterable[str]) -> set[str]:
    """Subjects of the records whose `column` ("rater", "id") is one of `values`: who received
    a rating from these raters, or whom these records are about."""
    r = t.records.c
    found: set[str] = set()
    for chunk in chunks(sorted(set(values))):
        found.update(conn.scalars(select(r.subject_id).where(r[column].in_(chunk)).distinct()))
    return found


def credibilities(conn: Connection, raters: Iterable[str]) -> dict[str, float]:
    """The stored credibility of these raters (absent: 0)."""
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


def queue_rescore(conn: Connection, subject_ids: Iterable[str], since: datetime) -> None:
    """These subjects owe a rescore under the trust computed at `since` (one already waiting
    keeps its place)."""
    due = t.trust_rescore_due.c
    ids = sorted(set(subject_ids))
    for chunk in chunks(ids):
        waiting = set(conn.scalars(select(due.subject_id).where(due.subject_id.in_(chunk))))
        rows = [{"subject_id": s, "since": since} for s in chunk if s not in waiting]
        if rows:
            conn.execute(insert(t.trust_rescore_due), rows)


def rescore_due(conn: Connection, limit: int) -> list[str]:
    """Up to `limit` subjects owing a rescore, in id order."""
    due = t.trust_rescore_due.c
    return list(conn.scalars(select(due.subject_id).order_by(due.subject_id).limit(limit)))


def rescore_done(conn: Connection, subject_ids: Sequence[str]) -> None:
    due = t.trust_rescore_due.c
    for chunk in chunks(list(subject_ids)):
        conn.execute(delete(t.trust_rescore_due).where(due.subject_id.in_(chunk)))


def count_rescore_due(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(t.trust_rescore_due)) or 0)
