"""Indirect reciprocity by image scoring (Nowak & Sigmund 1998), and its group-scoring variant
(Nax, Perc, Szolnoki & Helbing 2015): the lab's check that a reputation mechanism does what the
literature says before the lab draws conclusions from one.

Each generation, random donor–recipient pairs play the donation game: a donor who gives pays
`cost`, the recipient gains `benefit`. A donor with threshold k gives when it sees the
recipient's reputation at or above k (k = -5 gives to everyone, k = 6 to no one). Giving raises
the donor's image score by one, refusing lowers it (kept in [-5, 5]). What a donor sees:

- "individual": the recipient's own image score (image information);
- "none": an image score of a random other agent (no information about the recipient);
- "group": the mean image score of the recipient's group (judged by the company one keeps).

Strategies reproduce in proportion to payoff, with rare mutation. The classic results: with
image information discriminators sustain cooperation; without it, and under group scoring,
cooperation collapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Information = Literal["individual", "none", "group"]
THRESHOLDS = np.arange(-5, 7)  # -5: always give; 6: never give


@dataclass(frozen=True)
class ReciprocityResult:
    """The share of donations made in the last generations, and the final strategy mix."""

    cooperation: float
    discriminators: float  # thresholds in [-4, 0]: give to those with a fair image only
    defectors: float  # thresholds 1 to 6: give only to a good image, or never
    per_generation: tuple[float, ...]


def image_scoring(
    information: Information,
    agents: int = 100,
    generations: int = 300,
    rounds: int = 1000,
    benefit: float = 1.0,
    cost: float = 0.1,
    mutation: float = 0.01,
    group_size: int = 10,
    seed: int = 1,
) -> ReciprocityResult:
    """Run the image-scoring model and report cooperation over the last fifth of generations."""
    rng = np.random.default_rng(seed)
    strategy = rng.choice(THRESHOLDS, agents)
    groups = np.arange(agents) // group_size
    shares: list[float] = []
    for _ in range(generations):
        image = np.zeros(agents, dtype=np.int64)
        payoff = np.zeros(agents)
        gave = 0
        donors = rng.integers(0, agents, rounds)
        recipients = (donors + rng.integers(1, agents, rounds)) % agents  # never oneself
        for donor, recipient in zip(donors, recipients, strict=True):
            if information == "individual":
                seen = float(image[recipient])
            elif information == "group":
                seen = float(image[groups == groups[recipient]].mean())
            else:
                seen = float(image[rng.integers(0, agents)])
            if seen >= strategy[donor]:
                payoff[donor] -= cost
                payoff[recipient] += benefit
                image[donor] = min(5, image[donor] + 1)
                gave += 1
            else:
                image[donor] = max(-5, image[donor] - 1)
        shares.append(gave / rounds)
        fitness = payoff - payoff.min() + 1e-9
        strategy = strategy[rng.choice(agents, agents, p=fitness / fitness.sum())]
        mutants = rng.random(agents) < mutation
        strategy[mutants] = rng.choice(THRESHOLDS, int(mutants.sum()))
    tail = shares[-max(1, generations // 5) :]
    return ReciprocityResult(
        cooperation=float(np.mean(tail)),
        discriminators=float(((strategy >= -4) & (strategy <= 0)).mean()),
        defectors=float((strategy >= 1).mean()),
        per_generation=tuple(shares),
    )
