"""sincerity demo: a registry with a synthetic population, and a short tour of it."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.rule import Rule

from sincerity.cli.common import DEFAULT_DB, DbOption, err, out, user_errors
from sincerity.cli.registry_cmds import progress_bar
from sincerity.cli.render import distribution_table, score_panel
from sincerity.db import repo, tables
from sincerity.services import Registry, build_demo, distribution, subject_report


def demo(
    db: DbOption = DEFAULT_DB,
    subjects: Annotated[
        int, typer.Option(min=10, max=200_000, help="People in the population.")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 7,
) -> None:
    """Create a registry with a synthetic population (nobody real) and tour it."""
    with user_errors():
        registry = Registry.create(db)
        with registry.engine.connect() as conn:
            existing = repo.count_rows(conn, tables.subjects)
        if existing:
            err.print(f"Using the {existing} subjects already in {db}.")
        else:
            started = time.perf_counter()
            with progress_bar() as bar:
                tasks: dict[str, object] = {}

                def advance(stage: str, n: int, total: int) -> None:
                    if stage not in tasks:
                        label = "Ingesting records" if stage == "records" else "Scoring subjects"
                        tasks[stage] = bar.add_task(label, total=total)
                    bar.advance(tasks[stage], n)  # type: ignore[arg-type]

                population = build_demo(registry, subjects, seed, progress=advance)
            err.print(
                f"Built {len(population.subjects)} synthetic subjects with "
                f"{len(population.records)} records in {time.perf_counter() - started:.1f} s."
            )
        dist = distribution(registry)
        out.print(Rule("Sincerity demo: a trust registry of synthetic people"))
        out.print(distribution_table(dist, [(t.name, t.label) for t in registry.policy.tiers]))
        with registry.engine.connect() as conn:
            latest = sorted(
                (r for r in repo.latest_scores(conn)),
                key=lambda r: (r["value"] is None, r["value"] or 0),
            )
        scored = [r for r in latest if r["value"] is not None]
        thin = [r for r in latest if r["value"] is None]
        picks = []
        if scored:
            picks += [
                scored[len(scored) // 2]["subject_id"],
                scored[len(scored) // 20]["subject_id"],
            ]
        if thin:
            picks.append(thin[0]["subject_id"])
        for subject in picks:
            report = subject_report(registry, subject)
            out.print(score_panel(f"{subject} ({report.subject['display_name']})", report.score))
    out.print(Rule("Try it"))
    for what, line in (
        ("A subject's whole file:", f"report {picks[0] if picks else 'SUBJECT'} --db {db}"),
        ("Rescore everyone:", f"score --db {db}"),
        ("The policy in force, in plain words:", "policy show default"),
        ("Every command:", "--help"),
    ):
        out.print(f"  {what}\n    [cyan].venv/bin/sincerity {line}[/]")
