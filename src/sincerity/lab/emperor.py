"""Self-enforcing unpopular norms: "The Emperor's Dilemma" (Centola, Willer & Macy 2005).

A few true believers hold a norm (behaviour 1); everyone else privately rejects it (belief −1)
with a conviction S drawn from (0, 0.38]. Each agent sees only its neighbours. With pressure P =
the neighbours' mean enforcement *against* one's belief and K the cost of enforcing:

- an agent complies falsely (behaves against its belief) when P > S;
- a false complier also enforces the norm, to prove its sincerity, when P > S + K;
- a sincere agent enforces its own belief when S × W > K, W being the share of neighbours whose
  behaviour differs from that belief;
- true believers (S = 1) always comply and enforce wherever anyone deviates.

The classic results: on a lattice with the believers clustered together, false compliance and
false enforcement cascade until most disbelievers comply with a norm almost nobody holds; in a
fully connected population the same few believers cannot start a cascade. The lab's society
uses the same idea for speech (expressing the approved view because neighbours police it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Topology = Literal["lattice", "full"]
ENFORCEMENT_COST = 0.125
MAX_DISBELIEVER_CONVICTION = 0.38


@dataclass(frozen=True)
class EmperorResult:
    """Where the population ended: who complies with and who enforces the unpopular norm."""

    false_compliance: float  # share of disbelievers who comply with the norm
    false_enforcement: float  # share of disbelievers who enforce it
    believers: float
    sweeps: int


def lattice_neighbours(side: int) -> NDArray[np.int64]:
    """The Moore neighbourhood (8 neighbours) of each cell of a side × side torus."""
    rows, cols = np.divmod(np.arange(side * side), side)
    shifts = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]
    return np.stack(
        [((rows + dr) % side) * side + (cols + dc) % side for dr, dc in shifts], axis=1
    ).astype(np.int64)


def emperors_dilemma(
    topology: Topology,
    side: int = 32,
    believer_share: float = 0.05,
    cost: float = ENFORCEMENT_COST,
    sweeps: int = 40,
    seed: int = 1,
) -> EmperorResult:
    """Run the model on a side × side population: a torus lattice with the believers in one
    clustered block ("lattice"), or everyone seeing everyone ("full"). Agents update one at a
    time in random order until a sweep changes nothing or `sweeps` have run."""
    rng = np.random.default_rng(seed)
    n = side * side
    believer = np.zeros(n, dtype=bool)
    block = round(float(np.sqrt(believer_share * n)))
    if topology == "lattice":  # a clustered block of believers in one corner
        rows, cols = np.divmod(np.arange(n), side)
        believer[(rows < block) & (cols < block)] = True
    else:
        believer[rng.choice(n, block * block, replace=False)] = True
    belief = np.where(believer, 1, -1)
    conviction = np.where(
        believer, 1.0, rng.uniform(0.0, MAX_DISBELIEVER_CONVICTION, n) + 1e-9
    ).astype(float)
    comply = belief.copy()  # everyone starts by acting on their belief, enforcing nothing
    enforce = np.zeros(n, dtype=np.int64)
    neighbours = None if topology == "full" else lattice_neighbours(side)
    total_enforce, total_comply = 0, int(comply.sum())
    done = 0
    for done in range(1, sweeps + 1):  # noqa: B007 - how many ran is reported
        changed = False
        for i in rng.permutation(n):
            if neighbours is None:  # everyone else is a neighbour
                seen_enforce = (total_enforce - enforce[i]) / (n - 1)
                seen_comply = (total_comply - comply[i]) / (n - 1)
            else:
                seen_enforce = enforce[neighbours[i]].mean()
                seen_comply = comply[neighbours[i]].mean()
            pressure = -belief[i] * seen_enforce
            new_comply = -belief[i] if pressure > conviction[i] else belief[i]
            deviants = (1 - belief[i] * seen_comply) / 2
            if new_comply != belief[i] and pressure > conviction[i] + cost:
                new_enforce = -belief[i]
            elif new_comply == belief[i] and conviction[i] * deviants > cost:
                new_enforce = belief[i]
            else:
                new_enforce = 0
            if new_comply != comply[i] or new_enforce != enforce[i]:
                changed = True
                total_comply += new_comply - comply[i]
                total_enforce += new_enforce - enforce[i]
                comply[i], enforce[i] = new_comply, new_enforce
        if not changed:
            break
    disbelievers = ~believer
    return EmperorResult(
        false_compliance=float((comply[disbelievers] == 1).mean()),
        false_enforcement=float((enforce[disbelievers] == 1).mean()),
        believers=float(believer.mean()),
        sweeps=done,
    )
