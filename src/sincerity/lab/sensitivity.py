"""Global sensitivity: which model parameters drive each headline outcome, by Morris's
elementary-effects screening (Morris 1991; Campolongo et al. 2007's μ*), with SALib.

Every run uses the same seed (common random numbers), so an elementary effect is the change a
parameter makes, not seed noise; μ* is reported with its bootstrap confidence half-width."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

import numpy as np

from sincerity.lab.config import LabConfig
from sincerity.lab.model import Model
from sincerity.lab.policy import LabPolicy

# The range each parameter is screened over: plausible values, narrower than what --set allows.
SCREENED: dict[str, tuple[float, float]] = {
    "degree": (4, 20),
    "rewire": (0.0, 0.5),
    "epsilon": (0.1, 0.5),
    "mu": (0.1, 0.5),
    "contract_rate": (0.2, 1.0),
    "imitation_share": (0.05, 0.4),
    "kappa": (0.05, 0.5),
    "mutation": (0.005, 0.05),
    "isolation_fear": (0.0, 1.0),
    "sanction_fear": (0.0, 2.0),
    "tie_turnover": (0.0, 0.05),
    "homophily_candidates": (1, 6),
    "dating_rate": (0.0, 0.3),
    "approval_bias": (0.0, 2.0),
}
HEADLINE = (
    "keeping_mean",
    "cooperation_rate",
    "critics_voicing_share",
    "private_expressed_gap",
    "opinion_entropy",
    "novel_venture_rate",
    "mean_payoff",
    "payoff_spread",
    "honest_punished_share",
    "approval_share",
)
LEVELS = 4


@dataclass(frozen=True)
class Influence:
    """One parameter's Morris statistics for one outcome."""

    outcome: str
    parameter: str
    mu_star: float  # mean absolute elementary effect, in the outcome's units per full range
    mu_star_conf: float  # bootstrap 95% half-width of mu_star
    sigma: float  # spread of the effects: interactions or non-linearity


def config_at(base: LabConfig, point: Sequence[float]) -> LabConfig:
    """The configuration at one sampled point (whole-number parameters rounded)."""
    kinds = {f.name: f.type for f in fields(base)}
    values: dict[str, float | int] = {}
    for name, value in zip(SCREENED, point, strict=True):
        values[name] = round(value) if kinds[name] in (int, "int") else float(value)
    return replace(base, **values)  # type: ignore[arg-type]


def morris(
    policy: LabPolicy,
    base: LabConfig,
    steps: int,
    trajectories: int = 10,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Influence], int]:
    """Screen every parameter of SCREENED for every HEADLINE outcome at the last month;
    returns the influences and how many runs it took."""
    from SALib.analyze import morris as analyze
    from SALib.sample import morris as sample

    problem = {
        "num_vars": len(SCREENED),
        "names": list(SCREENED),
        "bounds": [list(bounds) for bounds in SCREENED.values()],
    }
    points = sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    base = policy.configured(base)
    outcomes = np.zeros((len(points), len(HEADLINE)))
    for row, point in enumerate(points):
        last = Model(policy, config_at(base, point), seed).run(steps)[-1]
        outcomes[row] = [last[name] for name in HEADLINE]
        if progress is not None:
            progress(1)
    found: list[Influence] = []
    for column, outcome in enumerate(HEADLINE):
        values = outcomes[:, column]
        if np.isnan(values).any():  # an outcome this policy has not (no score: no approval)
            continue
        result = analyze.analyze(
            problem, points, values, num_levels=LEVELS, seed=seed, print_to_console=False
        )
        for index, name in enumerate(SCREENED):
            found.append(
                Influence(
                    outcome,
                    name,
                    float(result["mu_star"][index]),
                    float(result["mu_star_conf"][index]),
                    float(result["sigma"][index]),
                )
            )
    return found, len(points)


def drivers(influences: Sequence[Influence], outcome: str, top: int = 3) -> list[Influence]:
    """The parameters that move `outcome` most, by μ*."""
    ranked = sorted((i for i in influences if i.outcome == outcome), key=lambda i: -i.mu_star)
    return ranked[:top]
