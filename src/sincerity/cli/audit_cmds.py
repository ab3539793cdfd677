"""audit: check the registry's accountability records (the access log's checkpoints) and the
fairness of a scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sincerity.cli.common import DEFAULT_DB, DbOption, err, open_registry, out, user_errors
from sincerity.cli.fairness_cmds import fairness
from sincerity.services import access_log

audit_app = typer.Typer(
    help="Check the registry's accountability records and a scorecard's fairness.",
    no_args_is_help=True,
)
audit_app.command("fairness")(fairness)


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the checkpoint to this file.")
    ] = None,
    issuer: Annotated[str, typer.Option(help="The registry's public URL.")] = "",
    db: DbOption = DEFAULT_DB,
) -> None:
    """Sign the access log's tree head now; keep the file to check the log against it later."""
    import json

    from sincerity.services.attest import all_public_keys
    from sincerity.services.checkpoints import sign_checkpoint

    registry = open_registry(db)
    with user_errors():
        checkpoint = sign_checkpoint(registry, issuer or "sincerity")
        document = {
            "checkpoint": checkpoint.token,
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash,
            "jwks": all_public_keys(registry),
        }
    text = json.dumps(document, indent=2)
    if output is None:
        out.print(text, soft_wrap=True)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        err.print(f"Checkpoint of {checkpoint.tree_size} entries written to {output}")


def _read_checkpoint_file(path: Path) -> tuple[str, dict[str, object] | None]:
    import json

    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        err.print(f"[bold red]error:[/] cannot read {path}: {exc}")
        raise typer.Exit(2) from None
    if not text.startswith("{"):
        return text, None  # a bare token, as GET /v1/audit/checkpoint's "checkpoint" field
    try:
        document = json.loads(text)
        return str(document["checkpoint"]), document.get("jwks")
    except (ValueError, KeyError, TypeError):
        err.print(f"[bold red]error:[/] {path} is not a checkpoint file (JSON with 'checkpoint')")
        raise typer.Exit(2) from None


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="A checkpoint taken earlier: prove the log only grew since."),
    ] = None,
    db: DbOption = DEFAULT_DB,
) -> None:
    """Recompute the access log's Merkle tree; with --checkpoint, prove that today's log is an
    append-only extension of the one the checkpoint signed (nothing edited, reordered, dropped)."""
    from sincerity.services.checkpoints import verify_log

    registry = open_registry(db)
    if checkpoint is None:
        result = access_log.verify_registry(registry)
    else:
        token, jwks = _read_checkpoint_file(checkpoint)
        with user_errors():
            result = verify_log(registry, token, jwks)
    if result.ok:
        suffix = " and extend the checkpoint" if checkpoint is not None else ""
        out.print(
            f"[green]ok[/] the access log's {result.entries} entries verify{suffix} "
            f"(root {result.root_hash[:16]}…)"
        )
        return
    err.print(f"[bold red]tampered:[/] {result.problem}")
    raise typer.Exit(1)
