"""Lab policies: a registry policy for obligations and ratings, plus rules that exist only in the
lab — speech, association, purchase and visibility rules and blacklists — acting on the simulated
traits of synthetic agents. The registry's own loader refuses any file that contains them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError

from sincerity.core.errors import PolicyError, Problem
from sincerity.core.policy import LAB_ONLY_KEYS, Policy, policy_from_data
from sincerity.core.strict import StrictModel


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
    article: list[str] = Field(default_factory=list, description="The article's lines it models.")


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
        return LabPolicy.model_validate(content)
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], where, None, ".".join(str(p) for p in e["loc"])) for e in exc.errors()
        ]
        raise PolicyError(f"{where}: the lab policy is not valid", problems) from None


__all__ = ["LAB_ONLY_KEYS", "LabPolicy", "lab_policy_from_data"]
