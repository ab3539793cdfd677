"""A rating graph grown by more ratings, in a fraction of the time of building it again: the
trust job holds the graph between runs and adds each batch's ratings to it. The result is
exactly the graph (and retaliation factors) that building from every rating gives."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sincerity.core.reputation import (
    FloatArray,
    IntArray,
    RatingGraph,
    TrustParams,
    edge_key,
    present_nodes,
    retaliation_factors,
)


@dataclass(frozen=True)
class GrownGraph:
    """A graph with more ratings: the graph, its edges' retaliation factors, and where each
    node of the graph it grew from now stands."""

    graph: RatingGraph
    retaliation: FloatArray
    moved: IntArray  # old node position -> new node position


def grow_graph(
    graph: RatingGraph,
    retaliation: FloatArray,
    params: TrustParams,
    raters: Sequence[str],
    targets: Sequence[str],
    ratings: Sequence[float] | FloatArray,
    days: Sequence[float] | FloatArray,
    first_source: int,
) -> GrownGraph | None:
    """`graph` (with `retaliation`, its factors) plus these ratings, all given on or before its
    `as_of_day`: exactly the graph and factors that building from every rating gives, in a
    fraction of the time — new nodes take their sorted places, new edges are merged into the
    canonical order, and retaliation is recomputed only on the pairs a new negative touches.
    The new edges' `source_index` continues from `first_source`. None when the one-key merge
    cannot be used (a day that is not whole, a key too wide): build the graph afresh."""
    values = np.asarray(ratings, dtype=np.float64)
    moments = np.asarray(days, dtype=np.float64)
    if len(values) == 0:
        return GrownGraph(graph, retaliation, np.arange(graph.size, dtype=np.int64))
    if float(moments.max()) > graph.as_of_day:
        raise ValueError("a rating given after the graph's day cannot join it")
    old_nodes = graph.nodes
    fresh = sorted({*raters, *targets}.difference(present_nodes(old_nodes, {*raters, *targets})))
    insert_at = np.array([bisect_left(old_nodes, node) for node in fresh], dtype=np.int64)
    every_old = np.arange(len(old_nodes), dtype=np.int64)
    moved = every_old + np.searchsorted(insert_at, every_old, side="right")
    nodes = _merged(old_nodes, fresh, insert_at)
    size = len(nodes)
    new_r = np.array([bisect_left(nodes, x) for x in raters], dtype=np.int64)
    new_t = np.array([bisect_left(nodes, x) for x in targets], dtype=np.int64)
    new_s = np.sign(values)
    old_r, old_t = moved[graph.raters], moved[graph.targets]
    first_day = min(float(moments.min()), float(graph.days.min(initial=np.inf)))
    last_day = max(float(moments.max()), float(graph.days.max(initial=-np.inf)))
    old_key = edge_key(old_r, old_t, graph.days, graph.signs, size, first_day, last_day - first_day)
    new_key = edge_key(new_r, new_t, moments, new_s, size, first_day, last_day - first_day)
    if old_key is None or new_key is None:
        return None
    order = np.argsort(new_key, kind="stable")
    at = np.searchsorted(old_key, new_key[order], side="right")  # after equal edges: arrival order
    sources = first_source + order.astype(np.int64)
    grown = RatingGraph(
        nodes,
        np.insert(old_r, at, new_r[order]),
        np.insert(old_t, at, new_t[order]),
        np.insert(graph.signs, at, new_s[order]),
        np.insert(graph.days, at, moments[order]),
        graph.as_of_day,
        np.insert(graph.source_index, at, sources),
    )
    factors = np.insert(retaliation, at, 1.0)
    _retaliation_of_touched_pairs(grown, factors, new_r[new_s < 0], new_t[new_s < 0], params)
    return GrownGraph(grown, factors, moved)


def _merged(nodes: tuple[str, ...], fresh: list[str], insert_at: IntArray) -> tuple[str, ...]:
    """The sorted `nodes` with the sorted `fresh` ones inserted before positions `insert_at`."""
    pieces: list[str] = []
    previous = 0
    for node, at in zip(fresh, insert_at.tolist(), strict=True):
        pieces.extend(nodes[previous:at])
        pieces.append(node)
        previous = at
    pieces.extend(nodes[previous:])
    return tuple(pieces)


def _retaliation_of_touched_pairs(
    graph: RatingGraph,
    factors: FloatArray,
    raters: IntArray,
    targets: IntArray,
    params: TrustParams,
) -> None:
    """Recompute, in place, the factors of every edge between the endpoints of these new
    negatives, in both directions: an edge's factor depends only on the edges of its reverse
    pair, so no other edge's factor can have changed."""
    if len(raters) == 0:
        return
    n = np.int64(graph.size)
    pair = graph.raters * n + graph.targets  # sorted: edges are in (rater, target) order
    touched = np.unique(np.concatenate([raters * n + targets, targets * n + raters]))
    low = np.searchsorted(pair, touched, side="left")
    high = np.searchsorted(pair, touched, side="right")
    edges = np.concatenate([np.arange(a, b) for a, b in zip(low, high, strict=True)])
    sub = RatingGraph(
        graph.nodes,
        graph.raters[edges],
        graph.targets[edges],
        graph.signs[edges],
        graph.days[edges],
        graph.as_of_day,
        edges,
    )
    factors[edges] = retaliation_factors(sub, params)


def shrink_graph(
    graph: RatingGraph, retaliation: FloatArray, params: TrustParams, removed: IntArray
) -> GrownGraph:
    """`graph` without the edges at positions `removed` (ratings that stopped counting): exactly
    the graph built without them. A node left with no rating leaves the graph (`moved` is -1
    for it); retaliation is recomputed on the pairs a removed negative joined."""
    every_old = np.arange(graph.size, dtype=np.int64)
    if len(removed) == 0:
        return GrownGraph(graph, retaliation, every_old)
    keep = np.ones(len(graph.raters), dtype=bool)
    keep[removed] = False
    raters, targets = graph.raters[keep], graph.targets[keep]
    degree = np.bincount(raters, minlength=graph.size) + np.bincount(targets, minlength=graph.size)
    endpoints = np.unique(np.concatenate([graph.raters[removed], graph.targets[removed]]))
    orphans = endpoints[degree[endpoints] == 0]  # every node is some counted rating's end
    alive = np.ones(graph.size, dtype=bool)
    alive[orphans] = False
    moved = np.where(alive, np.cumsum(alive) - 1, -1)
    nodes = _without(graph.nodes, orphans)
    shrunk = RatingGraph(
        nodes,
        moved[raters],
        moved[targets],
        graph.signs[keep],
        graph.days[keep],
        graph.as_of_day,
        graph.source_index[keep],
    )
    factors = retaliation[keep]
    negative = removed[graph.signs[removed] < 0]
    ends_r, ends_t = moved[graph.raters[negative]], moved[graph.targets[negative]]
    both_alive = (ends_r >= 0) & (ends_t >= 0)  # else the pair has no rating left to recompute
    _retaliation_of_touched_pairs(shrunk, factors, ends_r[both_alive], ends_t[both_alive], params)
    return GrownGraph(shrunk, factors, moved)


def _without(nodes: tuple[str, ...], positions: IntArray) -> tuple[str, ...]:
    """The sorted `nodes` less those at the sorted `positions`."""
    pieces: list[str] = []
    previous = 0
    for at in positions.tolist():
        pieces.extend(nodes[previous:at])
        previous = at + 1
    pieces.extend(nodes[previous:])
    return tuple(pieces)
