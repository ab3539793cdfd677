"""The card's scale and calibration: points from probabilities (600 at good:bad odds of 50:1, 20
points to double them), the prior correction from a sample's bad rate to a population's, and the
calibration table of predicted against observed bad rates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sincerity.core.errors import InvalidInputError

PDO, ODDS, BASE_POINTS = 20.0, 50.0, 600.0
FACTOR = PDO / math.log(2)


def score_of_probability(p_bad: Any) -> Any:
    """The card's scale: 600 points at good:bad odds of 50:1, 20 points to double them."""
    p = np.clip(np.asarray(p_bad, dtype=float), 1e-12, 1 - 1e-12)
    return BASE_POINTS + FACTOR * (np.log((1 - p) / p) - math.log(ODDS))


def prior_offset(sample_bad_rate: float, population_bad_rate: float | None) -> float:
    """Points to add so scores speak of the population, not the sample: a sample that
    over-represents bad loans makes every applicant look riskier by the same log-odds."""
    if population_bad_rate is None:
        return 0.0
    if not 0 < population_bad_rate < 1:
        raise InvalidInputError("--population-bad-rate must be between 0 and 1 (e.g. 0.05)")
    return FACTOR * (_logit(sample_bad_rate) - _logit(population_bad_rate))


def _logit(rate: float) -> float:
    return math.log(rate / (1 - rate))


def calibration_table(
    p_bad: Any, y: Any, population_bad_rate: float | None, offset: float
) -> list[dict[str, float]]:
    """Predicted against observed bad rate by decile of out-of-fold prediction; with a stated
    population bad rate, also both as the population would see them (prior-corrected
    prediction; observed rate with bads and goods reweighted to the population's shares)."""
    deciles = np.quantile(p_bad, np.linspace(0, 1, 11))
    band = np.clip(np.searchsorted(deciles, p_bad, side="right") - 1, 0, 9)
    rho = float(y.mean())
    rows = []
    for b in range(10):
        inside = band == b
        if not inside.any():
            continue
        row = {
            "band": b + 1,
            "applicants": int(inside.sum()),
            "predicted_bad_rate": float(p_bad[inside].mean()),
            "observed_bad_rate": float(y[inside].mean()),
        }
        if population_bad_rate is not None:
            pi = population_bad_rate
            shifted = 1.0 / (1.0 + np.exp((offset + FACTOR * np.log((1 - p_bad) / p_bad)) / FACTOR))
            bads, goods = y[inside].sum() * pi / rho, (1 - y[inside]).sum() * (1 - pi) / (1 - rho)
            row["predicted_population_bad_rate"] = float(shifted[inside].mean())
            row["observed_population_bad_rate"] = float(bads / (bads + goods))
        rows.append(row)
    return rows
