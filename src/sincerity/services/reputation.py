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
from dataclasses import asdict, dataclass
from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Connection

from sincerity.core.policy import Policy
from sincerity.core.reputation import (
    GRAPH_KINDS,
    FloatArray,
    IntArray,
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
# Stored trust is rewritten when it moves by more than this (well below the 1e-9 to which the
# incremental result must equal a full recomputation).
WRITE_TOLERANCE = 1e-12


@dataclass(frozen=True)
class ComputedTrust:
    """A computation of global trust, not yet stored."""

    nodes: pa.Array  # every rater and rated subject (strings), in the order of the arrays
    trust: FloatArray
    credibility: FloatArray
    damping: dict[str, float]  # rating record id -> damping factor, for damped ratings only
    ratings: int
    seeds: int
    iterations: int


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

    @classmethod
    def of(cls, computed: ComputedTrust, changed_nodes: int, rescored_subjects: int) -> TrustRun:
        """What a run did, from its computation and what storing it changed."""
        return cls(
            len(computed.nodes),
            computed.ratings,
            computed.seeds,
            computed.iterations,
            len(computed.damping),
            changed_nodes,
            rescored_subjects,
        )


def note_graph_change(conn: Connection, kinds: Iterable[str], now: datetime) -> None:
    """Records of these kinds were added, removed, or started or stopped counting: if any is
    part of the rating graph, mark trust stale, in the caller's transaction, for the trust job."""
    if GRAPH_KINDS.intersection(kinds):
        repo.mark_trust_stale(conn, now)


def compute_trust(conn: Connection, policy: Policy, as_of: date) -> ComputedTrust:
    """Global trust and retaliation damping over the rating graph as of `as_of` (reads only)."""
    edges = repo.rating_edges(conn, as_of)
    nodes, raters, targets = _positions(edges.raters, edges.subjects)
    epoch = date(1970, 1, 1)  # the edges' days count from it
    graph = indexed_rating_graph(
        nodes, raters, targets, edges.ratings, edges.days.astype(np.float64), (as_of - epoch).days
    )
    params = trust_params(policy)
    seeds = default_seeds(graph, repo.verified_subjects(conn, as_of))
    stored = repo.stored_trust_columns(conn)
    node_ids = pa.array(graph.nodes, pa.string())
    warm = _aligned(node_ids, stored.nodes, stored.trust, missing=0.0)
    result = global_trust(graph, params, seeds, warm_start=warm)
    factors = retaliation_factors(graph, params)
    damped = np.flatnonzero(factors < 1)
    damped_ids = edges.ids.take(pa.array(graph.source_index[damped])).to_pylist()
    damping = dict(zip(damped_ids, factors[damped].tolist(), strict=True))
    return ComputedTrust(
        node_ids,
        result.trust,
        result.credibility,
        damping,
        len(edges),
        len(seeds),
        result.iterations,
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


def _moved(old: float | None, new: float | None, tolerance: float) -> bool:
    if old is None or new is None:
        return old is not new
    return abs(old - new) > tolerance


def store_trust(conn: Connection, computed: ComputedTrust, now: datetime) -> tuple[int, set[str]]:
    """Write the difference between `computed` and what is stored; returns how many nodes
    changed and the subjects whose evidence moved beyond RESCORE_TOLERANCE. Vectorised: it runs
    inside the write transaction, over every node (a million at 10M ratings)."""
    # Before the first computation every rater counted fully; afterwards an absent one, not at all.
    absent = 1.0 if repo.trust_computed_at(conn) is None else 0.0
    stored = repo.stored_trust_columns(conn)
    old_trust = _aligned(computed.nodes, stored.nodes, stored.trust, missing=np.nan)
    old_cred = _aligned(computed.nodes, stored.nodes, stored.credibility, missing=absent)
    known = pc.is_in(computed.nodes, value_set=stored.nodes).to_numpy(zero_copy_only=False)
    cred_moved = np.abs(old_cred - computed.credibility) > RESCORE_TOLERANCE
    new_cred = np.where(cred_moved, computed.credibility, old_cred)
    written = ~known | cred_moved | ~(np.abs(old_trust - computed.trust) <= WRITE_TOLERANCE)
    rows = np.flatnonzero(written)
    ids = computed.nodes.take(pa.array(rows)).to_pylist()
    upserts = [
        {"node_id": node, "trust": float(trust), "credibility": float(cred), "computed_at": now}
        for node, trust, cred in zip(
            ids, computed.trust[rows].tolist(), new_cred[rows].tolist(), strict=True
        )
    ]
    moved_raters = set(computed.nodes.filter(pa.array(cred_moved)).to_pylist())
    gone = ~pc.is_in(stored.nodes, value_set=computed.nodes).to_numpy(zero_copy_only=False)
    removed = stored.nodes.filter(pa.array(gone)).to_pylist()
    counted = stored.nodes.filter(pa.array(gone & (stored.credibility > RESCORE_TOLERANCE)))
    moved_raters.update(counted.to_pylist())

    old_damping = repo.all_damping(conn)
    newly_damped = [
        rid
        for rid, f in computed.damping.items()
        if _moved(old_damping.get(rid, 1.0), f, RESCORE_TOLERANCE)
    ]
    damping_upserts = [{"record_id": rid, "factor": computed.damping[rid]} for rid in newly_damped]
    undamped = [
        rid
        for rid, f in old_damping.items()
        if rid not in computed.damping and _moved(f, 1.0, RESCORE_TOLERANCE)
    ]
    repo.write_trust_diff(conn, upserts, removed, damping_upserts, undamped)
    moved_ratings = newly_damped + undamped
    affected = repo.subjects_where(conn, "rater", moved_raters) | repo.subjects_where(
        conn, "id", moved_ratings
    )
    return len(upserts) + len(removed), affected


def refresh_trust(conn: Connection, policy: Policy, as_of: date, now: datetime) -> TrustRun:
    """Recompute and store global trust inside the caller's transaction (a full rescore, which
    rescores every subject itself)."""
    taken_in = repo.pending_trust_changes(conn)
    computed = compute_trust(conn, policy, as_of)
    changed, _ = store_trust(conn, computed, now)
    repo.mark_trust_computed(conn, now, taken_in)
    run = TrustRun.of(computed, changed, 0)
    log.info("global trust recomputed", extra=asdict(run))
    return run
