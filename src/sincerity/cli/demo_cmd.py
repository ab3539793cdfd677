"""sincerity demo: a registry with a synthetic population, and a short tour of it."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.rule import Rule

from sincerity.cli import serve_cmds
from sincerity.cli.common import DEFAULT_DB, DbOption, err, out, user_errors
from sincerity.cli.registry_cmds import progress_bar
from sincerity.cli.render import distribution_table, score_panel
from sincerity.services import Registry, build_demo, distribution, subject_report
from sincerity.services.demo import DEMO_PURPOSE, demo_credentials, demo_invitation
from sincerity.services.passkeys import INVITATION_DAYS
from sincerity.services.scores import latest_scores, subject_count
from sincerity.synth import Population, outcome_labels


def write_labels(population: Population, path: Path, as_of: str) -> None:
    """Simulated outcomes of the demo population (from each person's hidden reliability)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subject", "outcome", "as_of"])
        for subject, bad in outcome_labels(population):
            writer.writerow([subject, "bad" if bad else "good", as_of])
    err.print(f"Wrote outcome labels to {path}.")


STAGES = {
    "records": "Ingesting records",
    "scores": "Scoring subjects",
    "history": "Backfilling monthly score history",
}


def demo(
    db: DbOption = DEFAULT_DB,
    subjects: Annotated[
        int, typer.Option(min=10, max=200_000, help="People in the population.")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic population.")] = 7,
    history: Annotated[
        int,
        typer.Option(
            min=0, max=120, help="Months of score history to backfill (each month's end)."
        ),
    ] = 24,
    serve: Annotated[bool, typer.Option(help="Start the HTTP API after the tour.")] = True,
    port: Annotated[int, typer.Option(help="Port for the HTTP API.")] = 8000,
    labels: Annotated[
        Path | None,
        typer.Option(
            help="Also write who 'later defaulted' (simulated) to this CSV, "
            "for `fit --from-registry`."
        ),
    ] = None,
) -> None:
    """Create a registry with a synthetic population (nobody real), tour it, and serve it."""
    with user_errors():
        registry = Registry.create(db)
        existing = subject_count(registry)
        if existing:
            err.print(f"Using the {existing} subjects already in {db}.")
        else:
            started = time.perf_counter()
            with progress_bar() as bar:
                tasks: dict[str, object] = {}

                def advance(stage: str, n: int, total: int) -> None:
                    if stage not in tasks:
                        label = STAGES.get(stage, stage)
                        tasks[stage] = bar.add_task(label, total=total)
                    bar.advance(tasks[stage], n)  # type: ignore[arg-type]

                population = build_demo(
                    registry, subjects, seed, progress=advance, history_months=history
                )
            if labels is not None:
                write_labels(population, labels, registry.today().isoformat())
            err.print(
                f"Built {len(population.subjects)} synthetic subjects with "
                f"{len(population.records)} records in {time.perf_counter() - started:.1f} s."
            )
        dist = distribution(registry)
        out.print(Rule("Sincerity demo: a trust registry of synthetic people"))
        out.print(distribution_table(dist, [(t.name, t.label) for t in registry.policy.tiers]))
        latest = sorted(latest_scores(registry), key=lambda r: (r.value is None, r.value or 0))
        scored = [r for r in latest if r.value is not None]
        thin = [r for r in latest if r.value is None]
        picks = []
        if scored:
            picks += [scored[len(scored) // 2].subject_id, scored[len(scored) // 20].subject_id]
        if thin:
            picks.append(thin[0].subject_id)
        for subject in picks:
            report = subject_report(registry, subject)
            out.print(score_panel(f"{subject} ({report.subject['display_name']})", report.score))
    with user_errors():
        keys = demo_credentials(registry, picks[0] if picks else "subj-00001")
    out.print(Rule("Try it"))
    for what, line in (
        ("A subject's whole file:", f"report {picks[0] if picks else 'SUBJECT'} --db {db}"),
        ("Rescore everyone:", f"score --db {db}"),
        ("The policy in force, in plain words:", "policy show default"),
        ("Every command:", "--help"),
    ):
        out.print(f"  {what}\n    [cyan].venv/bin/sincerity {line}[/]")
    base = serve_cmds.public_url_for("127.0.0.1", port)
    from sincerity.web.pages import LANDING_PAGES

    out.print(Rule("The web pages and the HTTP API: sign in as each role with these keys"))
    kinds = {"relying party": "relying_party"}
    for role, (who, key) in keys.items():
        page, can = LANDING_PAGES[kinds.get(role, role)]
        out.print(f"  {role:<14} {who:<22} [green]{key}[/]")
        out.print(f"  {'':<14} lands on [cyan]{base}{page}[/]: {can}", soft_wrap=False)
    with user_errors():
        invitation = demo_invitation(registry, keys["subject"][0])
    out.print(
        f"\n  Or as a person, with a passkey: open [cyan]{base}/invite/{invitation}[/] "
        f"(once, within {INVITATION_DAYS} days) to make one for {keys['subject'][0]}."
    )
    subject_key = keys["subject"][1]
    party_key = keys["relying party"][1]
    out.print(f"\n  Web: {base}/ (sign in with a key above) · API docs: {base}/docs")
    out.print(
        f"  A subject's score:  curl -H 'Authorization: Bearer {subject_key}' {base}/v1/me/score"
    )
    out.print(
        f"  A relying party's check:  curl -H 'Authorization: Bearer {party_key}' "
        f'-H \'Content-Type: application/json\' -d \'{{"subject_id": "{keys["subject"][0]}", '
        f'"purpose": "{DEMO_PURPOSE}", "threshold": 700}}\' {base}/v1/checks'
    )
    if serve:
        serve_cmds.serve(db=db, host="127.0.0.1", port=port)
