"""The size of the lab's society and the constants of its dynamics."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Literal

from sincerity.core.errors import InvalidInputError, Problem


@dataclass(frozen=True)
class LabConfig:
    """The society's size and the dynamics' constants."""

    agents: int = 10_000
    network: Literal["small_world", "scale_free"] = "small_world"
    degree: int = 10
    rewire: float = 0.1
    epsilon: float = 0.3  # Deffuant confidence bound
    mu: float = 0.3  # Deffuant convergence rate
    contract_rate: float = 0.5  # contracts sought per agent per step
    imitation_share: float = 0.2
    kappa: float = 0.1  # selection noise of imitation
    mutation: float = 0.02
    isolation_fear: float = 0.5  # weight of a hostile climate of opinion against integrity
    sanction_fear: float = 1.0  # weight of a score sanction (per 10% of the range) on speaking
    tie_turnover: float = 0.02  # share of ties reconsidered each month (homophily)
    homophily_candidates: int = 3  # a new tie goes to the most like-minded of this many
    dating_rate: float = 0.1  # share of agents looking for a date each month
    approval_bias: float = 1.1  # baseline log-odds of approval (calibrated: docs/lab-model.md)


NETWORKS = ("small_world", "scale_free")
# The range each numeric parameter may take (inclusive): outside it the dynamics mean nothing.
BOUNDS: dict[str, tuple[float, float]] = {
    "agents": (10, 5_000_000),
    "degree": (2, 200),
    "rewire": (0.0, 1.0),
    "epsilon": (0.0, 2.0),
    "mu": (0.0, 0.5),
    "contract_rate": (0.0, 10.0),
    "imitation_share": (0.0, 1.0),
    "kappa": (1e-6, 10.0),
    "mutation": (0.0, 1.0),
    "isolation_fear": (0.0, 5.0),
    "sanction_fear": (0.0, 5.0),
    "tie_turnover": (0.0, 1.0),
    "homophily_candidates": (1, 50),
    "dating_rate": (0.0, 1.0),
    "approval_bias": (-10.0, 10.0),
}


def with_settings(config: LabConfig, assignments: Sequence[str]) -> LabConfig:
    """`config` with `key=value` assignments applied (the CLI's `--set`), or InvalidInputError
    naming every assignment that is not a parameter, not a number of the right kind, or out of
    its range."""
    defaults = {f.name: getattr(config, f.name) for f in fields(config)}
    changes: dict[str, object] = {}
    problems = []
    for text in assignments:
        key, sep, raw = (part.strip() for part in text.partition("="))
        if not sep or not key:
            problems.append(Problem("write it as key=value", "--set", field=text))
        elif key not in defaults:
            known = ", ".join(defaults)
            problems.append(Problem(f"not a lab parameter (they are: {known})", "--set", field=key))
        elif key == "network":
            if raw in NETWORKS:
                changes[key] = raw
            else:
                problems.append(
                    Problem(f"must be one of {', '.join(NETWORKS)}", "--set", field=key)
                )
        else:
            kind = type(defaults[key])
            try:
                value = kind(raw)
            except ValueError:
                problems.append(
                    Problem(
                        f"must be {'a whole number' if kind is int else 'a number'}",
                        "--set",
                        field=key,
                    )
                )
                continue
            low, high = BOUNDS[key]
            if not low <= value <= high:
                problems.append(Problem(f"must be within {low:g}..{high:g}", "--set", field=key))
            else:
                changes[key] = value
    if problems:
        raise InvalidInputError("--set: some lab parameters were refused", problems)
    return replace(config, **changes)  # type: ignore[arg-type]
