"""sincerity eval ratings: the reputation model against classic baselines on a real network."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sincerity.cli.common import out, user_errors
from sincerity.datasets import BITCOIN_OTC_CITATION, bitcoin_otc, read_signed_network
from sincerity.evaluation import evaluate_ratings
from sincerity.policies import load_policy

eval_app = typer.Typer(help="Evaluate Sincerity's methods on real data.", no_args_is_help=True)


@eval_app.command("ratings")
def ratings(
    edges: Annotated[
        Path | None,
        typer.Option(
            help="A signed network: SOURCE,TARGET,RATING,TIME lines, optional header. "
            "Default: the bundled SNAP Bitcoin OTC network."
        ),
    ] = None,
    policy: Annotated[
        str, typer.Option(help="Policy whose ratings factor is evaluated.")
    ] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Predict each future rating's sign from its target's past reputation (ROC AUC)."""
    with user_errors():
        network = bitcoin_otc() if edges is None else read_signed_network(edges)
        result = evaluate_ratings(network, load_policy(policy))
    if as_json:
        data = {
            "network": result.network,
            "ratings": result.ratings,
            "history": result.history,
            "future": result.future,
            "covered": result.covered,
            "coverage": result.coverage,
            "positive_share": result.positive_share,
            "trust_iterations": result.trust_iterations,
            "results": [
                {"method": r.method.strip(), "auc": r.auc, "baseline": r.is_baseline}
                for r in result.results
            ],
        }
        out.print_json(json.dumps(data))
        return
    table = Table(title=f"Next-rating prediction on {result.network}")
    table.add_column("Method")
    table.add_column("ROC AUC", justify="right")
    best_baseline = max(
        (r.auc for r in result.results if r.is_baseline and not math.isnan(r.auc)), default=math.nan
    )
    for r in result.results:
        style = "bold green" if not r.is_baseline and r.auc > best_baseline else None
        table.add_row(r.method, f"{r.auc:.4f}", style=style)
    out.print(table)
    out.print(
        f"{result.ratings} ratings: {result.history} history, {result.future} future; "
        f"{result.covered} future ratings ({100 * result.coverage:.1f}%) go to a target rated in "
        f"the history, {100 * result.positive_share:.1f}% of them positive. "
        f"Global trust converged in {result.trust_iterations} iterations."
    )
    p = result.params
    out.print(
        f"Parameters from the policy, the same for every network: rating half-life "
        f"{p.half_life_days:g} days, trust half-life {p.trust_half_life_days:g} days, negative "
        f"weight {p.negative_weight:g}, damping {p.damping:g}, retaliation "
        f"×{p.retaliation_damping:g} within {p.retaliation_window_days:g} days.",
        style="dim",
    )
    if edges is None:
        out.print(f"Data: {BITCOIN_OTC_CITATION}", style="dim")
