"""Findings with controls: what one lab rule does is the difference between a run with it and
the same run (same preset, same seeds) with its penalty at 0, with a bootstrap 95% interval
over the paired seeds. A rule whose penalty is 0 draws the same random numbers as no rule, so
the control differs from the treated run by the rule alone."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sincerity.lab.config import LabConfig
from sincerity.lab.policy import LabPolicy
from sincerity.lab.run import METRICS, bootstrap_interval, run_presets

# Each lab rule and the penalties that switch it off when set to 0.
RULE_PENALTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "speech": ("speech_rules", ("penalty_per_critical_post",)),
    "association": ("association_rules", ("penalty_for_critic_friends", "friends_score_weight")),
    "purchase": ("purchase_rules", ("frivolous_penalty", "approved_bonus")),
    "place": ("place_rules", ("flagged_place_penalty",)),
    "visibility": ("visibility_rules", ("status_weight",)),
    "gamification": ("gamification_rules", ("points_per_act",)),
}


@dataclass(frozen=True)
class Effect:
    """What one rule does to one metric at the last month: treated − control, paired by seed."""

    preset: str
    rule: str
    metric: str
    effect: float
    low: float
    high: float
    treated: float
    control: float
    seeds: int


def rules_in(policy: LabPolicy) -> list[str]:
    """The lab rules the policy applies with a penalty that is not 0."""
    found = []
    for rule, (field, penalties) in RULE_PENALTIES.items():
        rules = getattr(policy, field)
        if rules is not None and any(getattr(rules, p) != 0 for p in penalties):
            found.append(rule)
    return found


def scaled(policy: LabPolicy, rule: str, factor: float) -> LabPolicy:
    """The same policy with `rule`'s penalties multiplied by `factor` (0: the control)."""
    field, penalties = RULE_PENALTIES[rule]
    rules = getattr(policy, field)
    if rules is None:
        raise ValueError(f"{policy.name} has no {rule} rule")
    changed = rules.model_copy(update={p: float(getattr(rules, p)) * factor for p in penalties})
    name = (
        f"{policy.name} without {rule} penalty"
        if factor == 0
        else f"{policy.name} with {rule} penalty x{factor:g}"
    )
    return policy.model_copy(update={field: changed, "name": name})


def without(policy: LabPolicy, rule: str) -> LabPolicy:
    """The control: the same policy with `rule`'s penalties at 0 (and a name that says so)."""
    return scaled(policy, rule, 0.0)


def _last_by_seed(rows: Sequence[dict[str, float | str]]) -> dict[float, dict[str, float | str]]:
    last: dict[float, dict[str, float | str]] = {}
    for row in rows:
        seed = float(row["seed"])
        if seed not in last or float(row["step"]) >= float(last[seed]["step"]):
            last[seed] = row
    return last


@dataclass(frozen=True)
class Paired:
    """One metric of a treated run against its control, seed by seed."""

    treated: float
    control: float
    effect: float
    low: float
    high: float
    seeds: int


def paired(
    treated: dict[float, dict[str, float | str]], control: dict[float, dict[str, float | str]]
) -> list[tuple[str, Paired]]:
    """Every metric both runs measured: means, the mean paired difference and its bootstrap
    interval (seeds where either is undefined are left out)."""
    out = []
    for metric in METRICS:
        pairs = [
            (float(treated[s][metric]), float(control[s][metric]))
            for s in treated
            if s in control
            and not math.isnan(float(treated[s][metric]))
            and not math.isnan(float(control[s][metric]))
        ]
        if not pairs:
            continue
        diffs = [t - c for t, c in pairs]
        low, high = bootstrap_interval(diffs)
        out.append(
            (
                metric,
                Paired(
                    float(np.mean([t for t, _ in pairs])),
                    float(np.mean([c for _, c in pairs])),
                    float(np.mean(diffs)),
                    low,
                    high,
                    len(pairs),
                ),
            )
        )
    return out


def rule_effects(
    policy: LabPolicy,
    config: LabConfig,
    steps: int,
    seeds: Sequence[int],
    rules: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Effect]:
    """Each rule's effect on every metric: the policy against its control, on the same seeds."""
    chosen = list(rules) if rules is not None else rules_in(policy)
    return contrasts(policy, controls_for(policy, chosen), config, steps, seeds, progress)


def controls_for(policy: LabPolicy, rules: Sequence[str]) -> dict[str, LabPolicy]:
    """Each rule's control, by rule: the policy with that rule's penalties at 0."""
    return {rule: without(policy, rule) for rule in rules}


def contrasts(
    policy: LabPolicy,
    controls: Mapping[str, LabPolicy],
    config: LabConfig,
    steps: int,
    seeds: Sequence[int],
    progress: Callable[[int], None] | None = None,
) -> list[Effect]:
    """The policy against each control (labelled by its key) on every metric, paired by seed:
    a rule switched off, or any consequence changed (`with_policy_settings`)."""
    treated = _last_by_seed(run_presets([policy], config, steps, seeds, progress))
    effects: list[Effect] = []
    for label, control_policy in controls.items():
        control = _last_by_seed(run_presets([control_policy], config, steps, seeds, progress))
        for metric, compared in paired(treated, control):
            effects.append(
                Effect(
                    preset=policy.name,
                    rule=label,
                    metric=metric,
                    effect=compared.effect,
                    low=compared.low,
                    high=compared.high,
                    treated=compared.treated,
                    control=compared.control,
                    seeds=compared.seeds,
                )
            )
    return effects


@dataclass(frozen=True)
class DosePoint:
    """One metric at one dose of a rule: its mean, and its effect against dose 0 (paired)."""

    rule: str
    dose: float
    metric: str
    mean: float
    effect: float
    low: float
    high: float
    seeds: int


def dose_response(
    policy: LabPolicy,
    rule: str,
    doses: Sequence[float],
    config: LabConfig,
    steps: int,
    seeds: Sequence[int],
    progress: Callable[[int], None] | None = None,
) -> list[DosePoint]:
    """The rule's penalties scaled by each dose (1 = the preset's own), each run on the same
    seeds; every dose is compared with dose 0, the control."""
    runs = {
        dose: _last_by_seed(
            run_presets([scaled(policy, rule, dose)], config, steps, seeds, progress)
        )
        for dose in sorted({0.0, *doses})
    }
    control = runs[0.0]
    points: list[DosePoint] = []
    for dose, last in runs.items():
        for metric, compared in paired(last, control):
            points.append(
                DosePoint(
                    rule,
                    dose,
                    metric,
                    compared.treated,
                    compared.effect,
                    compared.low,
                    compared.high,
                    compared.seeds,
                )
            )
    return points
