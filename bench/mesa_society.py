"""The lab's rules written the agent-per-object way, with Mesa, as the benchmark's baseline.

Same traits, same network, same monthly rules and the same scoring formula as
sincerity.lab.model, but one Python object per agent stepping in random order — the usual way
such models are written. Used only by bench_lab.py; not part of the package.
"""

from __future__ import annotations

import math
import random

import mesa
import numpy as np

from sincerity.core.factors import max_points
from sincerity.lab.policy import LabPolicy
from sincerity.lab.society import draw_traits, small_world

CRITIC = 0.3


class Person(mesa.Agent):
    def __init__(self, model: Society, index: int) -> None:
        super().__init__(model)
        t = model.traits
        self.index = index
        self.reliability = float(t.reliability[index])
        self.shock = float(t.shock[index])
        self.boldness = float(t.boldness[index])
        self.opinion = float(t.opinion[index])
        self.frivolity = float(t.frivolity[index])
        self.candor = self.boldness
        self.venturing = float(t.risk_appetite[index])
        self.distancing = 0.0
        self.frugality = 0.0
        self.paid = self.missed = self.kept = self.broken = self.praised = self.blamed = 0.0
        self.critical_posts = self.frivolous = self.approved = 0.0
        self.friends: set[int] = set()
        self.payoff = 0.0
        self.gain = 0.0
        self.failed_venture = False
        self.score = 600.0

    def accept(self) -> float:
        lab = self.model.lab
        if lab.registry is None:
            return 1.0
        if (
            lab.consequences.blacklist_below is not None
            and self.score < lab.consequences.blacklist_below
        ):
            return 0.0
        return (
            1 / (1 + math.exp(-(self.score - 600) / 25))
            if lab.consequences.contracts_by_score
            else 1.0
        )

    def step(self) -> None:
        rng, people, lab = self.model.random, self.model.people, self.model.lab
        self.gain = 0.0
        for name, factor in self.model.decay.items():
            setattr(self, name, getattr(self, name) * factor)
        shocked = rng.random() < self.shock
        if rng.random() < self.reliability and not shocked and not self.failed_venture:
            self.paid += 1
        else:
            self.missed += 1
            self.gain -= 0.2
        # one contract half the time, with a friend or on the market
        if rng.random() < self.model.contract_rate:
            other = (
                people[rng.choice(list(self.friends))]
                if self.friends and rng.random() < 0.5
                else rng.choice(people)
            )
            if other is not self and rng.random() < other.accept() and rng.random() < self.accept():
                mine, theirs = rng.random() < self.reliability, rng.random() < other.reliability
                self.gain += (
                    1.0 if mine and theirs else (1.5 if theirs else (-1.0 if mine else 0.0))
                )
                other.gain += (
                    1.0 if mine and theirs else (1.5 if mine else (-1.0 if theirs else 0.0))
                )
                for agent, kept in ((self, mine), (other, theirs)):
                    agent.kept += kept
                    agent.broken += not kept
                    agent.praised += kept
                    agent.blamed += not kept
        speaks = rng.random() < self.candor
        if speaks:
            self.gain += 0.2 * self.boldness
            if self.opinion < CRITIC:
                self.critical_posts += 1
            if self.friends:
                other = people[rng.choice(list(self.friends))]
                if (
                    rng.random() < other.candor
                    and abs(other.opinion - self.opinion) < self.model.epsilon
                ):
                    shift = self.model.mu * (other.opinion - self.opinion)
                    self.opinion += shift
                    other.opinion -= shift
        if lab.association_rules is not None:
            for friend in list(self.friends):
                if (
                    people[friend].critical_posts > 0.5
                    and self.critical_posts <= 0.5
                    and rng.random() < self.distancing
                ):
                    self.friends.discard(friend)
                    people[friend].friends.discard(self.index)
                    new = rng.randrange(len(people))
                    if new != self.index:
                        self.friends.add(new)
                        people[new].friends.add(self.index)
                    self.model.ties_cut += 1
                    self.gain -= 0.05
        if rng.random() < self.frivolity * (1 - self.frugality):
            self.frivolous += 1
            self.gain += 0.15
        else:
            self.approved += 1
        credit = 1.0
        if lab.registry is not None and lab.consequences.credit_by_score:
            credit = 1 / (1 + math.exp(-(self.score - 650) / 30))
        if (
            lab.consequences.blacklist_below is not None
            and self.score < lab.consequences.blacklist_below
        ):
            credit = 0.0
        self.failed_venture = False
        if rng.random() < 0.2 * self.venturing * credit:
            if rng.random() < 0.25 + 0.25 * self.reliability:
                self.gain += 3.0
            else:
                self.gain -= 1.0
                self.failed_venture = True
        self.rescore()
        self.payoff = 0.9 * self.payoff + 0.1 * self.gain
        if rng.random() < self.model.imitation and self.friends:
            teacher = people[rng.choice(list(self.friends))]
            if rng.random() < 1 / (
                1 + math.exp(-max(-50, min(50, (teacher.payoff - self.payoff) / 0.1)))
            ):
                for name in ("venturing", "distancing", "frugality"):
                    setattr(
                        self, name, min(1.0, max(0.0, getattr(teacher, name) + rng.gauss(0, 0.02)))
                    )
                if (self.opinion < 0.5) == (teacher.opinion < 0.5):
                    self.candor = min(1.0, max(0.0, teacher.candor + rng.gauss(0, 0.02)))

    def rescore(self) -> None:
        lab, caps = self.model.lab, self.model.caps
        if lab.registry is None:
            return
        f = lab.registry.factors
        critics = sum(
            1 for friend in self.friends if self.model.people[friend].critical_posts > 0.5
        )
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
        if lab.purchase_rules:
            score += (
                lab.purchase_rules.approved_bonus * self.approved
                - lab.purchase_rules.frivolous_penalty * self.frivolous
            )
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
        self.months = 0
        self.ties_cut = 0
        self.decay = {
            "critical_posts": 2 ** (-1 / 12),
            "frivolous": 2 ** (-1 / 12),
            "approved": 2 ** (-1 / 12),
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
