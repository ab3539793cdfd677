"""The graph step: global trust over every rating in the registry, stored for the scorer.

Credibilities are recomputed (warm-started from the last run) by a full rescore and by any
ingest batch that brings ratings; a rater absent from the stored result counts nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime

import numpy as np
from sqlalchemy import Connection

from sincerity.core.policy import Policy
from sincerity.core.reputation import (
    TrustResult,
    default_seeds,
    global_trust,
    rating_graph,
    retaliation_factors,
    trust_params,
)
from sincerity.db import repo

log = logging.getLogger("sincerity.trust")


@dataclass(frozen=True)
class TrustRun:
    """What a graph step did."""

    nodes: int
    ratings: int
    seeds: int
    iterations: int
    damped_ratings: int


def refresh_trust(conn: Connection, policy: Policy, as_of: date, now: datetime) -> TrustRun:
    """Recompute every rater's credibility and the damped ratings, and store them."""
    rows = repo.rating_rows(conn, as_of)
    record_ids, raters, targets, ratings, days = [], [], [], [], []
    for record_id, subject, body in rows:
        data = json.loads(body)
        record_ids.append(record_id)
        raters.append(data["rater"])
        targets.append(subject)
        ratings.append(float(data["rating"]))
        days.append(float(date.fromisoformat(data["occurred_on"]).toordinal()))
    verified = repo.verified_subjects(conn, as_of)
    graph = rating_graph(raters, targets, ratings, days, float(as_of.toordinal()))
    params = trust_params(policy)
    seeds = default_seeds(graph, verified)
    result: TrustResult = global_trust(graph, params, seeds, warm_start=repo.stored_trust(conn))
    factors = retaliation_factors(graph, params)
    damped_rows = [
        {"record_id": record_ids[graph.source_index[e]], "factor": float(factors[e])}
        for e in np.flatnonzero(factors < 1)
    ]
    trust_rows = [
        {"node_id": node, "trust": float(t), "credibility": float(c), "computed_at": now}
        for node, t, c in zip(result.nodes, result.trust, result.credibility, strict=True)
    ]
    repo.replace_trust(conn, trust_rows, damped_rows)
    run = TrustRun(graph.size, len(record_ids), len(seeds), result.iterations, len(damped_rows))
    log.info("global trust recomputed", extra=asdict(run))
    return run
