"""Global trust on a large synthetic rating graph: time and peak memory, against baselines.

Baselines measured in the same run:
- a bare scipy power iteration (x ← (1−d)(Pᵀx + dangling·p) + d·p, nothing else) on the same
  transition matrix, to the same tolerance (target: global_trust within 1.5× of it, although
  global_trust also builds the matrix from the ratings and applies decay and retaliation);
- networkx.pagerank on a 100,000-node graph of the same density, per edge (target: ≥ 30×).
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

from common import report
from sincerity.core.reputation import (
    RatingGraph,
    TrustParams,
    default_seeds,
    edge_weights,
    global_trust,
    local_trust,
)

PARAMS = TrustParams()
TODAY = 20_000.0


def synthetic_graph(nodes: int, edges: int, seed: int) -> RatingGraph:
    """Raters uniform, targets heavy-tailed (some accounts trade far more), 90% positive."""
    rng = np.random.default_rng(seed)
    raters = rng.integers(0, nodes, edges, dtype=np.int64)
    popularity = rng.zipf(1.8, nodes).astype(np.float64)
    targets = rng.choice(nodes, edges, p=popularity / popularity.sum()).astype(np.int64)
    targets = np.where(targets == raters, (targets + 1) % nodes, targets)
    signs = np.where(rng.random(edges) < 0.9, 1.0, -1.0)
    days = TODAY - rng.integers(0, 3 * 365, edges).astype(np.float64)
    order = np.lexsort((signs, days, targets, raters))
    names = tuple(f"n{i:07d}" for i in range(nodes))
    return RatingGraph(
        names, raters[order], targets[order], signs[order], days[order], TODAY, order
    )


def timed(work, peak: bool = False) -> tuple[float, float, object]:
    gc.collect()
    if peak:
        tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak_mb = 0.0
    if peak:
        peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return seconds, peak_mb, result


def bare_power_iteration(graph: RatingGraph) -> tuple[float, int]:
    """The baseline: the same transition matrix, then the plainest loop to the same tolerance."""
    transition_t = local_trust(
        graph, edge_weights(graph, PARAMS, PARAMS.trust_half_life_days), PARAMS
    ).T.tocsr()
    seeds = default_seeds(graph)
    p = np.zeros(graph.size)
    p[seeds] = 1.0 / len(seeds)
    dangling = np.asarray(transition_t.sum(axis=0)).ravel() == 0
    started = time.perf_counter()
    x = p.copy()
    d = PARAMS.damping
    for iteration in range(1, PARAMS.max_iterations + 1):
        new = (1 - d) * (transition_t @ x + x[dangling].sum() * p) + d * p
        if np.abs(new - x).sum() < PARAMS.tolerance:
            return time.perf_counter() - started, iteration
        x = new
    raise RuntimeError("baseline did not converge")


def networkx_pagerank(nodes: int, edges: int) -> tuple[float, float, int]:
    """Seconds to build the networkx graph from the edge list, seconds of pagerank, edges."""
    import networkx as nx

    graph = synthetic_graph(nodes, edges, seed=2)
    pairs = list(zip(graph.raters.tolist(), graph.targets.tolist(), strict=True))
    started = time.perf_counter()
    digraph = nx.DiGraph()
    digraph.add_edges_from(pairs)
    built = time.perf_counter()
    nx.pagerank(digraph, alpha=1 - PARAMS.damping, tol=1e-10)
    return built - started, time.perf_counter() - built, digraph.number_of_edges()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--sample-nodes", type=int, default=100_000)
    args = parser.parse_args()
    print(
        f"Building a synthetic graph: {args.nodes:,} nodes, {args.edges:,} ratings ...", flush=True
    )
    graph = synthetic_graph(args.nodes, args.edges, seed=1)
    seconds, _, result = timed(lambda: global_trust(graph, PARAMS))
    _, peak_mb, _ = timed(lambda: global_trust(graph, PARAMS), peak=True)
    iterations = result.iterations
    bare_iterate_s, bare_iterations = bare_power_iteration(graph)
    build_s, _, _ = timed(
        lambda: local_trust(
            graph, edge_weights(graph, PARAMS, PARAMS.trust_half_life_days), PARAMS
        ).T.tocsr()
    )
    print(f"networkx.pagerank on {args.sample_nodes:,} nodes ...", flush=True)
    nx_build_s, nx_s, nx_edges = networkx_pagerank(
        args.sample_nodes, args.sample_nodes * args.edges // args.nodes
    )
    edges = len(graph.raters)
    rows = [
        {
            "what": "global_trust (build + iterate)",
            "nodes": graph.size,
            "edges": edges,
            "seconds": seconds,
            "iterations": iterations,
            "peak_MiB": peak_mb,
            "us_per_edge": 1e6 * seconds / edges,
            "ratio": 1.0,
        },
        {
            "what": "bare scipy power iteration (iterate only)",
            "nodes": graph.size,
            "edges": edges,
            "seconds": bare_iterate_s,
            "iterations": bare_iterations,
            "peak_MiB": float("nan"),
            "us_per_edge": 1e6 * bare_iterate_s / edges,
            "ratio": seconds / bare_iterate_s,
        },
        {
            "what": "bare: build matrix + iterate",
            "nodes": graph.size,
            "edges": edges,
            "seconds": build_s + bare_iterate_s,
            "iterations": bare_iterations,
            "peak_MiB": float("nan"),
            "us_per_edge": 1e6 * (build_s + bare_iterate_s) / edges,
            "ratio": seconds / (build_s + bare_iterate_s),
        },
        {
            "what": "networkx.pagerank only (sample)",
            "nodes": args.sample_nodes,
            "edges": nx_edges,
            "seconds": nx_s,
            "iterations": -1,
            "peak_MiB": float("nan"),
            "us_per_edge": 1e6 * nx_s / nx_edges,
            "ratio": (nx_s / nx_edges) / (seconds / edges),
        },
        {
            "what": "networkx DiGraph build + pagerank (sample)",
            "nodes": args.sample_nodes,
            "edges": nx_edges,
            "seconds": nx_build_s + nx_s,
            "iterations": -1,
            "peak_MiB": float("nan"),
            "us_per_edge": 1e6 * (nx_build_s + nx_s) / nx_edges,
            "ratio": ((nx_build_s + nx_s) / nx_edges) / (seconds / edges),
        },
    ]
    report("trust", rows)
    print(
        "ratio: global_trust time / baseline time for the scipy rows (target <= 1.5 against the "
        "bare build + iterate); networkx time per edge / global_trust time per edge (target >= 30)."
    )


if __name__ == "__main__":
    main()
