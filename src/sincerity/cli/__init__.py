"""The command line: thin Typer commands over the services. `main` is the console script."""

from __future__ import annotations

import typer

from sincerity.cli import (
    attest_cmds,
    audit_cmds,
    batch_cmds,
    demo_cmd,
    fit_cmds,
    registry_cmds,
    serve_cmds,
)
from sincerity.cli.eval_cmds import eval_app
from sincerity.cli.lab_cmds import lab_app
from sincerity.cli.policy_cmds import policy_app


def build_app() -> typer.Typer:
    """The `sincerity` command with all its subcommands."""
    app = typer.Typer(
        name="sincerity",
        help="Sincerity: an explainable, contestable trust registry, and its policy lab.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.command()(registry_cmds.init)
    app.command()(registry_cmds.ingest)
    app.command()(registry_cmds.score)
    app.command()(registry_cmds.report)
    app.command()(demo_cmd.demo)
    app.command()(serve_cmds.serve)
    app.command()(serve_cmds.backup)
    app.command()(serve_cmds.restore)
    app.command()(attest_cmds.attest)
    app.command()(attest_cmds.present)
    app.command()(attest_cmds.verify)
    app.command()(fit_cmds.fit)
    app.command()(fit_cmds.apply)
    app.command()(batch_cmds.rescore)
    app.command()(batch_cmds.synth)
    app.add_typer(serve_cmds.keys_app, name="keys")
    app.add_typer(audit_cmds.audit_app, name="audit")
    app.add_typer(serve_cmds.jobs_app, name="jobs")
    app.add_typer(registry_cmds.source_app, name="source")
    app.add_typer(registry_cmds.subject_app, name="subject")
    app.add_typer(registry_cmds.consent_app, name="consent")
    app.add_typer(registry_cmds.dispute_app, name="dispute")
    app.add_typer(policy_app, name="policy")
    app.add_typer(eval_app, name="eval")
    app.add_typer(lab_app, name="lab")
    return app


def main() -> None:
    """Entry point of the `sincerity` console script."""
    build_app()()


__all__ = ["build_app", "main"]
