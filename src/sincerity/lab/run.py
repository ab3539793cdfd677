"""Runs across presets and seeds, and their summary: mean and a bootstrap 95% interval across
seeds (a percentile interval stays within the values seen: a share's interval within [0, 1])."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sincerity.lab.config import LabConfig
from sincerity.lab.model import Model
from sincerity.lab.policy import LabPolicy

# What each metric means, and which direction is better for the people in the society.
METRICS: dict[str, str] = {
    "mean_score": "mean score",
    "score_gini": "score inequality (Gini)",
    "score_mobility": "mobility (1 - rank correlation with a year before)",
    "score_auc_reliability": "does the score find the reliable? (AUC)",
    "honest_punished_share": "honest agents punished (false positives)",
    "hidden_opinion_share": "agents silent this month",
    "critics_speaking_share": "critics who speak",
    "critics_voicing_share": "critics who voice their criticism",
    "falsifying_share": "speakers saying what they do not think",
    "private_expressed_gap": "gap between private and expressed opinion",
    "outspoken_silent_share": "outspoken agents silent",
    "opinion_entropy": "private opinion diversity (entropy, bits)",
    "expressed_entropy": "expressed opinion diversity (entropy, bits)",
    "opinion_clusters": "opinion clusters",
    "ties_cut_to_critics": "ties cut to critics (cumulative)",
    "network_modularity": "network modularity by opinion camp",
    "keeping_mean": "promise keeping (mean strategy)",
    "effort_mean": "effort on the points game (mean strategy)",
    "venture_rate": "new ventures per agent-month",
    "novel_venture_rate": "novel ventures per agent-month",
    "cooperation_rate": "contracts kept by both sides",
    "contracts_per_agent": "contracts per agent-month",
    "mean_payoff": "mean payoff (welfare)",
    "payoff_spread": "payoff spread (90th - 10th percentile)",
    "member_share": "agents taking part (opt-in)",
    "approval_share": "agents approving of the scoring system",
    "approval_gap": "approval: best-off quarter minus worst-off quarter",
}
# Metrics that only accumulate: they never settle, so convergence is not asked of them.
CUMULATIVE = frozenset({"ties_cut_to_critics"})


BOOTSTRAP_RESAMPLES = 4000


def bootstrap_interval(values: Sequence[float], seed: int = 0) -> tuple[float, float]:
    """A percentile bootstrap 95% interval of the mean (of levels, or of paired differences)."""
    import numpy as np

    array = np.asarray(values, dtype=float)
    if len(array) < 2 or float(np.ptp(array)) == 0.0:
        return float(array.mean()), float(array.mean())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(array), (BOOTSTRAP_RESAMPLES, len(array)))
    low, high = np.percentile(array[picks].mean(axis=1), [2.5, 97.5])
    return float(low), float(high)


@dataclass(frozen=True)
class Summary:
    """One metric of one preset at the last step: mean and bootstrap 95% interval across
    seeds (NaN bounds for a single seed)."""

    preset: str
    metric: str
    mean: float
    low: float
    high: float
    seeds: int


def seeds_for(count: int, first: int = 1) -> list[int]:
    """The seeds a run of `count` uses: first, first + 1, ... (the same on every machine)."""
    return list(range(first, first + count))


def run_presets(
    policies: Sequence[LabPolicy],
    config: LabConfig,
    steps: int,
    seeds: Sequence[int],
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, float | str]]:
    """Every policy under every seed, the same seeds for each: one row per step. Each policy
    runs with its own model parameters over `config`."""
    rows: list[dict[str, float | str]] = []
    for policy in policies:
        configured = policy.configured(config)
        for seed in seeds:
            model = Model(policy, replace(configured), seed)
            for record in model.run(steps, progress):
                rows.append({"preset": policy.name, "seed": float(seed), **record})
    return rows


def t_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """The mean and its 95% Student-t interval (NaN bounds for a single value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, math.nan, math.nan
    from scipy.stats import t as student_t  # slow to import: only when summarising

    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    half = float(student_t.ppf(0.975, len(values) - 1)) * sd / math.sqrt(len(values))
    return mean, mean - half, mean + half


def summarize(rows: Sequence[dict[str, float | str]], step: int | None = None) -> list[Summary]:
    """The last step (or `step`) of each (preset, seed), summarised across seeds."""
    last: dict[tuple[str, float], dict[str, float | str]] = {}
    for row in rows:
        if step is not None and float(row["step"]) != step:
            continue
        key = (str(row["preset"]), float(row["seed"]))
        if key not in last or float(row["step"]) >= float(last[key]["step"]):
            last[key] = row
    presets = list(dict.fromkeys(str(r["preset"]) for r in rows))
    out = []
    for preset in presets:
        finals = [r for (p, _), r in last.items() if p == preset]
        for metric in METRICS:
            values = [float(r[metric]) for r in finals if not math.isnan(float(r[metric]))]
            if not values:
                out.append(Summary(preset, metric, math.nan, math.nan, math.nan, 0))
                continue
            mean = sum(values) / len(values)
            low, high = bootstrap_interval(values) if len(values) > 1 else (math.nan, math.nan)
            out.append(Summary(preset, metric, mean, low, high, len(values)))
    return out


def horizons(
    rows: Sequence[dict[str, float | str]], fractions: Sequence[float] = (0.25, 0.5, 1.0)
) -> dict[int, list[Summary]]:
    """Summaries at several points of the run (a quarter, half way, the end): a result that
    holds at one horizon only is said to."""
    steps = max(int(float(r["step"])) for r in rows)
    chosen = sorted({max(1, round(f * steps)) for f in fractions})
    return {step: summarize(rows, step) for step in chosen}


@dataclass(frozen=True)
class Convergence:
    """How much a metric still moved over the last `window` months, across seeds."""

    preset: str
    metric: str
    change: float
    low: float
    high: float

    @property
    def moving(self) -> bool:
        """Whether the interval of the change excludes 0: not settled at the end of the run."""
        return self.low > 1e-9 or self.high < -1e-9  # float dust is not movement


def convergence(rows: Sequence[dict[str, float | str]], window: int = 12) -> list[Convergence]:
    """Each (preset, metric)'s change over the last `window` months, with a 95% t-interval over
    seeds; cumulative metrics are left out."""
    steps = max(int(float(r["step"])) for r in rows)
    if steps <= window:
        return []
    end = summarize_values(rows, steps)
    start = summarize_values(rows, steps - window)
    out = []
    for (preset, metric), values in end.items():
        if metric in CUMULATIVE:
            continue
        before = start.get((preset, metric), {})
        diffs = [v - before[seed] for seed, v in values.items() if seed in before]
        diffs = [d for d in diffs if not math.isnan(d)]
        if len(diffs) < 2:
            continue
        out.append(Convergence(preset, metric, *t_interval(diffs)))
    return out


def summarize_values(
    rows: Sequence[dict[str, float | str]], step: int
) -> dict[tuple[str, str], dict[float, float]]:
    """{(preset, metric): {seed: value}} at one step."""
    found: dict[tuple[str, str], dict[float, float]] = {}
    for row in rows:
        if float(row["step"]) != step:
            continue
        for metric in METRICS:
            found.setdefault((str(row["preset"]), metric), {})[float(row["seed"])] = float(
                row[metric]
            )
    return found
