"""The model: a synthetic society living under a scoring policy, one month per step.

Each step agents pay or miss bills, make contracts and keep or break them (a prisoner's dilemma:
breaking while the partner keeps pays most), rate each other, speak — saying what they think or
what is safe to say —, keep, cut and make friendships, buy things, travel, date, play the
system's points game and sometimes try a risky venture. A policy scores them; scores have
consequences (contracts and credit, privileges, travel bans, visibility when seeking partners,
blacklists, status). Agents adapt by payoff-driven imitation: a share of them each step compare
their recent payoff with a neighbour's and copy the neighbour's strategies (keeping promises,
candour, venturing, distancing from critics, frugality, effort on points) with the Fermi
probability 1 / (1 + exp(-(payoff_neighbour - payoff_own) / kappa)), plus a little reflected
mutation. So a policy changes behaviour, not just scores: whether promises are kept is itself a
strategy that reputation can sustain or not (indirect reciprocity, Nowak & Sigmund 1998).
Opinions move by bounded confidence (Deffuant et al. 2000) towards what others *express*
(`silence.py`); the model is described by the ODD protocol in docs/lab-model.md.

The model owns its seeded generator; the same seed gives the same results on any machine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sincerity.core.factor_spec import factor_specs
from sincerity.core.stats import roc_auc
from sincerity.lab import metrics
from sincerity.lab.config import LabConfig
from sincerity.lab.dynamics import deffuant, degrees, disjoint_pairs, neighbour_sum, sigmoid
from sincerity.lab.policy import LabPolicy
from sincerity.lab.registry_scores import event_half_lives, registry_scores
from sincerity.lab.silence import CAMP_LINE, Climate, climate, expression
from sincerity.lab.society import draw_traits, scale_free, small_world

F32 = NDArray[np.float32]
CRITIC_OPINION = 0.3  # a post by someone this critical criticises the state enterprise
# Where on the score range partners and lenders turn willing, as shares of the range (on 300–900:
# dealing centred at 600, spread 25 points; credit centred at 650, spread 30).
ACCEPTANCE_MIDPOINT, ACCEPTANCE_SPREAD = 0.5, 25 / 600
CREDIT_MIDPOINT, CREDIT_SPREAD = 350 / 600, 30 / 600
SAMPLE = 100_000  # rank-based metrics use a fixed random sample on larger societies
NOVELTY = 0.25  # a venture is novel when its founder's view is this far from its neighbours'
# Payoffs per month (a contract kept by both is worth 1).
BILL_MISSED, SPEAKING, FALSIFYING, CUTTING_A_TIE = -0.2, 0.2, -0.1, -0.05
INDULGENCE, TRIP, DATE, POINTS_ACT, PRIVILEGE = 0.15, 0.15, 0.3, -0.1, 0.1
VENTURE_WON, NOVEL_VENTURE_WON, VENTURE_LOST = 3.0, 4.0, -1.0


@dataclass
class Ledger:
    """What the registry part of a policy sees, as decayed counts per agent."""

    paid: F32
    missed: F32
    kept: F32
    broken: F32
    praised: F32
    blamed: F32
    critical_posts: F32
    frivolous: F32
    approved: F32
    flagged: F32
    acts: F32


def reflect(values: F32) -> F32:
    """Mutated traits kept in [0, 1] by reflection at the bounds: unlike clipping, which piles
    probability on a bound, a reflected random walk has no drift inside the interval."""
    folded = np.abs(values) % 2.0
    result: F32 = np.where(folded > 1.0, 2.0 - folded, folded).astype(np.float32)
    return result


class Model:
    """A society under a policy. `step()` advances one month; `history` holds the metrics."""

    def __init__(self, policy: LabPolicy, config: LabConfig, seed: int) -> None:
        self.policy = policy
        self.config = config
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        n = config.agents
        self.n = n
        self.traits = draw_traits(n, self.rng)
        self.edges = (
            small_world(n, config.degree, config.rewire, self.rng)
            if config.network == "small_world"
            else scale_free(n, config.degree // 2, self.rng)
        )
        self.opinion = self.traits.opinion.copy()  # private; moves with what is heard
        self.expressed = self.opinion.copy()  # what each last said (what others know of it)
        self.spoke = np.zeros(n, dtype=bool)
        # Strategies, learned by imitation.
        self.keeping = self.traits.reliability.copy()
        self.candor = self.traits.boldness.copy()
        self.venturing = self.traits.risk_appetite.copy()
        self.distancing = np.zeros(n, dtype=np.float32)
        self.frugality = np.zeros(n, dtype=np.float32)
        self.effort = np.zeros(n, dtype=np.float32)
        self.ledger = Ledger(*(np.zeros(n, dtype=np.float32) for _ in range(11)))
        self.payoff = np.zeros(n, dtype=np.float32)
        self.failed_venture = np.zeros(n, dtype=bool)
        self.months = 0
        self.ties_cut = 0
        self.sample = self.rng.choice(n, SAMPLE, replace=False) if n > SAMPLE else np.arange(n)
        m = len(self.edges)  # modularity on a fixed sample of tie positions on large networks
        self.edge_sample = (
            self.rng.choice(m, 5 * SAMPLE, replace=False) if m > 5 * SAMPLE else np.arange(m)
        )
        zeros = np.zeros(n, dtype=np.float32)
        self.score = self._score(zeros, zeros)
        self.approves = self._approval(zeros)
        self.member = self._membership()
        self.score_history: list[F32] = []
        self.history: list[dict[str, float]] = []

    def _stream(self, mechanism: str) -> np.random.Generator:
        """This month's random numbers for one mechanism, drawn from (seed, mechanism, month):
        a rule that changes how many numbers one mechanism draws leaves every other
        mechanism's draws, and later months', as they were (common random numbers), so a rule's
        effect against its control is not buried in reshuffled luck."""
        return np.random.default_rng((self.seed, MECHANISMS.index(mechanism) + 1, self.months))

    # Scoring ----------------------------------------------------------------------------------

    @property
    def scored(self) -> bool:
        return self.policy.registry is not None

    def _score(self, critic_friend_share: F32, friends_shortfall: F32) -> F32:
        policy = self.policy.registry
        if policy is None:
            return np.full(self.n, np.nan, dtype=np.float32)
        led = self.ledger
        score = registry_scores(policy, led, self.months, self.n)
        lab = self.policy
        if lab.speech_rules:
            score -= lab.speech_rules.penalty_per_critical_post * led.critical_posts
        if lab.association_rules:
            score -= lab.association_rules.penalty_for_critic_friends * critic_friend_share
            score -= lab.association_rules.friends_score_weight * friends_shortfall
        if lab.purchase_rules:
            score -= lab.purchase_rules.frivolous_penalty * led.frivolous
            score += lab.purchase_rules.approved_bonus * led.approved
        if lab.place_rules:
            score -= lab.place_rules.flagged_place_penalty * led.flagged
        if lab.gamification_rules:
            score += lab.gamification_rules.points_per_act * led.acts
        clipped: F32 = np.clip(score, policy.range.min, policy.range.max).astype(np.float32)
        return clipped

    def _span(self) -> tuple[float, float]:
        assert self.policy.registry is not None
        return float(self.policy.registry.range.min), float(self.policy.registry.range.max)

    def _standing_on_range(self) -> F32:
        """Each agent's own score as a position on the range: -1 at the bottom, 1 at the top."""
        low, high = self._span()
        position: F32 = ((self.score - (low + high) / 2) / ((high - low) / 2)).astype(np.float32)
        return position

    def _seen(self) -> F32:
        """The score others deal with: one's own if one takes part, else the opt-in policy's
        stand-in for the unscored."""
        unscored = self.policy.consequences.opt_in_unscored_as
        if unscored is None:
            return self.score
        seen: F32 = np.where(self.member, self.score, np.float32(unscored)).astype(np.float32)
        return seen

    def _below(self, threshold: float | None) -> NDArray[np.bool_]:
        if threshold is None or not self.scored:
            return np.zeros(self.n, dtype=bool)
        below: NDArray[np.bool_] = self._seen() < threshold
        return below

    def _in_range(self, midpoint: float, spread: float) -> F32:
        """(seen score − the point `midpoint` of the way up the range) in units of `spread` of
        it: the same curve on any score range."""
        low, high = self._span()
        span = high - low
        result: F32 = ((self._seen() - (low + midpoint * span)) / (spread * span)).astype(
            np.float32
        )
        return result

    def _acceptance(self) -> F32:
        """How willing others are to deal with each agent, given its score."""
        accept = np.ones(self.n, dtype=np.float32)
        if self.scored and self.policy.consequences.contracts_by_score:
            accept = sigmoid(self._in_range(ACCEPTANCE_MIDPOINT, ACCEPTANCE_SPREAD))
        accept[self._below(self.policy.consequences.blacklist_below)] = 0.0
        return accept

    def _visible(self, count: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """`count` agents found when looking for a partner: at random, or in proportion to
        exp(weight × score share) under a visibility rule (a weight of 0 is no rule at all: the
        same draws as a society without one)."""
        visibility = self.policy.visibility_rules
        if visibility and visibility.status_weight > 0 and self.scored:
            low, high = self._span()
            weight = np.exp(visibility.status_weight * (self._seen() - low) / (high - low))
            found: NDArray[np.int64] = rng.choice(self.n, count, p=weight / weight.sum())
            return found
        return rng.integers(0, self.n, count)

    # One month --------------------------------------------------------------------------------

    def step(self) -> dict[str, float]:
        """Advance one month and record the metrics."""
        n, t, led = self.n, self.traits, self.ledger
        payoff = np.zeros(n, dtype=np.float32)
        self._decay()
        rng = self._stream("bills")

        # Bills: kept by those who keep their word, unless hit by a shock or a failed venture.
        shocked = rng.random(n, dtype=np.float32) < t.shock
        pays = (rng.random(n, dtype=np.float32) < self.keeping) & ~shocked & ~self.failed_venture
        led.paid += pays
        led.missed += ~pays
        payoff += BILL_MISSED * ~pays

        cooperation, contracts = self._contracts(payoff)
        heard = climate(self.edges, self.opinion, self.expressed, self.spoke)
        speaks, critics, sincere = self._speech(payoff, heard)
        self._opinions(speaks)
        critic_share, friends_shortfall, degree = self._friendships(payoff)
        frivolous = self._stream("purchases").random(n, dtype=np.float32) < t.frivolity * (
            1 - self.frugality
        )
        payoff += INDULGENCE * frivolous
        led.frivolous += frivolous
        led.approved += ~frivolous
        self._trips(payoff)
        self._dating(payoff)
        acts = self._stream("acts").random(n, dtype=np.float32) < self.effort  # the points game
        payoff += POINTS_ACT * acts
        led.acts += acts
        ventures, novel = self._ventures(payoff, degree)
        self._standing(payoff)

        self.months += 1
        self.score = self._score(critic_share, friends_shortfall)
        self.approves = self._approval(self.payoff)
        self.member = self._membership()
        self.payoff = 0.9 * self.payoff + 0.1 * payoff  # about a year of memory
        self._imitate()
        record = self._measure(speaks, critics, sincere, ventures, novel, cooperation, contracts)
        self.history.append(record)
        return record

    def _decay(self) -> None:
        led, policy = self.ledger, self.policy.registry
        if policy is not None:
            for event, half_life in event_half_lives(factor_specs(policy)).items():
                getattr(led, event).__imul__(np.float32(2.0 ** (-30.0 / half_life)))
        lab = self.policy
        memories = (
            (("critical_posts",), lab.speech_rules),
            (("frivolous", "approved"), lab.purchase_rules),
            (("flagged",), lab.place_rules),
            (("acts",), lab.gamification_rules),
        )
        for events, rules in memories:
            memory = rules.memory_steps if rules is not None else 12.0
            for event in events:
                getattr(led, event).__imul__(np.float32(2.0 ** (-1.0 / memory)))

    def _contracts(self, payoff: F32) -> tuple[float, int]:
        rng, n, cfg = self._stream("contracts"), self.n, self.config
        pairs = max(1, int(cfg.contract_rate * n))
        half = pairs // 2
        chosen = self.edges[rng.integers(0, len(self.edges), half)]
        flip = rng.random(half) < 0.5
        i = np.where(flip, chosen[:, 0], chosen[:, 1]).astype(np.int64)
        j = np.where(flip, chosen[:, 1], chosen[:, 0]).astype(np.int64)
        market_i = rng.integers(0, n, pairs - half)
        market_j = self._visible(pairs - half, self._stream("market"))
        i = np.concatenate([i, market_i])
        j = np.concatenate([j, market_j])
        distinct = i != j
        i, j = i[distinct], j[distinct]
        accept = self._acceptance()  # each side looks at the other's score first
        go = (rng.random(len(i), dtype=np.float32) < accept[j]) & (
            rng.random(len(i), dtype=np.float32) < accept[i]
        )
        i, j = i[go], j[go]
        keeps_i = rng.random(len(i), dtype=np.float32) < self.keeping[i]
        keeps_j = rng.random(len(j), dtype=np.float32) < self.keeping[j]
        # Both keep: 1 each; one breaks: the breaker 1.5 (temptation), the keeper -1 (sucker).
        gain_i = np.where(
            keeps_i & keeps_j, 1.0, np.where(~keeps_i & keeps_j, 1.5, np.where(keeps_i, -1.0, 0.0))
        )
        gain_j = np.where(
            keeps_i & keeps_j, 1.0, np.where(~keeps_j & keeps_i, 1.5, np.where(keeps_j, -1.0, 0.0))
        )
        payoff += np.bincount(i, gain_i, n).astype(np.float32) + np.bincount(j, gain_j, n).astype(
            np.float32
        )
        led = self.ledger
        led.kept += (np.bincount(i, keeps_i, n) + np.bincount(j, keeps_j, n)).astype(np.float32)
        led.broken += (np.bincount(i, ~keeps_i, n) + np.bincount(j, ~keeps_j, n)).astype(np.float32)
        led.praised += (np.bincount(j, keeps_j, n) + np.bincount(i, keeps_i, n)).astype(np.float32)
        led.blamed += (np.bincount(j, ~keeps_j, n) + np.bincount(i, ~keeps_i, n)).astype(np.float32)
        both = float((keeps_i & keeps_j).mean()) if len(i) else float("nan")
        return both, len(i)

    def _speech(
        self, payoff: F32, heard: Climate
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """Who speaks, whose post criticises the state enterprise, and who said what it thinks."""
        n, cfg = self.n, self.config
        speaks = self._stream("speech").random(n, dtype=np.float32) < self.candor
        sanction = np.zeros(n, dtype=np.float32)
        speech = self.policy.speech_rules
        safe_floor = 0.0
        if speech is not None and speech.penalty_per_critical_post > 0 and self.scored:
            low, high = self._span()
            cost = cfg.sanction_fear * speech.penalty_per_critical_post / (0.1 * (high - low))
            sanction = np.where(
                self.member & (self.opinion < CRITIC_OPINION), np.float32(cost), 0
            ).astype(np.float32)
            safe_floor = CRITIC_OPINION
        expressed, sincere = expression(
            self.opinion,
            speaks,
            self.traits.boldness,
            heard,
            cfg.isolation_fear,
            sanction,
            safe_floor,
        )
        self.expressed = np.where(speaks, expressed, self.expressed).astype(np.float32)
        self.spoke = speaks
        critics = speaks & (expressed < CRITIC_OPINION)
        self.ledger.critical_posts += critics
        # Saying what one thinks is worth one's boldness; saying what one does not, costs it.
        payoff += self.traits.boldness * (SPEAKING * sincere + FALSIFYING * (speaks & ~sincere))
        return speaks, critics, sincere

    def _opinions(self, speaks: NDArray[np.bool_]) -> None:
        """Bounded confidence among speakers, each moving towards what the other expressed."""
        rng = self._stream("opinions")
        picked = self.edges[rng.integers(0, len(self.edges), self.n // 2)].astype(np.int64)
        both = speaks[picked[:, 0]] & speaks[picked[:, 1]]
        i, j = disjoint_pairs(picked[both, 0], picked[both, 1])
        deffuant(self.opinion, i, j, self.config.epsilon, self.config.mu, heard=self.expressed)

    def _like_minded(
        self, keepers: NDArray[np.int64], rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """A new tie for each keeper: the closest in expressed opinion of a few random agents
        (homophily)."""
        k = self.config.homophily_candidates
        candidates = rng.integers(0, self.n, (len(keepers), k))
        distance = np.abs(self.expressed[candidates] - self.expressed[keepers][:, None])
        chosen: NDArray[np.int64] = candidates[np.arange(len(keepers)), distance.argmin(axis=1)]
        return chosen

    def _friendships(self, payoff: F32) -> tuple[F32, F32, NDArray[np.int64]]:
        """Ties change in every society, scored or not, so that what an association rule adds is
        the difference from its control: agents who distance themselves from critics cut ties
        to them, and a share of ties between people who disagree beyond their confidence bound
        is dropped; each cut tie is replaced by homophily. Returns each agent's share of friends
        who are recent critics, how far its friends' mean score falls below the middle of the
        range (what association rules score), and its number of ties."""
        n, rng, edges = self.n, self._stream("ties"), self.edges
        recent_critic = self.ledger.critical_posts > 0.5
        a, b = edges[:, 0], edges[:, 1]
        mixed = np.flatnonzero(recent_critic[a] != recent_critic[b])  # a critic and a non-critic
        ea, eb = a[mixed], b[mixed]
        outsider = np.where(recent_critic[eb], ea, eb)  # the non-critic end decides
        cut = rng.random(len(mixed), dtype=np.float32) < self.distancing[outsider]
        if cut.any():
            rows = mixed[cut]
            payoff += CUTTING_A_TIE * np.bincount(outsider[cut], minlength=n).astype(np.float32)
            critic_end_is_b = recent_critic[eb[cut]]
            replacement = self._like_minded(outsider[cut].astype(np.int64), rng).astype(edges.dtype)
            edges[rows[critic_end_is_b], 1] = replacement[critic_end_is_b]
            edges[rows[~critic_end_is_b], 0] = replacement[~critic_end_is_b]
            self.ties_cut += int(cut.sum())
        # Turnover: ties between people who disagree beyond the confidence bound are dropped.
        rows = rng.integers(0, len(edges), int(self.config.tie_turnover * len(edges)))
        far = np.abs(self.expressed[edges[rows, 0]] - self.expressed[edges[rows, 1]])
        rows = rows[far > self.config.epsilon]
        edges[rows, 1] = self._like_minded(edges[rows, 0].astype(np.int64), rng).astype(edges.dtype)
        degree = degrees(edges, n)
        critic_friends = neighbour_sum(edges, recent_critic, n)
        share: F32 = np.divide(critic_friends, degree, out=np.zeros(n), where=degree > 0).astype(
            np.float32
        )
        shortfall = np.zeros(n, dtype=np.float32)
        association = self.policy.association_rules
        if association is not None and association.friends_score_weight > 0 and self.scored:
            friends_sum = neighbour_sum(edges, self._seen(), n)
            mean = np.divide(friends_sum, degree, out=np.zeros(n), where=degree > 0)
            low, high = self._span()
            shortfall = np.where(degree > 0, np.maximum(0.0, (low + high) / 2 - mean), 0.0).astype(
                np.float32
            )
        return share, shortfall, degree

    def _trips(self, payoff: F32) -> None:
        """Travel and outings, some to places a censor flags; a travel ban stops them all."""
        wants = self._stream("trips").random(self.n, dtype=np.float32) < self.traits.roaming * (
            1 - self.frugality
        )
        goes = wants & ~self._below(self.policy.consequences.travel_ban_below)
        payoff += TRIP * goes
        self.ledger.flagged += goes

    def _dating(self, payoff: F32) -> None:
        """A share of agents look for a date; whom they find follows visibility."""
        rng = self._stream("dating")
        seekers = np.flatnonzero(rng.random(self.n) < self.config.dating_rate)
        found = self._visible(len(seekers), rng)
        met = seekers != found
        payoff += DATE * np.bincount(seekers[met], minlength=self.n).astype(np.float32)
        payoff += DATE * np.bincount(found[met], minlength=self.n).astype(np.float32)

    def _ventures(
        self, payoff: F32, degree: NDArray[np.int64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """Ventures need credit; a novel one (its founder's idea — its private view — is far
        from what its neighbours privately think) wins more when it succeeds."""
        rng, n = self._stream("ventures"), self.n
        credit = np.ones(n, dtype=np.float32)
        if self.scored and self.policy.consequences.credit_by_score:
            credit = sigmoid(self._in_range(CREDIT_MIDPOINT, CREDIT_SPREAD))
        credit[self._below(self.policy.consequences.blacklist_below)] = 0.0
        tries = rng.random(n, dtype=np.float32) < 0.2 * self.venturing * credit
        success = rng.random(n, dtype=np.float32) < 0.25 + 0.5 * self.traits.talent
        around = neighbour_sum(self.edges, self.opinion, n)
        mean_around = np.divide(around, degree, out=self.opinion.astype(float), where=degree > 0)
        novel = tries & (np.abs(self.opinion - mean_around) > NOVELTY)
        won = np.where(novel, NOVEL_VENTURE_WON, VENTURE_WON)
        payoff += np.where(tries & success, won, np.where(tries, VENTURE_LOST, 0.0)).astype(
            np.float32
        )
        self.failed_venture = tries & ~success
        return tries, novel

    def _standing(self, payoff: F32) -> None:
        """What a score is worth for itself: privileges above a line, and status."""
        if not self.scored:
            return
        consequences = self.policy.consequences
        if consequences.privileges_above is not None:
            payoff += PRIVILEGE * (self._seen() >= consequences.privileges_above)
        if consequences.status_value > 0:
            face = self._standing_on_range()
            payoff += (consequences.status_value * face * self.member).astype(np.float32)

    def _approval(self, payoff: F32) -> NDArray[np.bool_]:
        """Who approves of the scoring system: more likely for those it favours (a higher
        score, a better-off life) and for those who think well of the state; the rest is each
        agent's fixed temper. Calibrated on Kostka (2019): docs/lab-model.md."""
        if not self.scored:
            return np.zeros(self.n, dtype=bool)
        standing = self._standing_on_range()
        log_odds = self.config.approval_bias + 2.0 * (self.opinion - 0.5) + standing + 0.25 * payoff
        approves: NDArray[np.bool_] = self.traits.temper < sigmoid(log_odds.astype(np.float32))
        return approves

    def _membership(self) -> NDArray[np.bool_]:
        """Who takes part: everyone, or under opt-in those who approve."""
        if self.policy.consequences.opt_in_unscored_as is None:
            return np.ones(self.n, dtype=bool)
        return self.approves.copy()

    def _imitate(self) -> None:
        rng, cfg = self._stream("imitation"), self.config
        count = int(cfg.imitation_share * self.n)
        ties = self.edges[rng.integers(0, len(self.edges), count)].astype(np.int64)
        flip = rng.random(count) < 0.5
        learner = np.where(flip, ties[:, 0], ties[:, 1])
        teacher = np.where(flip, ties[:, 1], ties[:, 0])
        advantage = (self.payoff[teacher] - self.payoff[learner]) / cfg.kappa
        copy = rng.random(count) < 1.0 / (1.0 + np.exp(-np.clip(advantage, -50, 50)))
        learner, teacher = learner[copy], teacher[copy]
        strategies = (self.keeping, self.venturing, self.distancing, self.frugality, self.effort)
        for strategy in strategies:
            noise = rng.normal(0.0, cfg.mutation, len(learner)).astype(np.float32)
            strategy[learner] = reflect(strategy[teacher] + noise)
        # Whether to speak up is learned from people who think alike: a critic learns from how
        # speaking went for other critics, not for those who praise.
        alike = (self.opinion[learner] < CAMP_LINE) == (self.opinion[teacher] < CAMP_LINE)
        learner, teacher = learner[alike], teacher[alike]
        noise = rng.normal(0.0, cfg.mutation, len(learner)).astype(np.float32)
        self.candor[learner] = reflect(self.candor[teacher] + noise)

    # Metrics ----------------------------------------------------------------------------------

    def _measure(
        self,
        speaks: NDArray[np.bool_],
        critics: NDArray[np.bool_],
        sincere: NDArray[np.bool_],
        ventures: NDArray[np.bool_],
        novel: NDArray[np.bool_],
        cooperation: float,
        contracts: int,
    ) -> dict[str, float]:
        s = self.sample
        outspoken = self.traits.boldness > 0.5
        critical = self.opinion < CRITIC_OPINION
        speakers = max(1, int(speaks.sum()))
        record: dict[str, float] = {
            "step": float(self.months),
            "hidden_opinion_share": float((~speaks).mean()),
            "outspoken_silent_share": float((~speaks & outspoken).sum() / max(1, outspoken.sum())),
            "critics_speaking_share": float((speaks & critical).sum() / max(1, critical.sum())),
            "critics_voicing_share": float((critics & critical).sum() / max(1, critical.sum())),
            "falsifying_share": float((speaks & ~sincere).sum() / speakers),
            "private_expressed_gap": float(
                np.abs(self.opinion - self.expressed)[speaks].sum() / speakers
            ),
            "opinion_entropy": metrics.entropy(self.opinion),
            "expressed_entropy": metrics.entropy(self.expressed[speaks]),
            "opinion_clusters": float(metrics.clusters(self.opinion[s])),
            "ties_cut_to_critics": float(self.ties_cut),
            "network_modularity": metrics.modularity(
                self.edges,
                np.digitize(self.opinion, [CRITIC_OPINION, 1 - CRITIC_OPINION]).astype(np.int64),
            ),
            "keeping_mean": float(self.keeping.mean()),
            "effort_mean": float(self.effort.mean()),
            "venture_rate": float(ventures.mean()),
            "novel_venture_rate": float(novel.mean()),
            "cooperation_rate": cooperation,
            "contracts_per_agent": contracts / self.n,
            "mean_payoff": float(self.payoff.mean()),
            "payoff_spread": float(
                np.percentile(self.payoff[s], 90) - np.percentile(self.payoff[s], 10)
            ),
        }
        if self.policy.registry is None:
            for name in SCORE_METRICS:
                record[name] = float("nan")
            return record
        score = self.score[s]
        record["mean_score"] = float(score.mean())
        record["score_gini"] = metrics.gini(score - self.policy.registry.range.min)
        self.score_history.append(score.copy())
        past = self.score_history[-13] if len(self.score_history) > 12 else None
        record["score_mobility"] = (
            float("nan") if past is None else 1.0 - metrics.rank_correlation(past, score)
        )
        keeping = self.keeping[s]
        record["score_auc_reliability"] = roc_auc(score, keeping >= np.median(keeping))
        honest = keeping >= 0.8
        # One line for every preset, from the registry policy: below its second tier (whatever
        # a preset's own blacklist), so presets are compared on the same definition.
        punished_below = self.policy.registry.tiers[1].min_score
        record["honest_punished_share"] = float(
            (score[honest] < punished_below).sum() / max(1, honest.sum())
        )
        record["member_share"] = float(self.member.mean())
        record["approval_share"] = float(self.approves.mean())
        # Kostka (2019): approval is higher among the better-off; here the top and bottom
        # quarters by payoff.
        payoff = self.payoff[s]
        top, bottom = np.percentile(payoff, [75, 25])
        approves = self.approves[s]
        record["approval_gap"] = float(approves[payoff >= top].mean()) - float(
            approves[payoff <= bottom].mean()
        )
        if len(self.score_history) > 13:
            self.score_history.pop(0)
        return record

    def run(
        self, steps: int, progress: Callable[[int], None] | None = None
    ) -> list[dict[str, float]]:
        """Run `steps` months; returns the metrics of each."""
        for _ in range(steps):
            self.step()
            if progress is not None:
                progress(1)
        return self.history


# Each has its own random stream (Model._stream).
MECHANISMS = (
    "bills",
    "contracts",
    "market",
    "speech",
    "opinions",
    "ties",
    "purchases",
    "trips",
    "dating",
    "acts",
    "ventures",
    "imitation",
)
# Metrics that exist only where there is a score.
SCORE_METRICS = (
    "mean_score",
    "score_gini",
    "score_mobility",
    "score_auc_reliability",
    "honest_punished_share",
    "member_share",
    "approval_share",
    "approval_gap",
)
