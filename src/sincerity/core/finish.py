"""The last step of scoring, vectorised over many subjects: from each factor's points to the
score, the tier and the reason factors — the same rules as `score`, for the batch engines."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sincerity.core.explain import MAX_REASONS
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES, Policy

FloatArray = NDArray[np.float64]


def finish(
    policy: Policy, points: FloatArray, n_active: NDArray[np.int64], span_days: NDArray[np.int64]
) -> tuple[FloatArray, list[str | None], list[tuple[str, ...]]]:
    """Scores (NaN for a thin file), tier names (None for a thin file) and reason factors.

    `points` has one row per subject and one column per factor, in FACTOR_NAMES order.
    """
    caps = np.array([max_points(policy)[name] for name in FACTOR_NAMES])
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
    tiers: list[str | None] = [
        None if is_thin else policy.tiers[int(i)].name
        for i, is_thin in zip(tier_index, thin, strict=True)
    ]
    span = policy.range.max - policy.range.min
    lost = caps[None, :] - points
    eligible = (lost >= np.maximum(0.05 * caps, 0.01 * span)[None, :]) & (lost > 0)
    name_rank = np.broadcast_to(np.argsort(np.argsort(np.array(FACTOR_NAMES))), lost.shape)
    order = np.lexsort((name_rank, -np.where(eligible, lost, -np.inf)), axis=1)
    reasons: list[tuple[str, ...]] = []
    for row in range(len(points)):
        if thin[row]:
            reasons.append(())
            continue
        chosen = [FACTOR_NAMES[c] for c in order[row] if eligible[row, c]][:MAX_REASONS]
        reasons.append(tuple(chosen))
    return value, tiers, reasons
