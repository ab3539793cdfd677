"""A policy compiled to one SQL query, for DuckDB and Spark alike.

Input tables: `records` (one row per record, flattened: id, subject, kind, occurred_on,
reported_on, status, days_late, rating, rater, what, supersedes), `excluded` (record_id: under
dispute, withdrawn or suppressed), `credibility` (node_id, credibility; empty when trust was never
computed) and `damping` (record_id, factor). Output: one row per subject with the evidence, each
factor's quality and points, and the score before the thin-file rule — the same arithmetic as
`sincerity.core.scoring.score`, step for step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES, Policy
from sincerity.core.records import RECORD_KINDS


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines' SQL."""

    name: str

    def num(self, value: float) -> str:
        """A floating-point literal: Spark reads `730.0` as a DECIMAL and would round with it."""
        text = repr(float(value))
        return f"{text}D" if self.name == "spark" else text

    def age(self, as_of: date) -> str:
        if self.name == "spark":
            return f"datediff(DATE '{as_of.isoformat()}', occurred_on)"
        return f"date_diff('day', occurred_on, DATE '{as_of.isoformat()}')"

    def days_between(self, earlier: str, as_of: date) -> str:
        if self.name == "spark":
            return f"datediff(DATE '{as_of.isoformat()}', {earlier})"
        return f"date_diff('day', {earlier}, DATE '{as_of.isoformat()}')"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


@dataclass(frozen=True)
class Needs:
    """Which optional steps the data calls for; a step the data cannot use is left out of the
    query (the result is the same, the query cheaper)."""

    excluded: bool = True
    supersedes: bool = True
    damping: bool = True


def compile_policy(
    policy: Policy, as_of: date, dialect: Dialect, trust_known: bool, needs: Needs = Needs()
) -> str:
    """The scoring query for `policy` as of `as_of`."""
    f = policy.factors
    caps = max_points(policy)
    sev = f.payment_history.severity
    limits = " ".join(
        f"WHEN '{kind}' THEN {dialect.num(policy.obsolete_after_days(kind))}"
        for kind in RECORD_KINDS
    )
    missing_trust = dialect.num(0.0 if trust_known else 1.0)
    one, two, zero = dialect.num(1.0), dialect.num(2.0), dialect.num(0.0)
    zero_int, days_per_year = ", 0", dialect.num(365.25)
    age = dialect.age(as_of)
    severity = (
        f"CASE WHEN status = 'missed' THEN {dialect.num(sev.missed)} WHEN status = 'defaulted' THEN {dialect.num(sev.defaulted)} "
        f"WHEN days_late < 30 THEN {dialect.num(sev.late_1_29)} WHEN days_late < 60 THEN {dialect.num(sev.late_30_59)} "
        f"WHEN days_late < 90 THEN {dialect.num(sev.late_60_89)} ELSE {dialect.num(sev.late_90_plus)} END"
    )
    share = f.verified_identity.identity_share
    undisputed = (
        "SELECT k.* FROM known k LEFT JOIN excluded e ON k.id = e.record_id WHERE e.record_id IS NULL"
        if needs.excluded
        else "SELECT * FROM known"
    )
    present = (
        "SELECT u.* FROM undisputed u LEFT JOIN (SELECT DISTINCT supersedes AS id FROM undisputed "
        "WHERE supersedes IS NOT NULL) s ON u.id = s.id WHERE s.id IS NULL"
        if needs.supersedes
        else "SELECT * FROM undisputed"
    )
    joins = ""
    trust_term = missing_trust
    if trust_known:
        joins += "\n  LEFT JOIN credibility c ON a.kind = 'rating' AND a.rater = c.node_id"
        trust_term = f"COALESCE(c.credibility, {missing_trust})"
    damping_term = one
    if needs.damping:
        joins += "\n  LEFT JOIN damping d ON a.kind = 'rating' AND a.id = d.record_id"
        damping_term = f"COALESCE(d.factor, {one})"
    return f"""
WITH known AS (
  SELECT * FROM records
  WHERE reported_on <= DATE '{as_of.isoformat()}' AND occurred_on <= DATE '{as_of.isoformat()}'
), undisputed AS (
  {undisputed}
), present AS (
  {present}
), active AS (
  SELECT p.*, {age} AS age FROM present p
  WHERE {age} <= CASE p.kind {limits} END
), weighted AS (
  SELECT a.subject, a.kind, a.status, a.what, a.rating, a.occurred_on,
    power({two}, -a.age / CASE a.kind WHEN 'payment' THEN {dialect.num(f.payment_history.half_life_days)}
      WHEN 'contract' THEN {dialect.num(f.contract_fulfilment.half_life_days)}
      WHEN 'rating' THEN {dialect.num(f.counterparty_ratings.half_life_days)}
      ELSE {dialect.num(f.judgments.half_life_days)} END)
      * CASE WHEN a.kind = 'rating' THEN {trust_term} * {damping_term} ELSE {one} END AS w,
    CASE WHEN a.kind = 'payment' AND a.status <> 'on_time' THEN {severity.replace("status", "a.status").replace("days_late", "a.days_late")} END AS pay_severity
  FROM active a{joins}
), evidence AS (
  SELECT subject,
    COUNT(*) AS n_active,
    MIN(occurred_on) AS oldest_any,
    MIN(CASE WHEN (kind = 'payment' AND status = 'on_time') OR (kind = 'contract' AND status = 'fulfilled')
             OR (kind = 'rating' AND rating > 0 AND w > 0) OR kind = 'verification'
        THEN occurred_on END) AS oldest_positive,
    COALESCE(SUM(CASE WHEN kind = 'payment' AND status = 'on_time' THEN w END), {zero}) AS pay_pos,
    COALESCE(SUM(CASE WHEN kind = 'payment' AND status <> 'on_time' THEN w * pay_severity END), {zero}) AS pay_neg,
    COALESCE(SUM(CASE WHEN kind = 'contract' AND status = 'fulfilled' THEN w END), {zero}) AS con_pos,
    COALESCE(SUM(CASE WHEN kind = 'contract' AND status = 'breached' THEN w * {dialect.num(f.contract_fulfilment.breach_severity)} END), {zero}) AS con_neg,
    COALESCE(SUM(CASE WHEN kind = 'rating' AND rating > 0 THEN w END), {zero}) AS rat_pos,
    COALESCE(SUM(CASE WHEN kind = 'rating' AND rating < 0 THEN w * {dialect.num(f.counterparty_ratings.negative_weight)} END), {zero}) AS rat_neg,
    COALESCE(SUM(CASE WHEN kind = 'judgment' AND status = 'unpaid' THEN w END), {zero}) * {dialect.num(f.judgments.unpaid_severity)}
      + COALESCE(SUM(CASE WHEN kind = 'judgment' AND status = 'satisfied' THEN w END), {zero}) * {dialect.num(f.judgments.satisfied_severity)} AS jud_neg,
    MAX(CASE WHEN kind = 'verification' AND what = 'identity' THEN 1 ELSE 0 END) AS identity,
    MAX(CASE WHEN kind = 'verification' AND what = 'licence' THEN 1 ELSE 0 END) AS licence
  FROM weighted GROUP BY subject
), qualities AS (
  SELECT subject, n_active,
    {dialect.days_between("oldest_any", as_of)} AS span_days,
    (pay_pos + {one}) / (pay_pos + pay_neg + {two}) AS q_payment_history,
    (con_pos + {one}) / (con_pos + con_neg + {two}) AS q_contract_fulfilment,
    (rat_pos + {one}) / (rat_pos + rat_neg + {two}) AS q_counterparty_ratings,
    exp(-jud_neg) AS q_judgments,
    identity * {dialect.num(share)} + licence * {dialect.num(1.0 - share)} AS q_verified_identity,
    LEAST({one}, GREATEST({zero}, COALESCE({dialect.days_between("oldest_positive", as_of)}{zero_int}) / {days_per_year}
          / {dialect.num(f.history_length.full_after_years)})) AS q_history_length
  FROM evidence
)
SELECT subject, n_active, span_days,
  {", ".join(f"LEAST({one}, GREATEST({zero}, q_{n})) * {dialect.num(caps[n])} AS p_{n}" for n in FACTOR_NAMES)}
FROM qualities
"""


def minimal_query(policy: Policy, as_of: date, dialect: Dialect) -> str:
    """The benchmark's baseline: the same per-subject decayed factor sums, nothing else."""
    f = policy.factors
    age = dialect.age(as_of)
    two = dialect.num(2.0)
    return f"""
SELECT subject,
  SUM(CASE WHEN kind = 'payment' AND status = 'on_time' THEN power({two}, -{age} / {dialect.num(f.payment_history.half_life_days)}) ELSE 0 END) AS pay_pos,
  SUM(CASE WHEN kind = 'payment' AND status <> 'on_time' THEN power({two}, -{age} / {dialect.num(f.payment_history.half_life_days)}) ELSE 0 END) AS pay_neg,
  SUM(CASE WHEN kind = 'contract' AND status = 'fulfilled' THEN power({two}, -{age} / {dialect.num(f.contract_fulfilment.half_life_days)}) ELSE 0 END) AS con_pos,
  SUM(CASE WHEN kind = 'contract' AND status = 'breached' THEN power({two}, -{age} / {dialect.num(f.contract_fulfilment.half_life_days)}) ELSE 0 END) AS con_neg,
  SUM(CASE WHEN kind = 'rating' AND rating > 0 THEN power({two}, -{age} / {dialect.num(f.counterparty_ratings.half_life_days)}) ELSE 0 END) AS rat_pos,
  SUM(CASE WHEN kind = 'rating' AND rating < 0 THEN power({two}, -{age} / {dialect.num(f.counterparty_ratings.half_life_days)}) ELSE 0 END) AS rat_neg,
  SUM(CASE WHEN kind = 'judgment' THEN power({two}, -{age} / {dialect.num(f.judgments.half_life_days)}) ELSE 0 END) AS jud,
  MIN(occurred_on) AS oldest
FROM records GROUP BY subject
"""
