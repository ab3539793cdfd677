"""From an engine's output — per subject: points, score, tier index and folded reason factors —
to the scores of the subjects asked for, in their order, kept as columns: a list of Python
objects per subject is built only when a caller asks for one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sincerity.core.explain import MAX_REASONS
from sincerity.core.factor_spec import FactorSpec, factor_specs
from sincerity.core.policy import Policy


@dataclass(frozen=True)
class BatchScores:
    """Scores of many subjects, in the order of `subject_ids`."""

    subject_ids: pa.Array  # strings
    values: np.ndarray  # NaN for a thin file
    tier_codes: np.ndarray  # index into tier_names; -1 for a thin file
    reason_codes: np.ndarray  # folded reason factors (see `compile._finish`)
    points: np.ndarray  # one column per factor of the spec, in its order
    tier_names: tuple[str, ...]
    factor_names: tuple[str, ...]

    @cached_property
    def subjects(self) -> list[str]:
        found: list[str] = self.subject_ids.to_pylist()
        return found

    @cached_property
    def tiers(self) -> list[str | None]:
        """Each subject's tier name, None for a thin file."""
        names = np.array([*self.tier_names, None], dtype=object)  # -1 is the None at the end
        found: list[str | None] = names[self.tier_codes].tolist()
        return found

    @cached_property
    def _patterns(self) -> tuple[list[tuple[str, ...]], np.ndarray]:
        """The distinct reason patterns, each unfolded once, and each subject's pattern."""
        base = len(self.factor_names) + 1
        distinct, inverse = np.unique(self.reason_codes, return_inverse=True)
        patterns = []
        for code in distinct.tolist():
            digits = (code // base**k % base for k in range(MAX_REASONS))
            patterns.append(tuple(self.factor_names[d - 1] for d in digits if d))
        return patterns, inverse.reshape(-1)

    @cached_property
    def reasons(self) -> list[tuple[str, ...]]:
        """Each subject's reason factors, costliest first."""
        patterns, inverse = self._patterns
        table = np.empty(len(patterns), dtype=object)
        table[:] = patterns
        found: list[tuple[str, ...]] = table[inverse].tolist()
        return found

    def to_table(self) -> pa.Table:
        """Every subject's score as columns (subject, score, tier, reason_factors, points_*),
        built with Arrow, not per subject."""
        patterns, inverse = self._patterns
        tiers = pa.array([*self.tier_names, None], pa.string())
        columns = {
            "subject": self.subject_ids,
            "score": pa.array(self.values, from_pandas=True),  # NaN (thin file) as null
            "tier": tiers.take(
                pa.array(np.where(self.tier_codes < 0, len(self.tier_names), self.tier_codes))
            ),
            "reason_factors": pa.array([list(p) for p in patterns], pa.list_(pa.string())).take(
                pa.array(inverse)
            ),
        }
        columns.update(
            {f"points_{name}": self.points[:, k] for k, name in enumerate(self.factor_names)}
        )
        return pa.table(columns)


def collect(
    table: pa.Table,
    policy: Policy,
    subjects: Sequence[str] | None = None,
    specs: tuple[FactorSpec, ...] | None = None,
) -> BatchScores:
    """The engine's scores of `subjects` (default: every subject it saw, in its order); a subject
    without any active record has a thin file."""
    names = tuple(s.name for s in specs or factor_specs(policy))
    found = table.column("subject").combine_chunks()
    if subjects is None:
        subject_ids = found
        index = np.arange(len(found), dtype=np.int64)
    else:
        subject_ids = pa.array(list(subjects), pa.string())
        index = pc.index_in(subject_ids, value_set=found).fill_null(-1).to_numpy()
    n = len(subject_ids)
    hit = index >= 0
    rows = index[hit]

    def column(name: str, fill: float) -> np.ndarray:
        data = pc.fill_null(table.column(name).combine_chunks(), fill).to_numpy()
        values = np.full(n, fill, dtype=data.dtype)
        values[hit] = data[rows]
        return values

    points = (
        np.column_stack([column(f"p_{name}", 0.0) for name in names])
        if names
        else (np.zeros((n, 0)))
    )
    return BatchScores(
        subject_ids,
        column("value", np.nan),
        column("tier", -1),
        column("reasons", 0),
        points,
        tuple(t.name for t in policy.tiers),
        names,
    )
