"""Classic results the lab's reputation mechanisms must reproduce before it draws conclusions
from them: indirect reciprocity by image scoring sustains cooperation with image information
and collapses without it (Nowak & Sigmund 1998); judging people by their group's record
instead of their own cannot sustain it (Nax, Perc, Szolnoki & Helbing 2015)."""

from __future__ import annotations

import numpy as np

from sincerity.lab.reciprocity import image_scoring

SEEDS = (1, 2, 3)


def cooperation(information: str) -> list[float]:
    return [image_scoring(information, generations=120, seed=s).cooperation for s in SEEDS]  # type: ignore[arg-type]


def test_image_information_sustains_cooperation_and_its_absence_does_not() -> None:
    informed, blind = cooperation("individual"), cooperation("none")
    assert np.mean(informed) > 0.6  # discriminators take over and keep giving
    assert np.mean(blind) < 0.05  # giving blindly is exploited: cooperation collapses
    assert all(i > b + 0.3 for i, b in zip(informed, blind, strict=True))  # seed by seed


def test_group_scoring_cannot_sustain_cooperation() -> None:
    grouped, informed = cooperation("group"), cooperation("individual")
    assert np.mean(grouped) < 0.05
    assert all(g < i for g, i in zip(grouped, informed, strict=True))


def test_discriminators_are_what_sustains_it() -> None:
    result = image_scoring("individual", generations=120, seed=1)
    assert result.discriminators > 0.5 and result.defectors < 0.2
    assert len(result.per_generation) == 120
