"""A policy compiled to one SQL query, for DuckDB and Spark alike.

Input tables: `records` (one row per record, flattened: id, subject, kind, occurred_on,
reported_on, status, days_late, rating, rater, what, supersedes), `excluded` (record_id: under
dispute, withdrawn or suppressed), `credibility` (node_id, credibility; empty when trust was never
computed) and `damping` (record_id, factor). Output: one row per subject with its active records,
history span, each factor's points, score (NULL for a thin file), tier index and reason factors
(folded into one number; `batch.results.collect` unfolds it) — the same arithmetic as
`sincerity.core.scoring.score`, step for step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sincerity.core.explain import MAX_REASONS
from sincerity.core.factor_spec import (
    FactorSpec,
    Tally,
    Test,
    factor_specs,
    reason_threshold,
    spec_max_points,
)
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


def _condition(kind: str | None, tests: tuple[Test, ...], dialect: Dialect) -> str:
    """A record of `kind` (any, for None) that passes every test, as SQL."""
    sql_op = {"==": "=", "!=": "<>", "<": "<", ">": ">"}
    parts = ([] if kind is None else [f"a.kind = '{kind}'"]) + [
        f"a.{field} {sql_op[op]} {_literal(value, dialect)}" for field, op, value in tests
    ]
    return " AND ".join(parts) or "TRUE"


def _weight(tally: Tally, dialect: Dialect, age: str, trust_term: str) -> str:
    """What one record adds to `tally`, as the generated Python computes it: decay × scale ×
    ladder × credibility (the record's kind and tests are checked by the caller)."""
    parts = []
    if tally.half_life_days is not None:
        parts.append(
            f"power({dialect.num(2.0)}, -{age} / {dialect.num(float(tally.half_life_days))})"
        )
    if tally.scale != 1.0:
        parts.append(dialect.num(float(tally.scale)))
    if tally.ladder:
        cases = " ".join(
            f"WHEN {_condition(None, rung.when, dialect)} THEN {dialect.num(rung.value)}"
            for rung in tally.ladder[:-1]
        )
        parts.append(f"CASE {cases} ELSE {dialect.num(tally.ladder[-1].value)} END")
    if tally.trusted and trust_term != dialect.num(1.0):  # every rater counts fully
        parts.append(trust_term)
    return " * ".join(parts) or dialect.num(1.0)


def _exclusive(a: Tally, b: Tally) -> bool:
    """No record can pass both tallies' tests: other kinds, or one field required equal to two
    different values."""
    if a.kind != b.kind:
        return True
    wanted = {field: value for field, op, value in a.when if op == "=="}
    return any(
        op == "==" and field in wanted and wanted[field] != value for field, op, value in b.when
    )


def _side_sum(tallies: tuple[Tally, ...], weights: dict[str, str], dialect: Dialect) -> str:
    """What one record adds to a factor's positive (or negative) evidence: the forms read only
    each side's total, so its tallies are summed in one aggregate — one CASE when no record can
    pass two of them, else one CASE each."""
    zero = dialect.num(0.0)
    if all(_exclusive(a, b) for i, a in enumerate(tallies) for b in tallies[i + 1 :]):
        cases = " ".join(
            f"WHEN {_condition(t.kind, t.when, dialect)} THEN {weights[t.name]}" for t in tallies
        )
        return f"CASE {cases} ELSE {zero} END"
    return " + ".join(
        f"CASE WHEN {_condition(t.kind, t.when, dialect)} THEN {weights[t.name]} ELSE {zero} END"
        for t in tallies
    )


def _quality(spec: FactorSpec, dialect: Dialect, as_of: date) -> str:
    one, two, zero = dialect.num(1.0), dialect.num(2.0), dialect.num(0.0)
    pos = f"s_{spec.name}_pos" if spec.positive else zero
    neg = f"s_{spec.name}_neg" if spec.negative else zero
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
    the same factor spec as the Python scorer: each subject's factor points, and the finish —
    score, tier and reason factors."""
    specs = specs or factor_specs(policy)
    day = f"DATE '{as_of.isoformat()}'"
    missing_trust = dialect.num(0.0 if trust_known else 1.0)
    one, zero = dialect.num(1.0), dialect.num(0.0)
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
    age = dialect.age(as_of)
    tallies = [t for spec in specs for t in spec.tallies]
    flags = [f for spec in specs for f in spec.flags]
    # Each sum reads the records directly: one projection of every tally's weight, aggregated
    # after, costs DuckDB about a third more.
    weights = {t.name: _weight(t, dialect, age, trust_term) for t in tallies}
    good = _good_standing(policy, specs, weights, dialect)
    sides = [
        (f"{spec.name}_{side}", side_tallies)
        for spec in specs
        for side, side_tallies in (("pos", spec.positive), ("neg", spec.negative))
        if side_tallies
    ]
    sums = "".join(
        [
            f",\n    SUM({_side_sum(side_tallies, weights, dialect)}) AS s_{name}"
            for name, side_tallies in sides
        ]
        + [
            f",\n    MAX(CASE WHEN {_condition(f.kind, f.when, dialect)} THEN 1 ELSE 0 END) "
            f"AS f_{f.name}"
            for f in flags
        ]
    )
    qualities = ",\n    ".join(
        f"{_quality(spec, dialect, as_of)} AS q_{spec.name}" for spec in specs
    )
    caps = spec_max_points(policy, specs)
    points = ", ".join(
        f"LEAST({one}, GREATEST({zero}, q_{s.name})) * {dialect.num(caps[s.name])} AS p_{s.name}"
        for s in specs
    )
    return f"""
WITH known AS (
  SELECT * FROM records WHERE reported_on <= {day} AND occurred_on <= {day}
), undisputed AS (
  {undisputed}
), present AS (
  {present}
), evidence AS (
  SELECT a.subject,
    COUNT(*) AS n_active,
    MIN(a.occurred_on) AS oldest_any,
    MIN(CASE WHEN {good} THEN a.occurred_on END) AS oldest_positive{sums}
  FROM present a{joins}
  WHERE {_still_counts(policy, as_of, dialect)}
  GROUP BY a.subject
), qualities AS (
  SELECT subject, n_active,
    {dialect.days_between("oldest_any", as_of)} AS span_days,
    {qualities}
  FROM evidence
), points AS (
  SELECT subject, n_active, span_days, {points}
  FROM qualities
){_finish(policy, specs, dialect)}
"""


def _good_standing(
    policy: Policy,
    specs: tuple[FactorSpec, ...],
    weights: dict[str, str],
    dialect: Dialect,
) -> str:
    """Whether a record puts its subject in good standing: it adds something to a positive tally
    or raises a flag. Written as one test of the kind, then that kind's tests."""
    by_kind: dict[str, list[str]] = {}
    for spec in specs:
        for t in spec.positive:
            adds = _adds_something(t, policy, weights[t.name], dialect)
            by_kind.setdefault(t.kind, []).append(
                f"({_condition(None, t.when, dialect)} AND {adds})"
            )
        for f in spec.flags:
            by_kind.setdefault(f.kind, []).append(f"({_condition(None, f.when, dialect)})")
    if not by_kind:
        return "FALSE"
    cases = " ".join(
        f"WHEN {_literal(kind, dialect)} THEN {' OR '.join(tests)}"
        for kind, tests in by_kind.items()
    )
    return f"CASE a.kind {cases} ELSE FALSE END"


def _adds_something(tally: Tally, policy: Policy, weight: str, dialect: Dialect) -> str:
    """When a record that passes the tally's tests adds more than 0 (which puts the subject in
    good standing from that day). A weight of positive constants and a decay whose product
    cannot underflow at any age the record may have is always above 0, and is not computed
    twice; a rater's credibility can be as small as a double gets, so a trusted tally's weight
    is computed and tested as the Python scorer does."""
    tested = f"{weight} > {dialect.num(0.0)}"
    constants = [tally.scale, *(rung.value for rung in tally.ladder)]
    if tally.trusted or min(constants) <= 0:
        return tested
    smallest = math.log2(tally.scale) + min(
        (math.log2(rung.value) for rung in tally.ladder), default=0.0
    )
    if tally.half_life_days is not None:
        smallest -= policy.obsolete_after_days(tally.kind) / tally.half_life_days
    return "TRUE" if smallest > -1000 else tested  # 2^-1022 is the smallest normal double


def _still_counts(policy: Policy, as_of: date, dialect: Dialect) -> str:
    """Records young enough to count: an age of at most the kind's limit in (whole) days is an
    occurrence on or after a cut-off date, which the engines compare faster than an age."""
    by_cutoff: dict[date, list[str]] = {}
    for kind in RECORD_KINDS:
        days = math.floor(policy.obsolete_after_days(kind))
        cutoff = date.min if days >= (as_of - date.min).days else as_of - timedelta(days=days)
        by_cutoff.setdefault(cutoff, []).append(kind)
    cases = " ".join(
        f"WHEN a.kind IN ({', '.join(_literal(k, dialect) for k in kinds)}) THEN DATE '{cutoff.isoformat()}'"
        for cutoff, kinds in by_cutoff.items()
    )
    return f"a.occurred_on >= CASE {cases} END"


def _finish(policy: Policy, specs: tuple[FactorSpec, ...], dialect: Dialect) -> str:
    """The finish, for every subject at once: the thin-file rule, the score, its tier (an index
    into the policy's tiers; -1 for a thin file) and its reason factors folded into one number —
    the k-th reason's factor index + 1 times (factors + 1)^k — as `collect` unfolds them. The
    same rules as `score`: the highest tier the score reaches, else the lowest; reasons are the
    factors that lost at least their threshold, costliest first, ties by name."""
    zero = dialect.num(0.0)
    low, high = dialect.num(policy.range.min), dialect.num(policy.range.max)
    caps = spec_max_points(policy, specs)
    span = policy.range.max - policy.range.min
    n = len(specs)
    total = " + ".join(f"p_{s.name}" for s in specs) or zero
    lost = ",\n    ".join(
        f"{dialect.num(caps[s.name])} - p_{s.name} AS l_{k}" for k, s in enumerate(specs)
    )
    eligible = ",\n    ".join(
        f"(l_{k} >= {dialect.num(reason_threshold(caps[s.name], span))} AND l_{k} > {zero}) AS e_{k}"
        for k, s in enumerate(specs)
    )

    def ahead(j: int, k: int) -> str:  # does factor j come before factor k among the reasons?
        tie = ">=" if specs[j].name < specs[k].name else ">"
        return f"CASE WHEN e_{j} AND l_{j} {tie} l_{k} THEN 1 ELSE 0 END"

    ranks = ",\n    ".join(
        f"{' + '.join(ahead(j, k) for j in range(n) if j != k) or '0'} AS r_{k}" for k in range(n)
    )
    powers = " ".join(f"WHEN {r} THEN {(n + 1) ** r}" for r in range(MAX_REASONS))
    reasons = (
        " + ".join(
            f"CASE WHEN e_{k} AND r_{k} < {MAX_REASONS} THEN CAST({k + 1} AS BIGINT) * CASE r_{k} "
            f"{powers} END ELSE CAST(0 AS BIGINT) END"
            for k in range(n)
        )
        or "CAST(0 AS BIGINT)"
    )
    tiers = " ".join(
        f"WHEN total >= {dialect.num(t.min_score)} THEN {i}"
        for i, t in reversed(list(enumerate(policy.tiers)))
    )
    thin = policy.thin_file
    points = ", ".join(f"p_{s.name}" for s in specs)
    return f""", totals AS (
  SELECT *,
    n_active < {thin.min_records} OR span_days < {thin.min_history_days} AS thin,
    LEAST({high}, GREATEST({low}, {low} + ({total}))) AS total,
    {lost}
  FROM points
), eligible AS (
  SELECT *,
    {eligible}
  FROM totals
), ranked AS (
  SELECT *,
    {ranks}
  FROM eligible
)
SELECT subject, n_active, span_days, {points},
  CASE WHEN thin THEN NULL ELSE total END AS value,
  CASE WHEN thin THEN -1 {tiers} ELSE 0 END AS tier,
  CASE WHEN thin THEN CAST(0 AS BIGINT) ELSE {reasons} END AS reasons
FROM ranked"""


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
