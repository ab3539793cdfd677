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

from sincerity.core.factor_spec import FactorSpec, Tally, Test, factor_specs, spec_max_points
from sincerity.core.policy import Policy
from sincerity.core.records import RECORD_KINDS


@dataclass(frozen=True)
class Dialect:
    """What differs between the engines' SQL."""

    name: str

    def num(self, value: float) -> str:
        """A floating-point literal. Both engines read `730.0` as a DECIMAL, which rounds (Spark)
        or overflows in a product (DuckDB): the literal is written as a double."""
        text = repr(float(value))
        return f"{text}D" if self.name == "spark" else f"CAST({text} AS DOUBLE)"

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


def _literal(value: str | float, dialect: Dialect) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, int):
        return str(value)
    return dialect.num(value)


def _condition(kind: str, tests: tuple[Test, ...], dialect: Dialect) -> str:
    sql_op = {"==": "=", "!=": "<>", "<": "<", ">": ">"}
    parts = [f"a.kind = '{kind}'"] + [
        f"a.{field} {sql_op[op]} {_literal(value, dialect)}" for field, op, value in tests
    ]
    return " AND ".join(parts)


def _tally_expression(tally: Tally, dialect: Dialect, trust_term: str) -> str:
    """The same product as the generated Python: decay × scale × ladder × credibility."""
    parts = []
    if tally.half_life_days is not None:
        parts.append(
            f"power({dialect.num(2.0)}, -a.age / {dialect.num(float(tally.half_life_days))})"
        )
    if tally.scale != 1.0:
        parts.append(dialect.num(float(tally.scale)))
    if tally.ladder:
        cases = " ".join(
            f"WHEN {_condition(tally.kind, rung.when, dialect)} THEN {dialect.num(rung.value)}"
            for rung in tally.ladder[:-1]
        )
        parts.append(f"CASE {cases} ELSE {dialect.num(tally.ladder[-1].value)} END")
    if tally.trusted:
        parts.append(trust_term)
    weight = " * ".join(parts) or dialect.num(1.0)
    return f"CASE WHEN {_condition(tally.kind, tally.when, dialect)} THEN {weight} END"


def _quality(spec: FactorSpec, dialect: Dialect, as_of: date) -> str:
    one, two, zero = dialect.num(1.0), dialect.num(2.0), dialect.num(0.0)
    pos = " + ".join(f"s_{t.name}" for t in spec.positive) or zero
    neg = " + ".join(f"s_{t.name}" for t in spec.negative) or zero
    if spec.form == "beta":
        return f"({pos} + {one}) / ({pos} + {neg} + {two})"
    if spec.form == "penalty":
        return f"exp(-({neg}))"
    if spec.form == "flags":
        return " + ".join(f"f_{f.name} * {dialect.num(f.share)}" for f in spec.flags) or zero
    years = f"COALESCE({dialect.days_between('oldest_positive', as_of)}, 0) / {dialect.num(365.25)}"
    return f"{years} / {dialect.num(spec.full_after_years)}"


def compile_policy(
    policy: Policy,
    as_of: date,
    dialect: Dialect,
    trust_known: bool,
    needs: Needs = Needs(),
    specs: tuple[FactorSpec, ...] | None = None,
) -> str:
    """The scoring query for `policy` (or an explicit factor spec) as of `as_of`, generated from
    the same factor spec as the Python scorer."""
    specs = specs or factor_specs(policy)
    caps = spec_max_points(policy, specs)
    limits = " ".join(
        f"WHEN '{kind}' THEN {dialect.num(policy.obsolete_after_days(kind))}"
        for kind in RECORD_KINDS
    )
    missing_trust = dialect.num(0.0 if trust_known else 1.0)
    one, zero = dialect.num(1.0), dialect.num(0.0)
    age = dialect.age(as_of)
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
    if needs.damping:
        joins += "\n  LEFT JOIN damping d ON a.kind = 'rating' AND a.id = d.record_id"
        trust_term = f"{trust_term} * COALESCE(d.factor, {one})"
    tallies = [(t, spec) for spec in specs for t in spec.tallies]
    flags = [f for spec in specs for f in spec.flags]
    tally_columns = ",\n    ".join(
        f"{_tally_expression(t, dialect, trust_term)} AS t_{t.name}" for t, _ in tallies
    )
    flag_columns = ",\n    ".join(
        f"CASE WHEN {_condition(f.kind, f.when, dialect)} THEN 1 ELSE 0 END AS f_{f.name}"
        for f in flags
    )
    good = (
        " OR ".join(
            [f"t_{t.name} > {zero}" for spec in specs for t in spec.positive]
            + [f"f_{f.name} = 1" for f in flags]
        )
        or "FALSE"
    )
    sums = ",\n    ".join(
        [f"COALESCE(SUM(t_{t.name}), {zero}) AS s_{t.name}" for t, _ in tallies]
        + [f"MAX(f_{f.name}) AS f_{f.name}" for f in flags]
    )
    qualities = ",\n    ".join(
        f"{_quality(spec, dialect, as_of)} AS q_{spec.name}" for spec in specs
    )
    weighted_columns = ",\n    ".join(c for c in (tally_columns, flag_columns) if c)
    evidence_columns = f",\n    {sums}" if sums else ""
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
  SELECT a.subject, a.occurred_on{"," if weighted_columns else ""}
    {weighted_columns}
  FROM active a{joins}
), evidence AS (
  SELECT subject,
    COUNT(*) AS n_active,
    MIN(occurred_on) AS oldest_any,
    MIN(CASE WHEN {good} THEN occurred_on END) AS oldest_positive{evidence_columns}
  FROM weighted GROUP BY subject
), qualities AS (
  SELECT subject, n_active,
    {dialect.days_between("oldest_any", as_of)} AS span_days,
    {qualities}
  FROM evidence
)
SELECT subject, n_active, span_days,
  {", ".join(f"LEAST({one}, GREATEST({zero}, q_{s.name})) * {dialect.num(caps[s.name])} AS p_{s.name}" for s in specs)}
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
