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
    factor_points: tuple[np.ndarray, ...]  # one array per factor of the spec, in its order
    tier_names: tuple[str, ...]
    factor_names: tuple[str, ...]

    @cached_property
    def subjects(self) -> list[str]:
        found: list[str] = self.subject_ids.to_pylist()
        return found

    @cached_property
    def points(self) -> np.ndarray:
        """One row per subject, one column per factor."""
        if not self.factor_points:
            return np.zeros((len(self.values), 0))
        return np.column_stack(self.factor_points)

    @cached_property
    def tiers(self) -> list[str | None]:
        """Each subject's tier name, None for a thin file."""
        names = np.array([*self.tier_names, None], dtype=object)  # -1 is the None at the end
        found: list[str | None] = names[self.tier_codes].tolist()
        return found

    def _unfold(self, codes: np.ndarray) -> np.ndarray:
        """Folded reason codes (see `compile._finish`) as rows of factor positions + 1,
        costliest first, 0 after the last."""
        base = len(self.factor_names) + 1
        narrow = np.int32 if base ** (MAX_REASONS + 1) < 2**31 else np.int64  # divides faster
        codes = codes.astype(narrow)
        return np.stack(
            [(codes // base**k % base).astype(np.int16) for k in range(MAX_REASONS)], axis=1
        )

    @cached_property
    def reason_digits(self) -> np.ndarray:
        """Each subject's reasons as factor positions + 1, costliest first, 0 after the last."""
        return self._unfold(self.reason_codes)

    @cached_property
    def reasons(self) -> list[tuple[str, ...]]:
        """Each subject's reason factors, costliest first (each distinct pattern's tuple is
        built once)."""
        distinct, inverse = np.unique(self.reason_codes, return_inverse=True)
        patterns = np.empty(len(distinct), dtype=object)
        for i, digits in enumerate(self._unfold(distinct).tolist()):
            patterns[i] = tuple(self.factor_names[d - 1] for d in digits if d)
        found: list[tuple[str, ...]] = patterns[inverse.reshape(-1)].tolist()
        return found

    def to_table(self) -> pa.Table:
        """Every subject's score as columns (subject, score, tier, reason_factors, points_*),
        built with Arrow from the codes, never per subject: tiers and reason factors are
        dictionary-encoded."""
        digits = self.reason_digits
        given = digits > 0  # reasons fill the first places
        offsets = np.concatenate(([0], np.cumsum(given.sum(axis=1)))).astype(np.int32)
        factors = pa.DictionaryArray.from_arrays(
            pa.array((digits[given] - 1).astype(np.int16)), pa.array(self.factor_names, pa.string())
        )
        thin = self.tier_codes < 0
        tiers = pa.DictionaryArray.from_arrays(
            pa.array(np.where(thin, 0, self.tier_codes).astype(np.int8), mask=thin),
            pa.array(self.tier_names, pa.string()),
        )
        columns = {
            "subject": self.subject_ids,
            "score": pa.array(self.values, mask=np.isnan(self.values)),  # a thin file: null
            "tier": tiers,
            "reason_factors": pa.ListArray.from_arrays(pa.array(offsets), factors),
        }
        columns.update(
            {f"points_{n}": p for n, p in zip(self.factor_names, self.factor_points, strict=True)}
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
        subject_ids, index = found, None
    else:
        subject_ids = pa.array(list(subjects), pa.string())
        index = pc.index_in(subject_ids, value_set=found).fill_null(-1).to_numpy()

    def column(name: str, fill: float) -> np.ndarray:
        given = table.column(name).combine_chunks()
        data: np.ndarray = (pc.fill_null(given, fill) if given.null_count else given).to_numpy()
        if index is None:  # every subject the engine saw, in its order
            return data
        values = np.full(len(index), fill, dtype=data.dtype)
        values[index >= 0] = data[index[index >= 0]]
        return values

    return BatchScores(
        subject_ids,
        column("value", np.nan),
        column("tier", -1),
        column("reasons", 0),
        tuple(column(f"p_{name}", 0.0) for name in names),
        tuple(t.name for t in policy.tiers),
        names,
    )
