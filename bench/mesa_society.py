"""The lab's rules written the agent-per-object way, with Mesa, as the benchmark's baseline.

Same traits, same network, the same monthly rules (bills, contracts as a prisoner's dilemma
with keeping as a learned strategy, speech with a private and an expressed opinion under the
climate of opinion and the sanction, bounded confidence towards what is heard, distancing and
homophilous rewiring, purchases, trips, dating, the points game, ventures, privileges, status,
approval and opt-in, imitation) and the same scoring formula as sincerity.lab.model, but one
Python object per agent stepping in random order — the usual way such models are written.
Used only by bench_lab.py; not part of the package.
"""

from __future__ import annotations

import math
import random

import mesa
import numpy as np

from sincerity.core.factors import max_points
from sincerity.lab.policy import LabPolicy
from sincerity.lab.society import draw_traits, small_world

CRITIC, CAMP, NOVELTY = 0.3, 0.5, 0.25
STRATEGIES = ("keeping", "venturing", "distancing", "frugality", "effort")


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, x))))


class Person(mesa.Agent):
    def __init__(self, model: Society, index: int) -> None:
        super().__init__(model)
        t = model.traits
        self.index = index
        self.keeping = float(t.reliability[index])
        self.shock = float(t.shock[index])
        self.boldness = float(t.boldness[index])
        self.opinion = float(t.opinion[index])
        self.expressed = self.opinion
        self.spoke = False
        self.frivolity = float(t.frivolity[index])
        self.roaming = float(t.roaming[index])
        self.talent = float(t.talent[index])
        self.temper = float(t.temper[index])
        self.candor = self.boldness
        self.venturing = float(t.risk_appetite[index])
        self.distancing = self.frugality = self.effort = 0.0
        self.paid = self.missed = self.kept = self.broken = self.praised = self.blamed = 0.0
        self.critical_posts = self.frivolous = self.approved = self.flagged = self.acts = 0.0
        self.friends: set[int] = set()
        self.payoff = 0.0
        self.gain = 0.0
        self.failed_venture = False
        self.score = 600.0
        self.member = True
        self.approves = True

    # What others see of this agent -------------------------------------------------------------

    def seen(self) -> float:
        unscored = self.model.lab.consequences.opt_in_unscored_as
        return self.score if unscored is None or self.member else unscored

    def below(self, threshold: float | None) -> bool:
        return (
            threshold is not None
            and self.model.lab.registry is not None
            and (self.seen() < threshold)
        )

    def accept(self) -> float:
        lab = self.model.lab
        if lab.registry is None:
            return 1.0
        if self.below(lab.consequences.blacklist_below):
            return 0.0
        return logistic((self.seen() - 600) / 25) if lab.consequences.contracts_by_score else 1.0

    def visible_other(self) -> Person:
        """A partner found on the market: by visibility under a visibility rule."""
        people, lab, rng = self.model.people, self.model.lab, self.model.random
        rules = lab.visibility_rules
        if rules and rules.status_weight > 0 and lab.registry is not None:
            while True:  # rejection sampling on exp(weight × score share)
                other = rng.choice(people)
                share = (other.seen() - 300) / 600
                if rng.random() < math.exp(rules.status_weight * (share - 1)):
                    return other
        return rng.choice(people)

    # One month -----------------------------------------------------------------------------

    def step(self) -> None:
        rng, lab, model = self.model.random, self.model.lab, self.model
        self.gain = 0.0
        for name, factor in model.decay.items():
            setattr(self, name, getattr(self, name) * factor)
        shocked = rng.random() < self.shock
        if rng.random() < self.keeping and not shocked and not self.failed_venture:
            self.paid += 1
        else:
            self.missed += 1
            self.gain -= 0.2
        self.contract()
        heard_against, heard_mean = self.climate()
        self.speak(heard_against, heard_mean)
        self.friendships()
        if rng.random() < self.frivolity * (1 - self.frugality):
            self.frivolous += 1
            self.gain += 0.15
        else:
            self.approved += 1
        if rng.random() < self.roaming * (1 - self.frugality) and not self.below(
            lab.consequences.travel_ban_below
        ):
            self.flagged += 1
            self.gain += 0.15
        if rng.random() < model.dating_rate:
            other = self.visible_other()
            if other is not self:
                self.gain += 0.3
                other.gain += 0.3
        if rng.random() < self.effort:
            self.acts += 1
            self.gain -= 0.1
        self.venture()
        self.standing()
        self.rescore()
        self.attitude()
        self.payoff = 0.9 * self.payoff + 0.1 * self.gain
        self.imitate()

    def contract(self) -> None:
        rng, people = self.model.random, self.model.people
        if rng.random() >= self.model.contract_rate:
            return
        other = (
            people[rng.choice(list(self.friends))]
            if self.friends and rng.random() < 0.5
            else self.visible_other()
        )
        if other is self or rng.random() >= other.accept() or rng.random() >= self.accept():
            return
        mine, theirs = rng.random() < self.keeping, rng.random() < other.keeping
        self.gain += 1.0 if mine and theirs else (1.5 if theirs else (-1.0 if mine else 0.0))
        other.gain += 1.0 if mine and theirs else (1.5 if mine else (-1.0 if theirs else 0.0))
        for agent, kept in ((self, mine), (other, theirs)):
            agent.kept += kept
            agent.broken += not kept
            agent.praised += kept
            agent.blamed += not kept

    def climate(self) -> tuple[float, float]:
        people = self.model.people
        heard = [people[f].expressed for f in self.friends if people[f].spoke]
        if not heard:
            return 0.0, self.opinion
        critical = sum(1 for h in heard if h < CAMP) / len(heard)
        against = 1 - critical if self.opinion < CAMP else critical
        return against, sum(heard) / len(heard)

    def speak(self, against: float, heard: float) -> None:
        rng, lab, model = self.model.random, self.model.lab, self.model
        self.spoke = rng.random() < self.candor
        if not self.spoke:
            return
        sanction, floor = 0.0, 0.0
        if lab.speech_rules and lab.speech_rules.penalty_per_critical_post > 0 and lab.registry:
            floor = CRITIC
            if self.member and self.opinion < CRITIC:
                sanction = model.sanction_fear * lab.speech_rules.penalty_per_critical_post / 60
        sincere = self.boldness >= model.isolation_fear * against + sanction
        self.expressed = self.opinion if sincere else max(heard, floor)
        self.gain += self.boldness * (0.2 if sincere else -0.1)
        if self.expressed < CRITIC:
            self.critical_posts += 1
        if self.friends:
            other = model.people[self.model.random.choice(list(self.friends))]
            if other.spoke:
                for a, b in ((self, other), (other, self)):
                    if abs(a.opinion - b.expressed) < model.epsilon:
                        a.opinion += model.mu * (b.expressed - a.opinion)

    def like_minded(self) -> int:
        rng, people = self.model.random, self.model.people
        candidates = [rng.randrange(len(people)) for _ in range(self.model.homophily)]
        return min(candidates, key=lambda c: abs(people[c].expressed - self.expressed))

    def rewire(self, friend: int) -> None:
        people = self.model.people
        self.friends.discard(friend)
        people[friend].friends.discard(self.index)
        new = self.like_minded()
        if new != self.index:
            self.friends.add(new)
            people[new].friends.add(self.index)

    def friendships(self) -> None:
        rng, people, model = self.model.random, self.model.people, self.model
        for friend in list(self.friends):
            other = people[friend]
            if (
                other.critical_posts > 0.5
                and self.critical_posts <= 0.5
                and rng.random() < self.distancing
            ):
                self.rewire(friend)
                model.ties_cut += 1
                self.gain -= 0.05
            elif (
                rng.random() < model.tie_turnover
                and abs(other.expressed - self.expressed) > model.epsilon
            ):
                self.rewire(friend)

    def venture(self) -> None:
        rng, lab = self.model.random, self.model.lab
        credit = 1.0
        if lab.registry is not None and lab.consequences.credit_by_score:
            credit = logistic((self.seen() - 650) / 30)
        if self.below(lab.consequences.blacklist_below):
            credit = 0.0
        self.failed_venture = False
        if rng.random() < 0.2 * self.venturing * credit:
            people = self.model.people
            around = (
                sum(people[f].opinion for f in self.friends) / len(self.friends)
                if self.friends
                else self.opinion
            )
            novel = abs(self.opinion - around) > NOVELTY
            if rng.random() < 0.25 + 0.5 * self.talent:
                self.gain += 4.0 if novel else 3.0
            else:
                self.gain -= 1.0
                self.failed_venture = True

    def standing(self) -> None:
        c = self.model.lab.consequences
        if self.model.lab.registry is None:
            return
        if c.privileges_above is not None and self.seen() >= c.privileges_above:
            self.gain += 0.1
        if c.status_value > 0 and self.member:
            self.gain += c.status_value * (self.score - 600) / 300

    def attitude(self) -> None:
        lab = self.model.lab
        if lab.registry is None:
            return
        standing = (self.score - 600) / 300
        log_odds = (
            self.model.approval_bias + 2 * (self.opinion - 0.5) + standing + 0.25 * self.payoff
        )
        self.approves = self.temper < logistic(log_odds)
        self.member = lab.consequences.opt_in_unscored_as is None or self.approves

    def imitate(self) -> None:
        rng, people = self.model.random, self.model.people
        if rng.random() >= self.model.imitation or not self.friends:
            return
        teacher = people[rng.choice(list(self.friends))]
        if rng.random() >= logistic((teacher.payoff - self.payoff) / 0.1):
            return
        for name in STRATEGIES:
            value = abs(getattr(teacher, name) + rng.gauss(0, 0.02)) % 2
            setattr(self, name, 2 - value if value > 1 else value)
        if (self.opinion < CAMP) == (teacher.opinion < CAMP):
            value = abs(teacher.candor + rng.gauss(0, 0.02)) % 2
            self.candor = 2 - value if value > 1 else value

    def rescore(self) -> None:
        lab, caps, people = self.model.lab, self.model.caps, self.model.people
        if lab.registry is None:
            return
        f = lab.registry.factors
        critics = sum(1 for friend in self.friends if people[friend].critical_posts > 0.5)
        share = critics / len(self.friends) if self.friends else 0.0
        score = (
            lab.registry.range.min
            + caps["payment_history"]
            * (self.paid + 1)
            / (self.paid + f.payment_history.severity.missed * self.missed + 2)
            + caps["contract_fulfilment"]
            * (self.kept + 1)
            / (self.kept + f.contract_fulfilment.breach_severity * self.broken + 2)
            + caps["counterparty_ratings"]
            * (self.praised + 1)
            / (self.praised + f.counterparty_ratings.negative_weight * self.blamed + 2)
            + caps["judgments"]
            + caps["verified_identity"]
            + caps["history_length"]
            * min(1.0, self.model.months / (12 * f.history_length.full_after_years))
        )
        if lab.speech_rules:
            score -= lab.speech_rules.penalty_per_critical_post * self.critical_posts
        if lab.association_rules:
            score -= lab.association_rules.penalty_for_critic_friends * share
            if lab.association_rules.friends_score_weight > 0 and self.friends:
                mean = sum(people[f].seen() for f in self.friends) / len(self.friends)
                score -= lab.association_rules.friends_score_weight * max(0.0, 600 - mean)
        if lab.purchase_rules:
            score += (
                lab.purchase_rules.approved_bonus * self.approved
                - lab.purchase_rules.frivolous_penalty * self.frivolous
            )
        if lab.place_rules:
            score -= lab.place_rules.flagged_place_penalty * self.flagged
        if lab.gamification_rules:
            score += lab.gamification_rules.points_per_act * self.acts
        self.score = min(lab.registry.range.max, max(lab.registry.range.min, score))


class Society(mesa.Model):
    def __init__(self, lab: LabPolicy, agents: int, seed: int) -> None:
        super().__init__(seed=seed)
        self.lab = lab
        generator = np.random.default_rng(seed)
        self.traits = draw_traits(agents, generator)
        self.people = [Person(self, i) for i in range(agents)]
        for a, b in small_world(agents, 10, 0.1, generator):
            self.people[int(a)].friends.add(int(b))
            self.people[int(b)].friends.add(int(a))
        self.caps = max_points(lab.registry) if lab.registry else {}
        self.contract_rate, self.epsilon, self.mu, self.imitation = 0.5, 0.3, 0.3, 0.2
        self.isolation_fear, self.sanction_fear, self.tie_turnover = 0.5, 1.0, 0.02
        self.homophily, self.dating_rate, self.approval_bias = 3, 0.1, 1.1
        self.months = 0
        self.ties_cut = 0
        self.decay = {
            name: 2 ** (-1 / 12)
            for name in ("critical_posts", "frivolous", "approved", "flagged", "acts")
        }
        if lab.registry:
            f = lab.registry.factors
            for names, half_life in (
                (("paid", "missed"), f.payment_history.half_life_days),
                (("kept", "broken"), f.contract_fulfilment.half_life_days),
                (("praised", "blamed"), f.counterparty_ratings.half_life_days),
            ):
                for name in names:
                    self.decay[name] = 2 ** (-30 / half_life)
        random.seed(seed)

    def step(self) -> None:
        self.agents.shuffle_do("step")
        self.months += 1
