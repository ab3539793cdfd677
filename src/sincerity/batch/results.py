"""From an engine's per-subject factor points to scores, tiers and reasons for every subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sincerity.core.factor_spec import FactorSpec, factor_specs
from sincerity.core.finish import finish
from sincerity.core.policy import Policy


@dataclass(frozen=True)
class BatchScores:
    """Scores of many subjects, in the order of `subjects`."""

    subjects: list[str]
    values: np.ndarray
    tiers: list[str | None]
    reasons: list[tuple[str, ...]]
    points: np.ndarray  # one column per factor of the spec, in its order


def collect(
    table: pa.Table,
    policy: Policy,
    subjects: Sequence[str] | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> BatchScores:
    """Finish the engine's output; subjects without any active record get a thin file."""
    names = [s.name for s in specs or factor_specs(policy)]
    found = table.column("subject").to_pylist()
    order = list(subjects) if subjects is not None else found
    n = len(order)
    points = np.zeros((n, len(names)))
    n_active = np.zeros(n, dtype=np.int64)
    span = np.zeros(n, dtype=np.int64)
    columns = [table.column(f"p_{name}").to_numpy(zero_copy_only=False) for name in names]
    active = table.column("n_active").to_numpy(zero_copy_only=False)
    spans = table.column("span_days").to_numpy(zero_copy_only=False)
    if subjects is None:  # every subject the engine saw, in its order
        index = np.arange(n, dtype=np.int64)
    else:
        position = {s: i for i, s in enumerate(found)}
        index = np.array([position.get(s, -1) for s in order], dtype=np.int64)
    hit = index >= 0
    for k, column in enumerate(columns):
        points[hit, k] = column[index[hit]]
    n_active[hit] = active[index[hit]]
    span[hit] = spans[index[hit]]
    values, tiers, reasons = finish(policy, points, n_active, span, specs)
    return BatchScores(order, values, tiers, reasons, points)
