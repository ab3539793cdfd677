"""The size of the lab's society and the constants of its dynamics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
