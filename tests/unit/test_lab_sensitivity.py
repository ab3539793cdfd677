"""Morris screening names what moves an outcome, and only that: a parameter the policy never
uses has no effect at all (the runs share their seed), and one that drives an outcome does."""

from __future__ import annotations

from sincerity.lab import LabConfig, load_lab_policy
from sincerity.lab.sensitivity import HEADLINE, SCREENED, drivers, morris
from sincerity.policies import shipped_policy

REGISTRIES = {"default": shipped_policy()}


def test_a_parameter_the_policy_never_uses_has_no_effect_and_a_used_one_does() -> None:
    none = load_lab_policy("none", REGISTRIES)  # no speech sanction, no score to approve of
    found, runs = morris(none, LabConfig(agents=300), steps=24, trajectories=2)
    assert runs == 2 * (len(SCREENED) + 1)
    by = {(i.outcome, i.parameter): i for i in found}
    for outcome in HEADLINE:
        if (outcome, "sanction_fear") in by:
            assert by[(outcome, "sanction_fear")].mu_star == 0.0
            assert by[(outcome, "approval_bias")].mu_star == 0.0
    # Fear of isolation is what opens the gap between what people think and what they say.
    assert drivers(found, "private_expressed_gap", top=1)[0].parameter == "isolation_fear"
    # Outcomes that need a score are left out where there is none.
    assert not any(i.outcome == "approval_share" for i in found)
