"""Fit a registry policy's factor weights from outcome labels ("who later defaulted").

Each labelled subject's factor qualities are computed from the registry as of the label date by
the policy's own scorer; a logistic model P(bad) = sigmoid(b - sum_k w_k q_k) with every w_k >= 0
(more quality may never mean more risk) is fitted by L-BFGS-B; the weights become the policy's
factor weights. Everything else — thin-file rule, decay, obsolescence, disputes — is the policy's
own, unchanged. Thin files are left out of the fit: they get no number either way.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from sincerity.core.errors import InvalidInputError, Problem
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES, Policy
from sincerity.core.stats import roc_auc
from sincerity.services.registry import Registry
from sincerity.services.scores import load_context, score_in

BAD = {"1", "bad", "default", "defaulted", "true", "yes"}
GOOD = {"0", "good", "false", "no", "repaid"}


@dataclass(frozen=True)
class Label:
    subject: str
    bad: bool
    as_of: date


def read_labels(path: Path, today: date) -> list[Label]:
    """Rows of `subject,outcome[,as_of]`; outcome 1/bad/default or 0/good; as_of YYYY-MM-DD."""
    labels, problems = [], []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            line = reader.line_num
            outcome = (row.get("outcome") or "").strip().lower()
            if outcome not in BAD | GOOD:
                problems.append(
                    Problem("outcome must be 1/bad/default or 0/good", str(path), line, "outcome")
                )
                continue
            try:
                day = date.fromisoformat(row["as_of"]) if row.get("as_of") else today
            except ValueError:
                problems.append(Problem("as_of must be YYYY-MM-DD", str(path), line, "as_of"))
                continue
            if not row.get("subject"):
                problems.append(Problem("missing subject", str(path), line, "subject"))
                continue
            labels.append(Label(row["subject"].strip(), outcome in BAD, day))
    if problems:
        raise InvalidInputError(f"{path}: {len(problems)} bad label rows", problems)
    if not labels:
        raise InvalidInputError(f"{path}: no labels (columns: subject, outcome[, as_of])")
    return labels


def factor_matrix(
    registry: Registry, policy: Policy, labels: list[Label]
) -> tuple[np.ndarray, np.ndarray, list[Label]]:
    """Factor qualities of each labelled, scored subject as of its label date."""
    rows, outcomes, kept = [], [], []
    with registry.engine.connect() as conn:
        for start in range(0, len(labels), 500):
            chunk = labels[start : start + 500]
            loaded = load_context(conn, [label.subject for label in chunk])
            for label in chunk:
                result = score_in(loaded, label.subject, policy, label.as_of)
                if result.value is None:
                    continue
                rows.append([f.quality for f in result.factors])
                outcomes.append(label.bad)
                kept.append(label)
    return np.array(rows), np.array(outcomes, dtype=bool), kept


def fit_weights(qualities: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Non-negative weights of a logistic model of the bad outcome on factor qualities."""
    y = bad.astype(float)
    k = qualities.shape[1]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        intercept, weights = params[0], params[1:]
        z = intercept - qualities @ weights
        p = 1 / (1 + np.exp(-z))
        eps = 1e-12
        value = (
            -np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)) + 1e-4 * weights @ weights
        )
        residual = p - y
        grad = np.concatenate(
            [[residual.mean()], -(qualities.T @ residual) / len(y) + 2e-4 * weights]
        )
        return float(value), grad

    result = minimize(
        loss,
        np.zeros(k + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=[(None, None)] + [(0.0, None)] * k,
    )
    return np.asarray(result.x[1:])


def fitted_policy(policy: Policy, weights: np.ndarray, name: str = "fitted") -> Policy:
    """The policy with new factor weights (summing to 100); every other rule unchanged."""
    if weights.sum() <= 0:
        raise InvalidInputError(
            "the labels carry no signal the factors can explain: nothing to fit"
        )
    content: dict[str, Any] = policy.content
    scaled = 100 * weights / weights.sum()
    for factor, weight in zip(FACTOR_NAMES, scaled, strict=True):
        content["factors"][factor]["weight"] = round(float(weight), 3)
    content["name"] = name
    content["description"] = (
        f"Factor weights fitted to outcome labels from {policy.version}; "
        "every other rule as in that policy."
    )
    return Policy.model_validate(content)


@dataclass(frozen=True)
class FitReport:
    """How a policy fitted to outcome labels compares with the one in force, on held-out
    subjects."""

    labels: int
    scored: int
    held_out: int
    auc_current_policy: float
    auc_fitted_policy: float
    weights: dict[str, float]
    base_policy: str
    fitted_policy: str


def fit_from_registry(
    registry: Registry, labels: list[Label], holdout: float = 0.3, seed: int = 0
) -> tuple[Policy, FitReport]:
    """Fit on part of the labels; compare fitted and current policy on the held-out rest."""
    qualities, bad, kept = factor_matrix(registry, registry.policy, labels)
    if len(kept) < 20 or bad.all() or not bad.any():
        raise InvalidInputError(
            "need at least 20 scored subjects with both outcomes among the labels"
        )
    rng = np.random.default_rng(seed)
    test = np.zeros(len(kept), dtype=bool)
    for outcome in (True, False):
        members = np.flatnonzero(bad == outcome)
        test[rng.choice(members, max(1, int(holdout * len(members))), replace=False)] = True
    weights = fit_weights(qualities[~test], bad[~test])
    policy = fitted_policy(registry.policy, weights)
    caps_current = np.array([max_points(registry.policy)[n] for n in FACTOR_NAMES])
    caps_fitted = np.array([max_points(policy)[n] for n in FACTOR_NAMES])
    current = qualities[test] @ caps_current
    fitted = qualities[test] @ caps_fitted
    report = FitReport(
        labels=len(labels),
        scored=len(kept),
        held_out=int(test.sum()),
        auc_current_policy=roc_auc(current, ~bad[test]),
        auc_fitted_policy=roc_auc(fitted, ~bad[test]),
        weights={
            f: round(float(w), 3)
            for f, w in zip(FACTOR_NAMES, 100 * weights / weights.sum(), strict=True)
        },
        base_policy=registry.policy.version,
        fitted_policy=policy.version,
    )
    return policy, report
