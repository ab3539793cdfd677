"""Commands over a registry: init, source/subject/consent, ingest, score, report, dispute."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sincerity.cli.common import (
    DEFAULT_DB,
    AsOfOption,
    DbOption,
    counted,
    err,
    open_registry,
    out,
    parse_day,
    show_error,
    user_errors,
)
from sincerity.cli.render import distribution_table, report_group, score_panel
from sincerity.core.errors import SincerityError
from sincerity.policies import load_policy
from sincerity.services import (
    Registry,
    add_source,
    add_subject,
    distribution,
    grant_source_consent,
    ingest_file,
    open_dispute,
    rescore_registry,
    revoke_source_consent,
    subject_report,
)
from sincerity.services.files import count_rows

source_app = typer.Typer(help="Register the sources that report records.", no_args_is_help=True)
subject_app = typer.Typer(
    help="Register subjects (people or businesses who opt in).", no_args_is_help=True
)
consent_app = typer.Typer(help="Consents a subject gives a source to report.", no_args_is_help=True)
dispute_app = typer.Typer(help="Contest a record.", no_args_is_help=True)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def init(
    db: DbOption = DEFAULT_DB,
    policy: Annotated[
        str, typer.Option(help="Policy file to put in force, or a shipped policy's name.")
    ] = "default",
) -> None:
    """Create a registry (or upgrade its schema) and put a policy in force."""
    with user_errors():
        registry = Registry.create(db, load_policy(policy))
    out.print(f"Registry ready at {db}; policy in force: [bold]{registry.policy.version}[/]")
    from sincerity.services.kek import default_kek_path

    beside = default_kek_path(db)
    if registry.kek is None:
        err.print(
            "[yellow]No key-encryption key:[/] set SINCERITY_KEK_FILE (see `sincerity keys "
            "new-kek`) before signing proofs or serving this registry"
        )
    elif beside is not None and beside.exists():
        err.print(f"Signing keys are sealed with the key in {beside} (mode 600): back it up apart")


@source_app.command("add")
def source_add(
    source_id: Annotated[str, typer.Argument(help="A short id, e.g. city-power.")],
    kinds: Annotated[str, typer.Option(help="Record kinds it may report, comma-separated.")],
    name: Annotated[str | None, typer.Option(help="A readable name.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Register a source and the kinds of record it may report."""
    registry = open_registry(db)
    with user_errors():
        add_source(
            registry,
            source_id,
            name or source_id,
            [k.strip() for k in kinds.split(",") if k.strip()],
        )
    out.print(f"Source {source_id} registered.")


@subject_app.command("add")
def subject_add(
    subject_id: Annotated[str, typer.Argument(help="The subject's id.")],
    name: Annotated[str | None, typer.Option(help="A display name.")] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Register a subject who opts in to the registry."""
    registry = open_registry(db)
    with user_errors():
        add_subject(registry, subject_id, name)
    out.print(f"Subject {subject_id} registered.")


@consent_app.command("grant")
def consent_grant(
    subject_id: str,
    source_id: str,
    until: Annotated[
        str | None, typer.Option(help="Consent ends after this date (YYYY-MM-DD).")
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """The subject allows a source to report records about them."""
    registry = open_registry(db)
    with user_errors():
        grant_source_consent(registry, subject_id, source_id, parse_day(until, "--until"))
    out.print(
        f"{subject_id} consents to reports from {source_id}"
        + (f" until {until}." if until else ".")
    )


@consent_app.command("revoke")
def consent_revoke(subject_id: str, source_id: str, db: DbOption = DEFAULT_DB) -> None:
    """The subject withdraws a source's consent to report; records already held stay."""
    registry = open_registry(db)
    with user_errors():
        revoked = revoke_source_consent(registry, subject_id, source_id)
    out.print(f"Revoked {counted(revoked, 'consent')} of {subject_id} to {source_id}.")


def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, JSON Lines or Parquet files.")],
    db: DbOption = DEFAULT_DB,
    rescore: Annotated[bool, typer.Option(help="Rescore the subjects each file touches.")] = True,
) -> None:
    """Ingest record files, each all or nothing; errors name the file, line and field."""
    registry = open_registry(db)
    failed = 0
    for path in files:
        try:
            with progress_bar() as bar:
                task = bar.add_task(
                    f"Reading {path.name}", total=count_rows(path) if path.exists() else None
                )
                result = ingest_file(
                    registry, path, progress=partial(bar.advance, task), rescore=rescore
                )
        except SincerityError as exc:
            show_error(exc)
            failed += 1
            continue
        out.print(
            f"{path}: {counted(result.inserted, 'record')} stored, "
            f"{result.unchanged} already held"
            + (f", {counted(result.subjects_rescored, 'subject')} rescored" if rescore else "")
        )
    if failed:
        err.print(f"{failed} of {counted(len(files), 'file')} refused; nothing of them was stored.")
        raise typer.Exit(1)


def score(
    subject: Annotated[
        str | None, typer.Argument(help="A subject id; without it, rescore everyone.")
    ] = None,
    db: DbOption = DEFAULT_DB,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a panel.")] = False,
) -> None:
    """Show a subject's explained score, or rescore the whole registry and show the distribution."""
    registry = open_registry(db)
    day = parse_day(as_of)
    with user_errors():
        if subject is not None:
            result = subject_report(registry, subject, day).score
            if as_json:
                out.print_json(json.dumps(result.to_dict()))
            else:
                out.print(score_panel(subject, result))
            return
        with progress_bar() as bar:
            task = bar.add_task("Rescoring", total=None)
            rescore_registry(registry, day, progress=lambda n: bar.advance(task, n))
        dist = distribution(registry)
        if as_json:
            summary = {"subjects": dist.subjects, "thin_file": dist.thin_file, "tiers": dist.tiers}
            out.print_json(json.dumps(summary))
        else:
            out.print(distribution_table(dist, [(t.name, t.label) for t in registry.policy.tiers]))


def report(
    subject: Annotated[str, typer.Argument(help="The subject id.")],
    db: DbOption = DEFAULT_DB,
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Everything held, as JSON.")] = False,
) -> None:
    """The subject's whole file and the explanation of the score, as a person would read it."""
    registry = open_registry(db)
    with user_errors():
        result = subject_report(registry, subject, parse_day(as_of))
    if as_json:
        data = {
            "subject": result.subject,
            "score": result.score.to_dict(),
            "records": [{**r, "body": json.loads(r["body"])} for r in result.records],
            "disputes": result.disputes,
            "consents": result.consents,
            "history": result.history,
        }
        out.print_json(json.dumps(data, default=str))
    else:
        out.print(report_group(result))


@dispute_app.command("open")
def dispute_open(
    subject: Annotated[str, typer.Argument(help="The subject contesting the record.")],
    record: Annotated[str, typer.Argument(help="The record id.")],
    reason: Annotated[str, typer.Option(help="Why the record is wrong.")],
    db: DbOption = DEFAULT_DB,
) -> None:
    """Contest a record: it stops counting at once, until the source confirms it."""
    registry = open_registry(db)
    with user_errors():
        dispute_id = open_dispute(registry, subject, record, reason)
    out.print(f"Dispute {dispute_id} opened; record {record} no longer counts while it is open.")
