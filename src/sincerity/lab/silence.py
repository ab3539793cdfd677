"""What people say versus what they think: the spiral of silence (Noelle-Neumann 1974) and
preference falsification (Kuran 1995).

Every agent holds a private opinion in [0, 1] (below 0.5: the critical camp) and, when it
speaks, expresses an opinion. It reads the climate of opinion from what its neighbours expressed
last month: the share of those who spoke on the other side of 0.5 from its own private opinion,
and the mean of what it heard. Voicing one's private opinion costs

    isolation_fear × (share heard against one) + sanction (what the system takes for it),

and is worth the agent's integrity (boldness, in [0, 1]). A speaker whose integrity covers the
cost says what it thinks; one whose does not says what it hears around it (never something the
sanction punishes). The gap between private and expressed opinion is what the lab reports.

The classic result the lab checks (`spiral_of_silence`): with fear of isolation, a minority
reads a hostile climate, voices its view less, which makes the climate more hostile still, until
its view is barely heard although just as many hold it; without that fear, what is heard is what
is held.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sincerity.lab.dynamics import neighbour_sum
from sincerity.lab.society import small_world

F32 = NDArray[np.float32]
CAMP_LINE = 0.5  # private or expressed opinion below this: the critical camp


@dataclass(frozen=True)
class Climate:
    """What each agent heard from its neighbours last month."""

    against: F32  # share of the neighbours who spoke who expressed the other camp's view
    heard: F32  # mean expressed opinion among them (the agent's own, if none spoke)


def climate(
    edges: NDArray[np.integer], private: F32, expressed: F32, spoke: NDArray[np.bool_]
) -> Climate:
    """The climate of opinion each agent perceives from its neighbours' expressions."""
    n = len(private)
    speakers = neighbour_sum(edges, spoke, n)
    critical_heard = neighbour_sum(edges, spoke & (expressed < CAMP_LINE), n)
    total_heard = neighbour_sum(edges, np.where(spoke, expressed, 0.0), n)
    anyone = speakers > 0
    critical_share = np.divide(critical_heard, speakers, out=np.zeros(n), where=anyone)
    against = np.where(private < CAMP_LINE, 1.0 - critical_share, critical_share)
    against = np.where(anyone, against, 0.0)
    heard = np.where(
        anyone, np.divide(total_heard, speakers, out=np.zeros(n), where=anyone), private
    )
    return Climate(against.astype(np.float32), heard.astype(np.float32))


def expression(
    private: F32,
    speaks: NDArray[np.bool_],
    integrity: F32,
    perceived: Climate,
    isolation_fear: float,
    sanction: F32,
    safe_floor: float,
) -> tuple[F32, NDArray[np.bool_]]:
    """What each speaker expresses, and whether it is what it thinks. `sanction` is each
    agent's expected cost of voicing its private opinion (0 where nothing punishes it);
    `safe_floor` is the lowest opinion that draws no sanction (0 when none does)."""
    cost = isolation_fear * perceived.against + sanction
    sincere = speaks & (integrity >= cost)
    conformed = np.maximum(perceived.heard, safe_floor)
    expressed: F32 = np.where(sincere, private, conformed).astype(np.float32)
    return expressed, sincere


@dataclass(frozen=True)
class SpiralResult:
    """How much of a minority's view is heard, round by round, against how many hold it."""

    held: float  # share of agents privately in the minority camp
    heard: tuple[float, ...]  # share of expressions in the minority camp, each round
    sincere_minority: float  # last round: share of the minority saying what it thinks
    sincere_majority: float


def spiral_of_silence(
    isolation_fear: float,
    minority: float = 0.4,
    agents: int = 2000,
    degree: int = 10,
    rounds: int = 30,
    seed: int = 1,
) -> SpiralResult:
    """Fixed private opinions (a `minority` share critical), everyone speaking each round,
    integrity uniform in [0, 1]: how the heard share of the minority view evolves."""
    rng = np.random.default_rng(seed)
    edges = small_world(agents, degree, 0.1, rng)
    in_minority = rng.random(agents) < minority
    private = np.where(
        in_minority, rng.uniform(0.0, CAMP_LINE, agents), rng.uniform(CAMP_LINE, 1.0, agents)
    ).astype(np.float32)
    integrity = rng.uniform(0.0, 1.0, agents).astype(np.float32)
    everyone = np.ones(agents, dtype=bool)
    no_sanction = np.zeros(agents, dtype=np.float32)
    expressed, sincere = private.copy(), everyone
    heard: list[float] = []
    for _ in range(rounds):
        perceived = climate(edges, private, expressed, everyone)
        expressed, sincere = expression(
            private, everyone, integrity, perceived, isolation_fear, no_sanction, 0.0
        )
        heard.append(float((expressed < CAMP_LINE).mean()))
    return SpiralResult(
        held=float(in_minority.mean()),
        heard=tuple(heard),
        sincere_minority=float(sincere[in_minority].mean()),
        sincere_majority=float(sincere[~in_minority].mean()),
    )
