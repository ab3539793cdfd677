"""Classic results the lab's reputation mechanisms must reproduce before it draws conclusions
from them: indirect reciprocity by image scoring sustains cooperation with image information
and collapses without it (Nowak & Sigmund 1998); judging people by their group's record
instead of their own cannot sustain it (Nax, Perc, Szolnoki & Helbing 2015); an unpopular norm
enforced by a few clustered believers cascades on a lattice and not in a fully connected
population (Centola, Willer & Macy 2005); fear of isolation silences a minority in a spiral
(Noelle-Neumann 1974) and opens a gap between held and expressed opinion (Kuran 1995). The
fourth, bounded confidence (Deffuant et al. 2000), is checked in test_lab.py."""

from __future__ import annotations

import numpy as np

from sincerity.lab.emperor import emperors_dilemma
from sincerity.lab.reciprocity import image_scoring
from sincerity.lab.silence import spiral_of_silence

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


def test_an_unpopular_norm_cascades_on_a_lattice_but_not_when_everyone_sees_everyone() -> None:
    for seed in SEEDS:
        local = emperors_dilemma("lattice", seed=seed)
        crowd = emperors_dilemma("full", seed=seed)
        assert local.believers < 0.06  # a norm almost nobody holds...
        assert local.false_compliance > 0.8  # ...that most comply with,
        assert local.false_enforcement > 0.7  # and enforce on others, on a lattice
        # Everyone seeing everyone: only those whose conviction is below the believers' share
        # comply (about 0.05 / 0.38 of them), and nobody enforces what they do not believe.
        assert crowd.false_compliance < 0.25
        assert crowd.false_enforcement == 0.0


def test_fear_of_isolation_silences_a_minority_in_a_spiral() -> None:
    for seed in SEEDS:
        feared = spiral_of_silence(isolation_fear=1.0, seed=seed)
        fearless = spiral_of_silence(isolation_fear=0.0, seed=seed)
        assert abs(fearless.heard[-1] - fearless.held) < 1e-9  # heard is held
        # The minority's view is heard less and less although nobody changed their mind...
        assert feared.heard[0] < feared.held - 0.03
        assert feared.heard[-1] < feared.heard[0] - 0.03
        assert all(b <= a + 0.01 for a, b in zip(feared.heard, feared.heard[1:], strict=False))
        # ...because the minority, not the majority, stops saying what it thinks.
        assert feared.sincere_minority < feared.sincere_majority - 0.3
