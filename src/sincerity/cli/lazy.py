"""The `sincerity` console script, started in a fraction of a second.

Building the whole Typer app imports every command module, and with them the services, the lab,
SQLAlchemy, pydantic, numpy and scipy: about two seconds before `--help` could print. Here the
top-level command only knows each subcommand's name, module and one-line help; a subcommand's
module is imported when that subcommand runs or shows its own help. `build_app()` builds the
whole app from this same table; `tests/e2e/test_cli.py` checks each line of help here against
the command's own docstring.
"""

from __future__ import annotations

import importlib
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from sincerity import __version__

# name: (module, attribute, one-line help). The attribute is a command function or a Typer app.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": (
        "sincerity.cli.registry_cmds",
        "init",
        "Create a registry (or upgrade its schema) and put a policy in force.",
    ),
    "ingest": (
        "sincerity.cli.registry_cmds",
        "ingest",
        "Ingest record files, each all or nothing; errors name the file, line and field.",
    ),
    "score": (
        "sincerity.cli.registry_cmds",
        "score",
        "Show a subject's explained score, or rescore the whole registry and show the "
        "distribution.",
    ),
    "report": (
        "sincerity.cli.registry_cmds",
        "report",
        "The subject's whole file and the explanation of the score, as a person would read it.",
    ),
    "demo": (
        "sincerity.cli.demo_cmd",
        "demo",
        "Create a registry with a synthetic population (nobody real), tour it, and serve it.",
    ),
    "serve": (
        "sincerity.cli.serve_cmds",
        "serve",
        "Run the registry's HTTP API (OpenAPI docs at /docs) and its jobs on a timer.",
    ),
    "backup": (
        "sincerity.cli.serve_cmds",
        "backup",
        "Back a SQLite registry up while it runs (SQLite's online backup API).",
    ),
    "restore": (
        "sincerity.cli.serve_cmds",
        "restore",
        "Replace a SQLite registry with a backup (checked first; stop `serve` before).",
    ),
    "attest": (
        "sincerity.cli.attest_cmds",
        "attest",
        "Issue an attestation for a subject: writes SUBJECT.sd-jwt and SUBJECT.holder.jwk.",
    ),
    "present": (
        "sincerity.cli.attest_cmds",
        "present",
        "Make a presentation that discloses only the chosen claims, bound to one verifier.",
    ),
    "verify": (
        "sincerity.cli.attest_cmds",
        "verify",
        "Verify a presentation offline against published keys, and print what it proves.",
    ),
    "fit": (
        "sincerity.cli.fit_cmds",
        "fit",
        "Fit a scorecard from outcome data (lender's side), or the registry policy's factor "
        "weights from outcome labels (--from-registry).",
    ),
    "apply": (
        "sincerity.cli.fit_cmds",
        "apply",
        "Score each row with a scorecard: points per feature, the score, at most 4 reasons.",
    ),
    "rescore": (
        "sincerity.cli.batch_cmds",
        "rescore",
        "Rescore every subject with one engine; the same policy gives the same scores on each.",
    ),
    "synth": (
        "sincerity.cli.batch_cmds",
        "synth",
        "Write a realistic synthetic registry as Parquet (records/ and side tables), for "
        "benchmarks and `sincerity rescore --parquet`.",
    ),
    "keys": ("sincerity.cli.serve_cmds", "keys_app", "API keys."),
    "audit": (
        "sincerity.cli.audit_cmds",
        "audit_app",
        "Check the registry's accountability records and a scorecard's fairness.",
    ),
    "jobs": (
        "sincerity.cli.serve_cmds",
        "jobs_app",
        "Jobs that follow the clock (serve runs them on a timer).",
    ),
    "source": (
        "sincerity.cli.registry_cmds",
        "source_app",
        "Register the sources that report records.",
    ),
    "subject": (
        "sincerity.cli.registry_cmds",
        "subject_app",
        "Register subjects (people or businesses who opt in).",
    ),
    "consent": (
        "sincerity.cli.registry_cmds",
        "consent_app",
        "Consents a subject gives a source to report.",
    ),
    "dispute": ("sincerity.cli.registry_cmds", "dispute_app", "Contest a record."),
    "policy": ("sincerity.cli.policy_cmds", "policy_app", "Check and read scoring policies."),
    "eval": ("sincerity.cli.eval_cmds", "eval_app", "Evaluate Sincerity's methods on real data."),
    "lab": (
        "sincerity.cli.lab_cmds",
        "lab_app",
        "The policy lab: synthetic societies under scoring policies.",
    ),
}
HELP = "Sincerity: an explainable, contestable trust registry, and its policy lab."


def command_target(name: str) -> Any:
    """What `name` runs: its command function or Typer app, its module imported now."""
    module_name, attribute, _ = COMMANDS[name]
    return getattr(importlib.import_module(module_name), attribute)


def load_command(name: str) -> Any:
    """The command for `name` (a Typer-built click command), its module imported now."""
    target = command_target(name)
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    single.command(name=name)(target)
    return typer.main.get_command(single)


class LazyGroup(TyperGroup):
    """The top-level group: subcommands are imported only when used, and its own help lists
    them from the table instead of importing them."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"sincerity {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name="sincerity",
    cls=LazyGroup,
    help=HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # rich help would build every subcommand to list it
    context_settings={"help_option_names": ["--help", "-h"]},
)


@app.callback()
def top(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Show the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    """Sincerity: an explainable, contestable trust registry, and its policy lab."""


def main() -> None:
    """Entry point of the `sincerity` console script."""
    app()
