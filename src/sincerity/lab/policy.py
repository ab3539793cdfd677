"""Lab policies: a registry policy for obligations and ratings, plus rules that exist only in the
lab — speech, association, purchase and visibility rules and blacklists — acting on the simulated
traits of synthetic agents. The registry's own loader refuses any file that contains them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from sincerity.core.errors import InvalidInputError, PolicyError, Problem
from sincerity.core.policy import LAB_ONLY_KEYS, Policy, policy_from_data
from sincerity.core.strict import StrictModel
from sincerity.lab.config import LabConfig, with_settings

# The run's size is chosen on the command line, not in a policy.
RUN_SIZE_KEYS = ("agents", "network")


class Consequences(StrictModel):
    """What a score does to an agent's life."""

    contracts_by_score: bool = False  # counterparties shy away from low scores
    credit_by_score: bool = False  # credit (loans) for a new venture depends on the score
    blacklist_below: float | None = None  # below this, no contracts and no credit at all
    # Above this: deposit-free rentals and fast-track visas, worth a little every month.
    privileges_above: float | None = None
    travel_ban_below: float | None = None  # below this, no travel and no flagged venues
    # The score as status ("face"): a month at the top of the range is worth this much payoff
    # for itself (and the bottom costs as much), so people chase points.
    status_value: float = Field(default=0, ge=0)
    # Opt-in (Sesame Credit's pilot): only those who approve of the system join; the rest are
    # dealt with as if their score were `unscored_as`. Null: everyone is scored.
    opt_in_unscored_as: float | None = None


class SpeechRules(StrictModel):
    """Points lost per recent critical post (criticism of a state enterprise)."""

    penalty_per_critical_post: float = Field(ge=0)
    memory_steps: float = Field(default=12, gt=0)


class AssociationRules(StrictModel):
    """Points lost in proportion to the share of one's friends who are critics, and for each
    point by which one's friends' mean score falls below the middle of the range."""

    penalty_for_critic_friends: float = Field(ge=0)
    friends_score_weight: float = Field(default=0, ge=0)


class PurchaseRules(StrictModel):
    """Judgements on what is bought: frivolous purchases cost points, approved ones earn them."""

    frivolous_penalty: float = Field(ge=0)
    approved_bonus: float = Field(ge=0)
    memory_steps: float = Field(default=12, gt=0)


class PlaceRules(StrictModel):
    """Judgements on where one goes: points lost per recent visit to a flagged place (a venue or
    destination the system disapproves of)."""

    flagged_place_penalty: float = Field(ge=0)
    memory_steps: float = Field(default=12, gt=0)


class VisibilityRules(StrictModel):
    """Status-based visibility: business and dating partners are found in proportion to
    exp(weight × score share)."""

    status_weight: float = Field(ge=0)


class GamificationRules(StrictModel):
    """Points for score-raising acts (volunteering, approved purchases made for the points):
    agents who spend effort on them earn this much per recent act."""

    points_per_act: float = Field(ge=0)
    memory_steps: float = Field(default=12, gt=0)


class LabPolicy(StrictModel):
    """A policy the lab can run. `registry` is None for the `none` preset (no scoring)."""

    name: str
    description: str = ""
    registry: Policy | None
    consequences: Consequences = Consequences()
    speech_rules: SpeechRules | None = None
    association_rules: AssociationRules | None = None
    purchase_rules: PurchaseRules | None = None
    place_rules: PlaceRules | None = None
    visibility_rules: VisibilityRules | None = None
    gamification_rules: GamificationRules | None = None
    # The model's parameters (`sincerity lab params`), over their defaults.
    model: dict[str, float | int] = Field(default_factory=dict)
    article: list[str] = Field(default_factory=list, description="The article's lines it models.")

    def configured(self, config: LabConfig) -> LabConfig:
        """`config` with this policy's model parameters applied."""
        return with_settings(config, [f"{key}={value}" for key, value in self.model.items()])


def lab_policy_from_data(
    data: Mapping[str, Any], registry_policies: Mapping[str, Policy], where: str = "<lab policy>"
) -> LabPolicy:
    """Validate a lab policy. `registry` names a registry policy (a key of `registry_policies`),
    is an inline registry policy, or is null."""
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: a lab policy must be a mapping")
    content = dict(data)
    registry = content.get("registry")
    if isinstance(registry, str):
        if registry not in registry_policies:
            raise PolicyError(
                f"{where}: no registry policy named {registry!r}",
                [
                    Problem(
                        f"known: {', '.join(sorted(registry_policies))}", where, field="registry"
                    )
                ],
            )
        content["registry"] = registry_policies[registry]
    elif isinstance(registry, Mapping):
        content["registry"] = policy_from_data(registry, f"{where} (registry part)")
    try:
        policy = LabPolicy.model_validate(content)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], where, None, ".".join(str(p) for p in e["loc"])) for e in exc.errors()
        ]
        raise PolicyError(f"{where}: the lab policy is not valid", problems) from None
    problems = [
        Problem(
            "the run's size is set on the command line (--agents, --network)",
            where,
            None,
            f"model.{k}",
        )
        for k in RUN_SIZE_KEYS
        if k in policy.model
    ]
    try:
        policy.model_copy(
            update={"model": {k: v for k, v in policy.model.items() if k not in RUN_SIZE_KEYS}}
        ).configured(LabConfig())
    except InvalidInputError as exc:
        problems += [Problem(p.message, where, None, f"model.{p.field}") for p in exc.problems]
    if problems:
        raise PolicyError(f"{where}: the lab policy's model parameters are not valid", problems)
    return policy


def _value(raw: str) -> Any:
    """A --set value as JSON where it reads as JSON (numbers, true, null), else as text."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def with_policy_settings(policy: LabPolicy, assignments: Sequence[str]) -> LabPolicy:
    """`policy` with `--set` assignments applied: `key=value` sets a model parameter,
    `section.field=value` a rule or consequence (`speech_rules.penalty_per_critical_post=10`).
    Raises InvalidInputError naming every assignment refused."""
    model = dict(policy.model)
    sections: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for text in assignments:
        key, sep, raw = (part.strip() for part in text.partition("="))
        head, dot, field = key.partition(".")
        if not sep or not key:
            problems.append(Problem("write it as key=value", "--set", field=text))
        elif not dot:
            model[key] = _value(raw)
        elif head not in LabPolicy.model_fields or head in ("name", "registry", "model"):
            problems.append(Problem("not a section of a lab policy", "--set", field=key))
        elif getattr(policy, head) is None:
            problems.append(
                Problem(f"{policy.name} has no {head}: add it to a policy file", "--set", field=key)
            )
        else:
            sections.setdefault(head, {})[field] = _value(raw)
    changes: dict[str, Any] = {}
    for head, values in sections.items():
        current: BaseModel = getattr(policy, head)
        try:
            changes[head] = type(current).model_validate({**current.model_dump(), **values})
        except ValidationError as exc:
            problems += [
                Problem(e["msg"], "--set", field=f"{head}.{'.'.join(str(p) for p in e['loc'])}")
                for e in exc.errors()
            ]
    size = [k for k in RUN_SIZE_KEYS if k in model]
    for key in size:
        del model[key]
    changed = policy.model_copy(update={**changes, "model": model})
    try:
        changed.configured(LabConfig())
    except InvalidInputError as exc:
        problems += exc.problems
    problems += [
        Problem("set the run's size with --agents or --network", "--set", field=k) for k in size
    ]
    if problems:
        raise InvalidInputError("--set: some lab settings were refused", problems)
    return changed


__all__ = ["LAB_ONLY_KEYS", "LabPolicy", "lab_policy_from_data"]
