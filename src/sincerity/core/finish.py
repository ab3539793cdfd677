"""The last step of scoring, vectorised over many subjects: from each factor's points to the
score, the tier and the reason factors — the same rules as `score`, for the batch engines."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sincerity.core.explain import MAX_REASONS
from sincerity.core.factor_spec import FactorSpec, factor_specs, reason_threshold, spec_max_points
from sincerity.core.policy import Policy

FloatArray = NDArray[np.float64]


def finish(
    policy: Policy,
    points: FloatArray,
    n_active: NDArray[np.int64],
    span_days: NDArray[np.int64],
    specs: tuple[FactorSpec, ...] | None = None,
) -> tuple[FloatArray, list[str | None], list[tuple[str, ...]]]:
    """Scores (NaN for a thin file), tier names (None for a thin file) and reason factors.

    `points` has one row per subject and one column per factor of the spec, in its order.
    """
    specs = specs or factor_specs(policy)
    names = tuple(s.name for s in specs)
    maxima = spec_max_points(policy, specs)
    caps = np.array([maxima[name] for name in names])
    thin = (n_active < policy.thin_file.min_records) | (
        span_days < policy.thin_file.min_history_days
    )
    total = np.zeros(len(points))
    for column in range(points.shape[1]):  # in factor order, as math.fsum would add them
        total = total + points[:, column]
    value = np.clip(policy.range.min + total, policy.range.min, policy.range.max)
    value[thin] = np.nan
    mins = np.array([t.min_score for t in policy.tiers], dtype=np.float64)
    tier_index = np.searchsorted(mins, np.nan_to_num(value, nan=-np.inf), side="right") - 1
    tier_names = np.array([t.name for t in policy.tiers] + [None], dtype=object)
    tiers: list[str | None] = tier_names[np.where(thin, len(policy.tiers), tier_index)].tolist()
    span = policy.range.max - policy.range.min
    lost = caps[None, :] - points
    threshold = np.array([reason_threshold(cap, span) for cap in caps])
    eligible = (lost >= threshold[None, :]) & (lost > 0)
    name_rank = np.broadcast_to(np.argsort(np.argsort(np.array(names))), lost.shape)
    order = np.lexsort((name_rank, -np.where(eligible, lost, -np.inf)), axis=1)[:, :MAX_REASONS]
    chosen = np.take_along_axis(eligible, order, axis=1) & ~thin[:, None]
    codes = np.where(chosen, order, -1)
    # Few distinct reason patterns exist: fold each row into one number (base len(FACTORS)+1),
    # build each pattern's tuple once, then look rows up.
    base = len(names) + 1
    keys = ((codes + 1) * (base ** np.arange(codes.shape[1]))).sum(axis=1)
    ordered = np.sort(keys)
    distinct = (
        ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))] if len(keys) else ordered
    )
    tuples = [
        tuple(
            names[int(key) // base**k % base - 1]
            for k in range(codes.shape[1])
            if int(key) // base**k % base
        )
        for key in distinct
    ]
    reasons = [tuples[i] for i in np.searchsorted(distinct, keys).tolist()]
    return value, tiers, reasons
