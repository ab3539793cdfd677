"""The classic results the lab's mechanisms must reproduce before it draws conclusions from
them, each as one outcome per seed and the threshold that counts as reproducing it. Run by
`sincerity lab classics`; the unit tests check these and more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sincerity.lab import metrics
from sincerity.lab.dynamics import bounded_confidence
from sincerity.lab.emperor import emperors_dilemma
from sincerity.lab.reciprocity import image_scoring
from sincerity.lab.silence import spiral_of_silence


@dataclass(frozen=True)
class Classic:
    """One condition of a classic model and the result the literature reports for it."""

    model: str
    condition: str
    claim: str
    outcome: str
    measure: Callable[[int], float]  # seed -> outcome
    reproduced: Callable[[float], bool]  # mean over seeds -> does it match the claim?
    threshold: str


def _minority_heard(fear: float) -> Callable[[int], float]:
    def heard_over_held(seed: int) -> float:
        result = spiral_of_silence(isolation_fear=fear, seed=seed)
        return result.heard[-1] / result.held

    return heard_over_held


CLASSICS: tuple[Classic, ...] = (
    Classic(
        "Indirect reciprocity (Nowak & Sigmund 1998)",
        "donors see the recipient's image score",
        "discriminators sustain cooperation",
        "share of donations made",
        lambda seed: image_scoring("individual", generations=120, seed=seed).cooperation,
        lambda mean: mean > 0.6,
        "> 0.6",
    ),
    Classic(
        "Indirect reciprocity (Nowak & Sigmund 1998)",
        "no information about the recipient",
        "cooperation collapses",
        "share of donations made",
        lambda seed: image_scoring("none", generations=120, seed=seed).cooperation,
        lambda mean: mean < 0.05,
        "< 0.05",
    ),
    Classic(
        "Group scoring (Nax, Perc, Szolnoki & Helbing 2015)",
        "donors see the recipient's group's mean image",
        "cooperation mostly collapses (a rare seed holds some)",
        "share of donations made",
        lambda seed: image_scoring("group", generations=120, seed=seed).cooperation,
        lambda mean: mean < 0.2,
        "< 0.2",
    ),
    Classic(
        "The Emperor's Dilemma (Centola, Willer & Macy 2005)",
        "5% believers clustered on a lattice",
        "false compliance cascades",
        "disbelievers complying",
        lambda seed: emperors_dilemma("lattice", seed=seed).false_compliance,
        lambda mean: mean > 0.7,
        "> 0.7",
    ),
    Classic(
        "The Emperor's Dilemma (Centola, Willer & Macy 2005)",
        "5% believers, everyone sees everyone",
        "no cascade",
        "disbelievers complying",
        lambda seed: emperors_dilemma("full", seed=seed).false_compliance,
        lambda mean: mean < 0.25,
        "< 0.25",
    ),
    Classic(
        "Spiral of silence (Noelle-Neumann 1974; Kuran 1995)",
        "40% minority, fear of isolation 1",
        "the minority's view is heard far less than it is held",
        "heard ÷ held, after 30 rounds",
        _minority_heard(1.0),
        lambda mean: mean < 0.8,
        "< 0.8",
    ),
    Classic(
        "Spiral of silence (Noelle-Neumann 1974; Kuran 1995)",
        "40% minority, no fear of isolation",
        "what is heard is what is held",
        "heard ÷ held, after 30 rounds",
        _minority_heard(0.0),
        lambda mean: abs(mean - 1.0) < 0.01,
        "1 ± 0.01",
    ),
    Classic(
        "Bounded confidence (Deffuant et al. 2000)",
        "confidence bound 0.7",
        "consensus: one cluster",
        "opinion clusters",
        lambda seed: float(metrics.clusters(bounded_confidence(2000, 0.7, 300, seed), 0.02, 0.02)),
        lambda mean: mean == 1.0,
        "= 1",
    ),
    Classic(
        "Bounded confidence (Deffuant et al. 2000)",
        "confidence bound 0.15",
        "about 1 / (2 × 0.15) clusters",
        "opinion clusters",
        lambda seed: float(metrics.clusters(bounded_confidence(2000, 0.15, 400, seed), 0.02, 0.02)),
        lambda mean: abs(mean - 1 / 0.3) <= 1.0,
        "3.3 ± 1",
    ),
)
