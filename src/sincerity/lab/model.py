"""The model: a synthetic society living under a scoring policy, one month per step.

Each step agents pay or miss bills, make contracts and keep or break them, rate each other,
speak their opinion or stay silent, keep or cut friendships, buy things and sometimes try a risky
venture. A policy scores them; scores have consequences (access to contracts and credit,
visibility when seeking partners, blacklists). Agents adapt by payoff-driven imitation: a share
of them each step compare their recent payoff with a neighbour's and copy the neighbour's
strategies (candour, venturing, distancing from critics, frugality) with the Fermi probability
1 / (1 + exp(-(payoff_neighbour - payoff_own) / kappa)), plus a little mutation. So a policy
changes behaviour, not just scores. Opinions move by bounded confidence (Deffuant et al. 2000)
among those who speak.

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
from sincerity.lab.dynamics import deffuant, disjoint_pairs, sigmoid
from sincerity.lab.policy import LabPolicy
from sincerity.lab.registry_scores import event_half_lives, registry_scores
from sincerity.lab.society import draw_traits, scale_free, small_world

F32 = NDArray[np.float32]
CRITIC_OPINION = 0.3  # a post by someone this critical criticises the state enterprise
# Where on the score range partners and lenders turn willing, as shares of the range (on 300–900:
# dealing centred at 600, spread 25 points; credit centred at 650, spread 30).
ACCEPTANCE_MIDPOINT, ACCEPTANCE_SPREAD = 0.5, 25 / 600
CREDIT_MIDPOINT, CREDIT_SPREAD = 350 / 600, 30 / 600
SAMPLE = 100_000  # rank-based metrics use a fixed random sample on larger societies


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
        self.opinion = self.traits.opinion.copy()  # moves with speech; traits keep the initial
        self.candor = self.traits.boldness.copy()
        self.venturing = self.traits.risk_appetite.copy()
        self.distancing = np.zeros(n, dtype=np.float32)
        self.frugality = np.zeros(n, dtype=np.float32)
        self.ledger = Ledger(*(np.zeros(n, dtype=np.float32) for _ in range(9)))
        self.payoff = np.zeros(n, dtype=np.float32)
        self.failed_venture = np.zeros(n, dtype=bool)
        self.months = 0
        self.ties_cut = 0
        self.sample = self.rng.choice(n, SAMPLE, replace=False) if n > SAMPLE else np.arange(n)
        m = len(self.edges)  # modularity on a fixed sample of tie positions on large networks
        self.edge_sample = (
            self.rng.choice(m, 5 * SAMPLE, replace=False) if m > 5 * SAMPLE else np.arange(m)
        )
        self.score = self._score(np.zeros(n, dtype=np.float32))
        self.score_history: list[F32] = []
        self.history: list[dict[str, float]] = []

    # Scoring ----------------------------------------------------------------------------------

    def _score(self, critic_friend_share: F32) -> F32:
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
        if lab.purchase_rules:
            score -= lab.purchase_rules.frivolous_penalty * led.frivolous
            score += lab.purchase_rules.approved_bonus * led.approved
        clipped: F32 = np.clip(score, policy.range.min, policy.range.max).astype(np.float32)
        return clipped

    def _blacklisted(self) -> NDArray[np.bool_]:
        threshold = self.policy.consequences.blacklist_below
        if threshold is None or self.policy.registry is None:
            return np.zeros(self.n, dtype=bool)
        return self.score < threshold

    def _in_range(self, midpoint: float, spread: float) -> F32:
        """(score − the point `midpoint` of the way up the range) in units of `spread` of it:
        the same curve on any score range."""
        assert self.policy.registry is not None
        low, high = self.policy.registry.range.min, self.policy.registry.range.max
        span = float(high - low)
        result: F32 = ((self.score - (low + midpoint * span)) / (spread * span)).astype(np.float32)
        return result

    def _acceptance(self) -> F32:
        """How willing others are to deal with each agent, given its score."""
        accept = np.ones(self.n, dtype=np.float32)
        if self.policy.registry is not None and self.policy.consequences.contracts_by_score:
            accept = sigmoid(self._in_range(ACCEPTANCE_MIDPOINT, ACCEPTANCE_SPREAD))
        accept[self._blacklisted()] = 0.0
        return accept

    # One month --------------------------------------------------------------------------------

    def step(self) -> dict[str, float]:
        """Advance one month and record the metrics."""
        rng, n, t, led = self.rng, self.n, self.traits, self.ledger
        payoff = np.zeros(n, dtype=np.float32)
        self._decay()

        # Bills: kept unless unreliable, hit by a shock, or reeling from a failed venture.
        shocked = rng.random(n, dtype=np.float32) < t.shock
        pays = (rng.random(n, dtype=np.float32) < t.reliability) & ~shocked & ~self.failed_venture
        led.paid += pays
        led.missed += ~pays
        payoff -= 0.2 * ~pays

        cooperation, contracts = self._contracts(payoff)
        speaks, critics = self._speech(payoff)
        self._opinions(speaks)
        critic_share = self._friendships(critics, payoff)
        frivolous = rng.random(n, dtype=np.float32) < t.frivolity * (1 - self.frugality)
        payoff += 0.15 * frivolous
        led.frivolous += frivolous
        led.approved += ~frivolous
        ventures = self._ventures(payoff)

        self.months += 1
        self.score = self._score(critic_share)
        self.payoff = 0.9 * self.payoff + 0.1 * payoff  # about a year of memory
        self._imitate()
        record = self._measure(speaks, critics, ventures, cooperation, contracts)
        self.history.append(record)
        return record

    def _decay(self) -> None:
        led, policy = self.ledger, self.policy.registry
        if policy is not None:
            for event, half_life in event_half_lives(factor_specs(policy)).items():
                getattr(led, event).__imul__(np.float32(2.0 ** (-30.0 / half_life)))
        speech = self.policy.speech_rules
        led.critical_posts *= np.float32(2.0 ** (-1.0 / (speech.memory_steps if speech else 12.0)))
        purchases = self.policy.purchase_rules
        memory = purchases.memory_steps if purchases else 12.0
        led.frivolous *= np.float32(2.0 ** (-1.0 / memory))
        led.approved *= np.float32(2.0 ** (-1.0 / memory))

    def _contracts(self, payoff: F32) -> tuple[float, int]:
        rng, n, cfg = self.rng, self.n, self.config
        pairs = max(1, int(cfg.contract_rate * n))
        half = pairs // 2
        chosen = self.edges[rng.integers(0, len(self.edges), half)]
        flip = rng.random(half) < 0.5
        i = np.where(flip, chosen[:, 0], chosen[:, 1]).astype(np.int64)
        j = np.where(flip, chosen[:, 1], chosen[:, 0]).astype(np.int64)
        market_i = rng.integers(0, n, pairs - half)
        visibility = self.policy.visibility_rules
        # A weight of 0 is no rule at all: the same draws as a society without one.
        if visibility and visibility.status_weight > 0 and self.policy.registry is not None:
            span = self.policy.registry.range.max - self.policy.registry.range.min
            weight = np.exp(
                visibility.status_weight * (self.score - self.policy.registry.range.min) / span
            )
            market_j = rng.choice(n, pairs - half, p=weight / weight.sum())
        else:
            market_j = rng.integers(0, n, pairs - half)
        i = np.concatenate([i, market_i])
        j = np.concatenate([j, market_j])
        distinct = i != j
        i, j = i[distinct], j[distinct]
        accept = self._acceptance()
        go = (rng.random(len(i), dtype=np.float32) < accept[j]) & (
            rng.random(len(i), dtype=np.float32) < accept[i]
        )
        i, j = i[go], j[go]
        keeps_i = rng.random(len(i), dtype=np.float32) < self.traits.reliability[i]
        keeps_j = rng.random(len(j), dtype=np.float32) < self.traits.reliability[j]
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

    def _speech(self, payoff: F32) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        rng, n = self.rng, self.n
        speaks = rng.random(n, dtype=np.float32) < self.candor
        critics = speaks & (self.opinion < CRITIC_OPINION)
        self.ledger.critical_posts += critics
        payoff += 0.2 * self.traits.boldness * speaks  # saying what one thinks is worth something
        return speaks, critics

    def _opinions(self, speaks: NDArray[np.bool_]) -> None:
        rng = self.rng
        picked = self.edges[rng.integers(0, len(self.edges), self.n // 2)].astype(np.int64)
        both = speaks[picked[:, 0]] & speaks[picked[:, 1]]
        i, j = disjoint_pairs(picked[both, 0], picked[both, 1])
        deffuant(self.opinion, i, j, self.config.epsilon, self.config.mu)

    def _friendships(self, critics: NDArray[np.bool_], payoff: F32) -> F32:
        """Agents who distance themselves from critics cut ties to them (and find a random new
        tie) — in every society, scored or not, so that what an association rule adds is the
        difference from its control. Returns each agent's share of friends who are recent
        critics (what association rules score)."""
        n, rng, edges = self.n, self.rng, self.edges
        recent_critic = self.ledger.critical_posts > 0.5
        a, b = edges[:, 0], edges[:, 1]
        mixed = np.flatnonzero(recent_critic[a] != recent_critic[b])  # a critic and a non-critic
        ea, eb = a[mixed], b[mixed]
        outsider = np.where(recent_critic[eb], ea, eb)  # the non-critic end decides
        cut = rng.random(len(mixed), dtype=np.float32) < self.distancing[outsider]
        if cut.any():
            rows = mixed[cut]
            payoff -= 0.05 * np.bincount(outsider[cut], minlength=n).astype(np.float32)
            critic_end_is_b = recent_critic[eb[cut]]
            replacement = rng.integers(0, n, len(rows)).astype(edges.dtype)
            edges[rows[critic_end_is_b], 1] = replacement[critic_end_is_b]
            edges[rows[~critic_end_is_b], 0] = replacement[~critic_end_is_b]
            self.ties_cut += int(cut.sum())
            a, b = edges[:, 0], edges[:, 1]
        degree = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
        critic_friends = np.bincount(a, recent_critic[b], n) + np.bincount(b, recent_critic[a], n)
        share: F32 = np.divide(critic_friends, degree, out=np.zeros(n), where=degree > 0).astype(
            np.float32
        )
        return share

    def _ventures(self, payoff: F32) -> NDArray[np.bool_]:
        rng, n = self.rng, self.n
        credit = np.ones(n, dtype=np.float32)
        if self.policy.registry is not None and self.policy.consequences.credit_by_score:
            credit = sigmoid(self._in_range(CREDIT_MIDPOINT, CREDIT_SPREAD))
        credit[self._blacklisted()] = 0.0
        tries = rng.random(n, dtype=np.float32) < 0.2 * self.venturing * credit
        success = rng.random(n, dtype=np.float32) < 0.25 + 0.25 * self.traits.reliability
        payoff += np.where(tries & success, 3.0, np.where(tries, -1.0, 0.0)).astype(np.float32)
        self.failed_venture = tries & ~success
        return tries

    def _imitate(self) -> None:
        rng, cfg = self.rng, self.config
        count = int(cfg.imitation_share * self.n)
        ties = self.edges[rng.integers(0, len(self.edges), count)].astype(np.int64)
        flip = rng.random(count) < 0.5
        learner = np.where(flip, ties[:, 0], ties[:, 1])
        teacher = np.where(flip, ties[:, 1], ties[:, 0])
        advantage = (self.payoff[teacher] - self.payoff[learner]) / cfg.kappa
        copy = rng.random(count) < 1.0 / (1.0 + np.exp(-np.clip(advantage, -50, 50)))
        learner, teacher = learner[copy], teacher[copy]
        for strategy in (self.venturing, self.distancing, self.frugality):
            noise = rng.normal(0.0, cfg.mutation, len(learner)).astype(np.float32)
            strategy[learner] = reflect(strategy[teacher] + noise)
        # Whether to speak up is learned from people who think alike: a critic learns from how
        # speaking went for other critics, not for those who praise.
        alike = (self.opinion[learner] < 0.5) == (self.opinion[teacher] < 0.5)
        learner, teacher = learner[alike], teacher[alike]
        noise = rng.normal(0.0, cfg.mutation, len(learner)).astype(np.float32)
        self.candor[learner] = reflect(self.candor[teacher] + noise)

    # Metrics ----------------------------------------------------------------------------------

    def _measure(
        self,
        speaks: NDArray[np.bool_],
        critics: NDArray[np.bool_],
        ventures: NDArray[np.bool_],
        cooperation: float,
        contracts: int,
    ) -> dict[str, float]:
        s = self.sample
        outspoken = self.traits.boldness > 0.5
        critical = self.opinion < CRITIC_OPINION
        record: dict[str, float] = {
            "step": float(self.months),
            "hidden_opinion_share": float((~speaks).mean()),
            "outspoken_silent_share": float((~speaks & outspoken).sum() / max(1, outspoken.sum())),
            "critics_speaking_share": float((speaks & critical).sum() / max(1, critical.sum())),
            "opinion_entropy": metrics.entropy(self.opinion),
            "opinion_clusters": float(metrics.clusters(self.opinion[s])),
            "ties_cut_to_critics": float(self.ties_cut),
            "network_modularity": metrics.modularity(
                self.edges,
                np.digitize(self.opinion, [CRITIC_OPINION, 1 - CRITIC_OPINION]).astype(np.int64),
            ),
            "venture_rate": float(ventures.mean()),
            "cooperation_rate": cooperation,
            "contracts_per_agent": contracts / self.n,
            "mean_payoff": float(self.payoff.mean()),
            "payoff_spread": float(
                np.percentile(self.payoff[s], 90) - np.percentile(self.payoff[s], 10)
            ),
        }
        if self.policy.registry is None:
            for name in (
                "score_gini",
                "score_mobility",
                "score_auc_reliability",
                "honest_punished_share",
                "mean_score",
            ):
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
        reliable = self.traits.reliability[s] >= np.median(self.traits.reliability)
        record["score_auc_reliability"] = roc_auc(score, reliable)
        honest = self.traits.reliability[s] >= 0.8
        # One line for every preset, from the registry policy: below its second tier (whatever
        # a preset's own blacklist), so presets are compared on the same definition.
        punished_below = self.policy.registry.tiers[1].min_score
        record["honest_punished_share"] = float(
            (score[honest] < punished_below).sum() / max(1, honest.sum())
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
