"""The Python scorer's evidence pass, generated from the factor spec.

`tally_function(specs)` writes one Python function for the spec — a tight loop per record kind
with each tally's tests, decay, scale and ladder inlined as literals — compiles it once and caches
it. It returns every tally's list of weights (summed later with math.fsum, so the order of
records never matters), the flags raised, and the first day in good standing (the oldest record
that added positive evidence or raised a flag) and the first record of all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sincerity.core.factor_spec import FactorSpec, Flag, Tally, Test
from sincerity.core.records import RECORD_KINDS

Trust = Mapping[str, float] | None


@dataclass(frozen=True, slots=True)
class Tallies:
    """What the spec's evidence pass found."""

    sums: dict[str, list[float]]
    flags: frozenset[str]
    oldest_positive: int | None  # a date ordinal
    oldest_any: int | None


TallyFunction = Callable[[Mapping[str, Sequence[Any]], int, Trust, Trust], Tallies]


def _condition(tests: tuple[Test, ...]) -> str:
    if not tests:
        return "True"
    return " and ".join(f"(r.{field} {op} {value!r})" for field, op, value in tests)


def _weight(tally: Tally) -> str:
    parts = []
    if tally.half_life_days is not None:
        parts.append(f"exp2(-age / {float(tally.half_life_days)!r})")
    if tally.scale != 1.0:
        parts.append(repr(float(tally.scale)))
    if tally.ladder:
        ladder = f"{float(tally.ladder[-1].value)!r}"
        for rung in reversed(tally.ladder[:-1]):
            ladder = f"({float(rung.value)!r} if {_condition(rung.when)} else {ladder})"
        parts.append(ladder)
    if tally.trusted:
        parts.append("credibility")
    return " * ".join(parts) or "1.0"


def _kind_loop(kind: str, tallies: list[tuple[Tally, bool]], flags: list[Flag]) -> list[str]:
    lines = [f"    for r in by_kind.get({kind!r}, ()):", "        o = r.occurred_on.toordinal()"]
    lines += ["        age = today - o", "        good = False"]
    if any(t.trusted for t, _ in tallies):
        lines += [
            "        credibility = 1.0 if trust is None else trust.get(r.rater, 0.0)",
            "        if damping is not None:",
            "            credibility *= damping.get(r.id, 1.0)",
        ]
    for tally, positive in tallies:
        lines += [f"        if {_condition(tally.when)}:", f"            w = {_weight(tally)}"]
        lines.append(f"            add_{tally.name}(w)")
        if positive:
            lines.append("            good = good or w > 0.0")
    for flag in flags:
        lines += [f"        if {_condition(flag.when)}:", f"            flags.add({flag.name!r})"]
        lines.append("            good = True")
    lines += ["        if good and (oldest is None or o < oldest):", "            oldest = o"]
    lines += ["        if first is None or o < first:", "            first = o"]
    return lines


def tally_source(specs: tuple[FactorSpec, ...]) -> str:
    """The Python source of the evidence pass for `specs` (for reading, and for its tests)."""
    # Every kind gets a loop, so the first record of all is found whatever the spec reads.
    by_kind: dict[str, tuple[list[tuple[Tally, bool]], list[Flag]]] = {
        kind: ([], []) for kind in RECORD_KINDS
    }
    for spec in specs:
        for tally in spec.positive:
            by_kind.setdefault(tally.kind, ([], []))[0].append((tally, True))
        for tally in spec.negative:
            by_kind.setdefault(tally.kind, ([], []))[0].append((tally, False))
        for flag in spec.flags:
            by_kind.setdefault(flag.kind, ([], []))[1].append(flag)
    names = [t.name for spec in specs for t in spec.tallies]
    lines = ["def run(by_kind, today, trust, damping):"]
    lines.append("    sums = {" + ", ".join(f"{n!r}: []" for n in names) + "}")
    lines += ["    flags = set()", "    oldest = first = None"]
    lines += [f"    add_{n} = sums[{n!r}].append" for n in names]
    for kind, (tallies, flags) in by_kind.items():
        lines += _kind_loop(kind, tallies, flags)
    lines.append("    return Tallies(sums, frozenset(flags), oldest, first)")
    return "\n".join(lines) + "\n"


_COMPILED: dict[int, tuple[tuple[FactorSpec, ...], TallyFunction]] = {}


def tally_function(specs: tuple[FactorSpec, ...]) -> TallyFunction:
    """The compiled evidence pass for `specs`, compiled once per spec object (a policy's spec
    is built once per version, so this is a dictionary lookup on the scorer's path)."""
    found = _COMPILED.get(id(specs))
    if found is not None and found[0] is specs:
        return found[1]
    function = _compile(specs)
    _COMPILED[id(specs)] = (specs, function)  # the spec is kept alive with its function
    return function


@lru_cache(maxsize=64)
def _compile(specs: tuple[FactorSpec, ...]) -> TallyFunction:
    namespace: dict[str, Any] = {"exp2": math.exp2, "Tallies": Tallies}
    exec(compile(tally_source(specs), "<sincerity factor spec>", "exec"), namespace)
    function: TallyFunction = namespace["run"]
    return function
