"""The graph step: global trust over every rating in the registry, stored for the scorer.

It is off the ingest path. A batch that brings ratings or identity verifications stores them,
rescores its own subjects with the trust in force and marks trust stale; the trust job
(`sincerity jobs run trust`, and a timer in `sincerity serve`) recomputes it, warm-started from
the stored vector, writes only what changed, and rescores only the subjects whose evidence moved.
A full rescore recomputes it too. A rater absent from the stored result counts nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from sqlalchemy import Connection

from sincerity.core.graph_growth import grow_graph, shrink_graph
from sincerity.core.policy import Policy
from sincerity.core.reputation import (
    GRAPH_KINDS,
    FloatArray,
    IntArray,
    RatingGraph,
    TrustParams,
    default_seeds,
    global_trust,
    indexed_rating_graph,
    retaliation_factors,
    trust_params,
)
from sincerity.db import repo

log = logging.getLogger("sincerity.trust")

# A rater's stored credibility (what scores use) and a rating's damping are rewritten only when
# the new computation moves them by more than this, and then the subjects they count for are
# rescored. A rating's weight in a score is then never more than 1% off its exact value, which
# moves a score by a fraction of a displayed point, while a small batch, which nudges the trust
# of most raters a little, does not rescore the whole registry.
RESCORE_TOLERANCE = 1e-2


@dataclass(frozen=True)
class ComputedTrust:
    """A computation of global trust, not yet stored, and the graph it was computed on."""

    nodes: pa.Array  # every rater and rated subject (strings), in the order of the arrays
    trust: FloatArray
    credibility: FloatArray
    damped_ids: pa.Array  # the damped ratings' record ids (strings)
    damped_factors: FloatArray  # and their damping factors
    seeds: int
    iterations: int
    graph: RatingGraph
    retaliation: FloatArray  # each edge's retaliation factor, in the graph's order
    edge_ids: pa.ChunkedArray  # record ids; the graph's `source_index` points into it
    verified: frozenset[str]  # identity-verified subjects (the seeds, where in the graph)

    @property
    def ratings(self) -> int:
        return len(self.graph.raters)


@dataclass(frozen=True)
class TrustRun:
    """What a graph step did."""

    nodes: int
    ratings: int
    seeds: int
    iterations: int
    damped_ratings: int
    changed_nodes: int
    rescored_subjects: int
    grown: bool = False  # from the graph held in memory, not read afresh

    @classmethod
    def of(
        cls, computed: ComputedTrust, changed_nodes: int, rescored_subjects: int, grown: bool
    ) -> TrustRun:
        """What a run did, from its computation and what storing it changed."""
        return cls(
            len(computed.nodes),
            computed.ratings,
            computed.seeds,
            computed.iterations,
            len(computed.damped_ids),
            changed_nodes,
            rescored_subjects,
            grown,
        )


@dataclass(frozen=True)
class StoredBefore:
    """What was stored before a computation, aligned to its nodes."""

    credibility: FloatArray  # for a node not stored, what it counted before
    known: NDArray[np.bool_]
    gone_nodes: pa.Array  # stored nodes the computation no longer has
    gone_credibility: FloatArray
    damped_ids: pa.Array
    damped_factors: FloatArray


@dataclass(frozen=True)
class TrustMemory:
    """The graph trust was last computed on and what was stored from it, kept by a long-running
    process (`sincerity serve`) between runs of the trust job, so that a run after batches that
    only added records grows the graph instead of reading millions of ratings again. Good for
    one computation `generation` and one day; anything else reads the graph afresh."""

    generation: int
    as_of: date
    params: TrustParams
    computed: ComputedTrust  # its trust vector is stored whole
    stored_credibility: FloatArray  # as stored, aligned to computed.nodes
    damped_ids: pa.Array  # as stored
    damped_factors: FloatArray
    # Batches that may be in the graph already: they were committed while it was read afresh.
    maybe_in: frozenset[int] = frozenset()
    # No rating or verification was left out for being dated after `as_of`: the graph can be
    # carried to a later day as it is.
    nothing_later: bool = False

    def on(self, as_of: date) -> TrustMemory:
        """This graph carried to a later day (`nothing_later` must hold): the same edges, their
        weights aged from the new day."""
        day = float((as_of - date(1970, 1, 1)).days)
        graph = replace(self.computed.graph, as_of_day=day)
        return replace(self, as_of=as_of, computed=replace(self.computed, graph=graph))

    def before(self, computed: ComputedTrust, moved: IntArray) -> StoredBefore:
        """What is stored, aligned to a computation grown from this one (`moved`: where each
        of its nodes now stands; -1 for one no longer in the graph)."""
        size = len(computed.nodes)
        alive = moved >= 0
        credibility = np.zeros(size)  # trust was computed before: a node not stored counted 0
        credibility[moved[alive]] = self.stored_credibility[alive]
        known = np.zeros(size, dtype=bool)
        known[moved[alive]] = True
        return StoredBefore(
            credibility,
            known,
            self.computed.nodes.filter(pa.array(~alive)),
            self.stored_credibility[~alive],
            self.damped_ids,
            self.damped_factors,
        )


def note_graph_change(
    conn: Connection,
    kinds: Iterable[str],
    now: datetime,
    batch_id: int | None = None,
    record_id: str | None = None,
) -> None:
    """Records of these kinds were added (by batch `batch_id`), started or stopped counting
    (record `record_id`), or removed (neither): if any is part of the rating graph, mark trust
    stale, in the caller's transaction, for the trust job."""
    if GRAPH_KINDS.intersection(kinds):
        repo.mark_trust_stale(conn, now, batch_id, record_id)


def compute_trust(conn: Connection, policy: Policy, as_of: date) -> ComputedTrust:
    """Global trust and retaliation damping over the rating graph as of `as_of`, read afresh
    from the database (reads only)."""
    edges = repo.rating_edges(conn, as_of)
    nodes, raters, targets = _positions(edges.raters, edges.subjects)
    epoch = date(1970, 1, 1)  # the edges' days count from it
    graph = indexed_rating_graph(
        nodes, raters, targets, edges.ratings, edges.days.astype(np.float64), (as_of - epoch).days
    )
    params = trust_params(policy)
    verified = frozenset(repo.verified_subjects(conn, as_of))
    vector_nodes, vector_trust = repo.stored_trust_vector(conn)
    node_ids = pa.array(graph.nodes, pa.string())
    warm = _aligned(node_ids, vector_nodes, vector_trust, missing=0.0)
    retaliation = retaliation_factors(graph, params)
    edge_ids = pa.chunked_array([edges.ids], pa.large_string())
    return _computed(graph, node_ids, params, verified, warm, retaliation, edge_ids)


def grow_trust(
    conn: Connection, memory: TrustMemory, pending: repo.PendingTrustChanges
) -> tuple[ComputedTrust, StoredBefore] | None:
    """Global trust after these changes (new batches, records that stopped or started
    counting), computed on the graph held in `memory`: the ratings that stopped counting taken
    out, the new ones and those counting again merged in — read by batch and by record id, a
    few rows, not the registry; with what is stored, aligned to it. None when that cannot be
    done (a rating dated after the graph's day; a graph too wide for the one-key merge): read
    the graph afresh."""
    added = repo.batch_graph_records(conn, pending.batches)
    if added.latest_day is not None and added.latest_day > memory.as_of:
        return None
    held = memory.computed
    edges = added.edges
    if memory.maybe_in.intersection(pending.batches) and len(edges):
        # Committed while the graph was read: drop the ratings it has already.
        already = pc.is_in(held.edge_ids, value_set=edges.ids)
        present = held.edge_ids.filter(already).combine_chunks()
        edges = _edges_where(edges, pc.invert(pc.is_in(edges.ids, value_set=present)))
    graph, retaliation = held.graph, held.retaliation
    moved = np.arange(graph.size, dtype=np.int64)
    verified = held.verified | added.verified
    recheck = pending.records | added.replaced
    if recheck:
        # Each record whose counting changed leaves the graph, and comes back if it counts now.
        recheck_ids = pa.array(sorted(recheck), pa.large_string())
        flagged = pc.is_in(held.edge_ids, value_set=recheck_ids).to_numpy(zero_copy_only=False)
        removed = np.flatnonzero(flagged[graph.source_index])
        shrunk = shrink_graph(graph, retaliation, memory.params, removed)
        graph, retaliation, moved = shrunk.graph, shrunk.retaliation, shrunk.moved
        counting, their_subjects, latest = repo.rechecked_records(conn, recheck, memory.as_of)
        if latest is not None and latest > memory.as_of:
            return None  # a record dated after the graph's day: the fresh read sets it aside
        edges = _edges_where(edges, pc.invert(pc.is_in(edges.ids, value_set=recheck_ids)))
        edges = _edges_concat(edges, counting)
        verified = (verified - their_subjects) | repo.verified_subjects(
            conn, memory.as_of, among=their_subjects
        )
    grown = grow_graph(
        graph,
        retaliation,
        memory.params,
        edges.raters.to_pylist(),
        edges.subjects.to_pylist(),
        edges.ratings,
        edges.days.astype(np.float64),
        len(held.edge_ids),
    )
    if grown is None:
        return None
    same_nodes = not len(edges) and not recheck
    node_ids = held.nodes if same_nodes else pa.array(grown.graph.nodes, pa.string())
    moved = np.where(moved >= 0, grown.moved[np.maximum(moved, 0)], -1)
    warm = np.zeros(grown.graph.size)
    warm[moved[moved >= 0]] = held.trust[moved >= 0]
    chunks = held.edge_ids.chunks + ([edges.ids] if len(edges) else [])
    edge_ids = pa.chunked_array(chunks, pa.large_string())
    if edge_ids.num_chunks > 64:  # many small runs: one array again, for fast takes
        edge_ids = pa.chunked_array([edge_ids.combine_chunks()])
    computed = _computed(
        grown.graph,
        node_ids,
        memory.params,
        frozenset(verified),
        warm,
        grown.retaliation,
        edge_ids,
    )
    return computed, memory.before(computed, moved)


def _edges_where(edges: repo.RatingEdges, keep: pa.Array) -> repo.RatingEdges:
    mask = np.asarray(keep.to_numpy(zero_copy_only=False), dtype=bool)
    return repo.RatingEdges(
        edges.ids.filter(keep),
        edges.raters.filter(keep),
        edges.subjects.filter(keep),
        edges.ratings[mask],
        edges.days[mask],
    )


def _edges_concat(first: repo.RatingEdges, second: repo.RatingEdges) -> repo.RatingEdges:
    return repo.RatingEdges(
        pa.concat_arrays([first.ids, second.ids]),
        pa.concat_arrays([first.raters, second.raters]),
        pa.concat_arrays([first.subjects, second.subjects]),
        np.concatenate([first.ratings, second.ratings]),
        np.concatenate([first.days, second.days]),
    )


def _computed(
    graph: RatingGraph,
    node_ids: pa.Array,
    params: TrustParams,
    verified: frozenset[str],
    warm: FloatArray,
    retaliation: FloatArray,
    edge_ids: pa.ChunkedArray,
) -> ComputedTrust:
    """Global trust on a built graph: the seeds, the warm-started iteration, the damped ratings."""
    seeds = default_seeds(graph, verified)
    result = global_trust(graph, params, seeds, warm_start=warm, retaliation=retaliation)
    damped = np.flatnonzero(retaliation < 1)
    damped_ids = edge_ids.take(pa.array(graph.source_index[damped])).combine_chunks()
    return ComputedTrust(
        node_ids,
        result.trust,
        result.credibility,
        pc.cast(damped_ids, pa.string()),
        retaliation[damped],
        len(seeds),
        result.iterations,
        graph,
        retaliation,
        edge_ids,
        verified,
    )


def _aligned(
    nodes: pa.Array, stored_nodes: pa.Array, values: FloatArray, missing: float
) -> FloatArray:
    """`values` (one per `stored_nodes`) for each of `nodes`, `missing` for a node not stored:
    a hash join in Arrow, not a dictionary of a million entries."""
    if len(stored_nodes) == 0:
        return np.full(len(nodes), missing)
    where = pc.index_in(nodes, value_set=stored_nodes)
    found = where.is_valid().to_numpy(zero_copy_only=False)
    positions = where.fill_null(0).to_numpy(zero_copy_only=False)
    return np.where(found, values[positions], missing)


def _positions(raters: pa.Array, targets: pa.Array) -> tuple[tuple[str, ...], IntArray, IntArray]:
    """The sorted ids of everyone who rates or is rated, and each rating's rater and target as
    positions among them — with Arrow (a dictionary encoding and one sort of the distinct ids),
    not a Python dictionary lookup per rating."""
    encoded = pc.dictionary_encode(pa.concat_arrays([raters, targets]))
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    positions = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    nodes = tuple(encoded.dictionary.take(pa.array(order)).to_pylist())
    return nodes, positions[: len(raters)], positions[len(raters) :]


def stored_before(conn: Connection, computed: ComputedTrust) -> StoredBefore:
    """What is stored, read from the database and aligned to `computed`'s nodes."""
    # Before the first computation every rater counted fully; afterwards an absent one, not at all.
    absent = 1.0 if repo.trust_computed_at(conn) is None else 0.0
    nodes, credibility = repo.stored_credibility_columns(conn)
    gone = ~pc.is_in(nodes, value_set=computed.nodes).to_numpy(zero_copy_only=False)
    damped_ids, damped_factors = repo.stored_damping_columns(conn)
    return StoredBefore(
        _aligned(computed.nodes, nodes, credibility, missing=absent),
        pc.is_in(computed.nodes, value_set=nodes).to_numpy(zero_copy_only=False),
        nodes.filter(pa.array(gone)),
        credibility[gone],
        damped_ids,
        damped_factors,
    )


@dataclass(frozen=True)
class StoredTrust:
    """What storing a computation changed, and what is stored after it."""

    changed_nodes: int  # credibilities written or removed
    affected: set[str]  # subjects whose evidence moved beyond RESCORE_TOLERANCE
    credibility: FloatArray  # as stored now, aligned to the computation's nodes
    damped_ids: pa.Array
    damped_factors: FloatArray


def store_trust(
    conn: Connection, computed: ComputedTrust, now: datetime, before: StoredBefore | None = None
) -> StoredTrust:
    """Store `computed`: its trust vector whole (one row: it moves a little at nearly every
    node), and the difference in credibilities and damping from what is stored (`before`, else
    read); finds the subjects whose evidence moved beyond RESCORE_TOLERANCE. Vectorised: it
    runs inside the write transaction, over every node (a million at 10M ratings)."""
    if before is None:
        before = stored_before(conn, computed)
    cred_moved = np.abs(before.credibility - computed.credibility) > RESCORE_TOLERANCE
    new_cred = np.where(cred_moved, computed.credibility, before.credibility)
    rows = np.flatnonzero(~before.known | cred_moved)
    ids = computed.nodes.take(pa.array(rows)).to_pylist()
    upserts = [
        {"node_id": node, "credibility": float(cred), "computed_at": now}
        for node, cred in zip(ids, new_cred[rows].tolist(), strict=True)
    ]
    moved_raters = set(computed.nodes.filter(pa.array(cred_moved)).to_pylist())
    counted = before.gone_nodes.filter(pa.array(before.gone_credibility > RESCORE_TOLERANCE))
    moved_raters.update(counted.to_pylist())

    # Damping: written where it moved beyond the tolerance, removed where a rating is no
    # longer damped (a stored factor then counts as 1).
    old_factor = _aligned(
        computed.damped_ids, before.damped_ids, before.damped_factors, missing=1.0
    )
    newly = np.abs(old_factor - computed.damped_factors) > RESCORE_TOLERANCE
    still = pc.is_in(before.damped_ids, value_set=computed.damped_ids).to_numpy(
        zero_copy_only=False
    )
    lifted = ~still & (np.abs(before.damped_factors - 1.0) > RESCORE_TOLERANCE)
    newly_ids = computed.damped_ids.filter(pa.array(newly))
    undamped = before.damped_ids.filter(pa.array(lifted))
    damping_upserts = [
        {"record_id": rid, "factor": factor}
        for rid, factor in zip(
            newly_ids.to_pylist(), computed.damped_factors[newly].tolist(), strict=True
        )
    ]
    repo.store_trust_vector(conn, computed.nodes, computed.trust)
    repo.write_trust_diff(
        conn,
        upserts,
        before.gone_nodes.to_pylist(),
        damping_upserts,
        undamped.to_pylist(),
    )
    moved_ratings = newly_ids.to_pylist() + undamped.to_pylist()
    affected = repo.subjects_where(conn, "rater", moved_raters) | repo.subjects_where(
        conn, "id", moved_ratings
    )
    rewritten = pc.is_in(before.damped_ids, value_set=newly_ids).to_numpy(zero_copy_only=False)
    kept = ~lifted & ~rewritten
    return StoredTrust(
        len(upserts) + len(before.gone_nodes),
        affected,
        new_cred,
        pa.concat_arrays([before.damped_ids.filter(pa.array(kept)), newly_ids]),
        np.concatenate([before.damped_factors[kept], computed.damped_factors[newly]]),
    )


def refresh_trust(conn: Connection, policy: Policy, as_of: date, now: datetime) -> TrustRun:
    """Recompute and store global trust inside the caller's transaction (a full rescore, which
    rescores every subject itself)."""
    taken_in = repo.pending_trust_changes(conn)
    computed = compute_trust(conn, policy, as_of)
    stored = store_trust(conn, computed, now)
    repo.mark_trust_computed(conn, now, taken_in)
    run = TrustRun.of(computed, stored.changed_nodes, 0, grown=False)
    log.info("global trust recomputed", extra=asdict(run))
    return run
