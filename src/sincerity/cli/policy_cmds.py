"""policy check / show: validate a policy file and read it as a person would."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from sincerity.cli.common import out, user_errors
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES, Policy
from sincerity.policies import load_policy

policy_app = typer.Typer(help="Check and read scoring policies.", no_args_is_help=True)


def describe(policy: Policy) -> None:
    """Print a policy's factors, tiers, badges and rules in plain words."""
    out.print(f"[bold]{policy.name}[/] — version {policy.version}")
    if policy.description:
        out.print(policy.description.strip())
    caps = max_points(policy)
    factors = Table(title=f"Factors (score range {policy.range.min}–{policy.range.max})")
    for column in ("Factor", "Max points", "Half-life"):
        factors.add_column(column)
    for name in FACTOR_NAMES:
        factor = getattr(policy.factors, name)
        half_life = getattr(factor, "half_life_days", None)
        factors.add_row(
            factor.label, f"{caps[name]:.0f}", "—" if half_life is None else f"{half_life:g} days"
        )
    out.print(factors)
    tiers = Table(title="Tiers")
    tiers.add_column("Tier")
    tiers.add_column("From")
    tiers.add_column("Privileges a relying party may attach")
    for tier in policy.tiers:
        privileges = ", ".join(p.description for p in policy.privileges.get(tier.name, []))
        tiers.add_row(tier.label, str(tier.min_score), privileges)
    out.print(tiers)
    thin = policy.thin_file
    out.print(
        f"Not enough history below {thin.min_records} records or {thin.min_history_days} days. "
        f"Records stop counting after {policy.obsolescence.default_years:g} years"
        + "".join(
            f"; {kind}s after {years:g}" for kind, years in policy.obsolescence.by_kind.items()
        )
        + "."
    )
    if policy.badges:
        out.print("Badges: " + "; ".join(f"{b.name} ({b.description})" for b in policy.badges))


@policy_app.command("check")
def check(file: Annotated[str, typer.Argument(help="A policy YAML file.")]) -> None:
    """Validate a policy file; errors name the line and key."""
    with user_errors():
        policy = load_policy(file)
    out.print(f"[green]ok[/] {file}: policy {policy.version}")


@policy_app.command("show")
def show(
    file: Annotated[
        str, typer.Argument(help="A policy file or a shipped policy's name.")
    ] = "default",
) -> None:
    """Describe a policy in plain words."""
    with user_errors():
        policy = load_policy(file)
    describe(policy)
