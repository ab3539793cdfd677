"""The registry part of a lab policy, scored by the registry's own factor spec.

The agents keep decayed counts of events a registry would see (bills paid or missed, contracts
kept or broken, ratings given them); each event counts as the record it stands for would, through
the same tallies, ladders and forms as a real subject's records (`core/factor_spec.py`). Nothing
about the score range or the factors is written here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sincerity.core.factor_spec import (
    FactorSpec,
    event_weight,
    factor_specs,
    quality_columns,
    spec_max_points,
)
from sincerity.core.policy import Policy

# What the agents do that a registry would see, as the record each event stands for.
LAB_EVENTS: dict[str, dict[str, object]] = {
    "paid": {"kind": "payment", "status": "on_time", "days_late": 0},
    "missed": {"kind": "payment", "status": "missed", "days_late": 0},
    "kept": {"kind": "contract", "status": "fulfilled"},
    "broken": {"kind": "contract", "status": "breached"},
    "praised": {"kind": "rating", "rating": 10},
    "blamed": {"kind": "rating", "rating": -10},
}


def event_half_lives(specs: tuple[FactorSpec, ...]) -> dict[str, float]:
    """How fast each event's count fades: the half-life of the tally that reads it."""
    found: dict[str, float] = {}
    for event, prototype in LAB_EVENTS.items():
        for tally in (t for spec in specs for t in spec.tallies):
            if tally.half_life_days and event_weight(tally, prototype) is not None:
                found.setdefault(event, tally.half_life_days)
    return found


def registry_scores(policy: Policy, ledger: Any, months: int, n: int) -> NDArray[np.floating]:
    """Every agent's registry score from its event counts (a lab agent has no judgments, and its
    identity is known; its history is as long as the run)."""
    specs = factor_specs(policy)
    sums = {
        tally.name: sum(
            (
                np.float32(weight) * getattr(ledger, event)
                for event, prototype in LAB_EVENTS.items()
                if (weight := event_weight(tally, prototype)) is not None
            ),
            np.zeros(n, dtype=np.float32),
        )
        for spec in specs
        for tally in spec.tallies
    }
    flags = {flag.name: np.ones(n, dtype=np.float32) for spec in specs for flag in spec.flags}
    years = np.full(n, months / 12.0, dtype=np.float32)
    caps = spec_max_points(policy, specs)
    weights = np.array([caps[spec.name] for spec in specs], dtype=np.float32)
    scores: NDArray[np.float64] = (
        policy.range.min + quality_columns(specs, sums, flags, years) @ weights
    )
    return scores
