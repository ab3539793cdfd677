"""sincerity lab: run scoring policies over a synthetic society and compare what they do."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sincerity import __version__
from sincerity.cli.common import out, user_errors
from sincerity.cli.registry_cmds import progress_bar
from sincerity.lab import (
    METRICS,
    PRESETS,
    LabConfig,
    LabPolicy,
    load_lab_policy,
    run_presets,
    seeds_for,
    summarize,
)
from sincerity.lab.config import BOUNDS, NETWORKS
from sincerity.lab.policy import with_policy_settings
from sincerity.lab.report import html_report
from sincerity.policies import shipped_policy

lab_app = typer.Typer(
    help="The policy lab: synthetic societies under scoring policies.", no_args_is_help=True
)

Agents = Annotated[int, typer.Option(min=10, max=5_000_000, help="Agents in the society.")]
Steps = Annotated[int, typer.Option(min=1, max=10_000, help="Months to simulate.")]
Seeds = Annotated[
    int, typer.Option(min=1, max=1000, help="Independent runs (seeds 1..K); 10 or more.")
]
Network = Annotated[str, typer.Option(help="small_world or scale_free.")]
Settings = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Change a model parameter (--set mutation=0; `sincerity lab params` lists them) "
        "or a rule (--set speech_rules.penalty_per_critical_post=10); repeatable.",
    ),
]
PresetArgument = Annotated[
    str, typer.Argument(help=f"A preset ({', '.join(PRESETS)}) or a lab policy file.")
]
OutDir = Annotated[
    Path, typer.Option("--out", help="Folder for metrics (Parquet, CSV), summary and report.")
]


def _setup(
    names: list[str], agents: int, network: str, assignments: list[str] | None
) -> tuple[list[LabPolicy], LabConfig]:
    """The policies (with `--set` applied to each) and the run's size, from the options every
    lab command shares. A policy's own model parameters apply on top of the defaults."""
    if network not in NETWORKS:
        raise typer.BadParameter(
            "network must be small_world or scale_free", param_hint="--network"
        )
    registries = {"default": shipped_policy()}
    with user_errors():
        policies = [
            with_policy_settings(load_lab_policy(name, registries), assignments or [])
            for name in names
        ]
    return policies, LabConfig(agents=agents, network=network)  # type: ignore[arg-type]


def _write_manifest(
    path: Path,
    policies: list[LabPolicy],
    config: LabConfig,
    steps: int,
    seeds: list[int],
    assignments: list[str] | None,
    **results: Any,
) -> None:
    """What reproduces a run (version, commit, sizes, seeds, settings, each policy in full and
    the full model configuration it ran with) beside its results, as strict JSON."""
    manifest = {
        "sincerity_version": __version__,
        "git_commit": _git_commit(),
        "months": steps,
        "seeds": seeds,
        "set": assignments or [],
        "config": {p.name: asdict(p.configured(config)) for p in policies},
        "policies": [p.model_dump(mode="json") for p in policies],
        **results,
    }
    path.write_text(json.dumps(_nulls(manifest), indent=1, allow_nan=False))


def _run(
    names: list[str],
    agents: int,
    steps: int,
    seeds: int,
    network: str,
    out_dir: Path,
    assignments: list[str] | None = None,
) -> None:
    policies, config = _setup(names, agents, network, assignments)
    seed_list = seeds_for(seeds)
    with progress_bar() as bar:
        task = bar.add_task(
            f"Simulating {agents:,} agents", total=len(policies) * len(seed_list) * steps
        )
        rows = run_presets(
            policies, config, steps, seed_list, progress=lambda n: bar.advance(task, n)
        )
    summaries = summarize(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write(rows, out_dir)
    (out_dir / "summary.json").write_text(
        # Strict JSON: a mean or bound that does not exist is null, never NaN.
        json.dumps([_nulls(asdict(s)) for s in summaries], indent=1, allow_nan=False)
    )
    from sincerity.lab.run import convergence, horizons

    settled = convergence(rows)
    (out_dir / "horizons.json").write_text(
        json.dumps(
            _nulls(
                {
                    "horizons": {
                        str(step): [asdict(s) for s in at] for step, at in horizons(rows).items()
                    },
                    "last_year_change": [{**asdict(c), "moving": c.moving} for c in settled],
                }
            ),
            indent=1,
            allow_nan=False,
        )
    )
    _write_manifest(
        out_dir / "run.json",
        policies,
        config,
        steps,
        seed_list,
        assignments,
        presets=names,
    )
    settings = (
        f"{agents:,} agents on a {network.replace('_', '-')} network, {steps} months, "
        f"seeds {seed_list[0]}..{seed_list[-1]}"
    )
    title = "Policy lab: " + " vs ".join(p.name for p in policies)
    (out_dir / "report.html").write_text(
        html_report(policies, rows, summaries, title, settings), encoding="utf-8"
    )
    table = Table(
        title=f"{title} — last month, mean \\[bootstrap 95% interval across {seeds} seeds]"
    )
    table.add_column("Metric")
    for policy in policies:
        table.add_column(policy.name, justify="right")
    by_key = {(s.preset, s.metric): s for s in summaries}
    for metric, label in METRICS.items():
        cells = []
        for policy in policies:
            s = by_key[(policy.name, metric)]
            cells.append(
                "—"
                if math.isnan(s.mean)
                else f"{s.mean:.3f}"
                + ("" if math.isnan(s.low) else f" [{s.low:.3f}, {s.high:.3f}]")
            )
        table.add_row(label, *cells)
    out.print(table)
    moving = [f"{METRICS[c.metric]} ({c.preset})" for c in settled if c.moving]
    if moving:
        out.print(
            "Still moving over the last 12 months (its 95% interval excludes 0), so not settled "
            "at this horizon: " + "; ".join(moving)
        )
    written = ", ".join(
        str(out_dir / f)
        for f in (
            "metrics.parquet",
            "metrics.csv",
            "summary.json",
            "horizons.json",
            "run.json",
            "report.html",
        )
    )
    out.print(f"Written: {written}")


def _nulls(value: Any) -> Any:
    """`value` with every NaN float replaced by None, at any depth."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nulls(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nulls(v) for v in value]
    return value


def _git_commit() -> str | None:
    """The commit of the source tree this package runs from, if it is a git checkout."""
    import subprocess

    here = Path(__file__).resolve().parent
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return found.stdout.strip() or None if found.returncode == 0 else None


def _write(rows: list[dict[str, float | str]], out_dir: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    columns = list(rows[0])
    pq.write_table(pa.Table.from_pylist(rows), out_dir / "metrics.parquet")
    with (out_dir / "metrics.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


@lab_app.command("run")
def run(
    preset: Annotated[
        str, typer.Option(help=f"A preset ({', '.join(PRESETS)}) or a lab policy file.")
    ] = "described",
    agents: Agents = 10_000,
    steps: Steps = 100,
    seeds: Seeds = 10,
    network: Network = "small_world",
    settings: Settings = None,
    out_dir: OutDir = Path("lab-results"),
) -> None:
    """Run one policy over a synthetic society and write its metrics and report."""
    _run([preset], agents, steps, seeds, network, out_dir, settings)


@lab_app.command("compare")
def compare(
    presets: Annotated[list[str], typer.Argument(help="Presets or lab policy files to compare.")],
    agents: Agents = 10_000,
    steps: Steps = 100,
    seeds: Seeds = 10,
    network: Network = "small_world",
    settings: Settings = None,
    out_dir: OutDir = Path("lab-results"),
    controls: Annotated[
        bool,
        typer.Option(
            help="Also run each policy with each of its rules' penalties at 0 (on the same "
            "seeds) and show every effect whose bootstrap interval excludes 0."
        ),
    ] = True,
) -> None:
    """Run several policies on the same seeds and compare them side by side, and each lab rule
    against its control."""
    from sincerity.lab.effects import rules_in

    _run(presets, agents, steps, seeds, network, out_dir, settings)
    if not controls or seeds < 2:
        return
    policies, config = _setup(presets, agents, network, settings)
    for index, policy in enumerate(policies):
        chosen = rules_in(policy)
        if chosen:
            path = out_dir / f"effects-{index + 1}-{Path(policy.name).stem}.json"
            _effects(policy, config, steps, seeds_for(seeds), chosen, settings, path, True)


@lab_app.command("effects")
def effects(
    preset: PresetArgument = "described",
    rules: Annotated[
        list[str] | None,
        typer.Option(
            "--rule",
            help="speech, association, purchase, place, visibility or gamification "
            "(default: all it has).",
        ),
    ] = None,
    agents: Agents = 10_000,
    steps: Steps = 100,
    seeds: Annotated[
        int, typer.Option(min=2, max=1000, help="Paired runs (seeds 1..K); 10 or more.")
    ] = 10,
    network: Network = "small_world",
    settings: Settings = None,
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            help="Instead of the rules' controls, one control: the preset with these settings "
            "(--against consequences.contracts_by_score=false; repeatable, applied together).",
        ),
    ] = None,
    out_dir: OutDir = Path("lab-results"),
) -> None:
    """Each rule's effect: the preset against itself with that rule's penalty at 0, on the same
    seeds, with a bootstrap 95% interval of the paired differences (or against any control
    given with --against)."""
    from sincerity.lab.effects import RULE_PENALTIES, rules_in

    (policy,), config = _setup([preset], agents, network, settings)
    if against:
        if rules:
            raise typer.BadParameter("give --rule or --against, not both", param_hint="--against")
        with user_errors():
            control = with_policy_settings(policy, against)
        label = "against " + ", ".join(against)
        _effects(
            policy,
            config,
            steps,
            seeds_for(seeds),
            [],
            settings,
            out_dir / "effects.json",
            controls={label: control},
        )
        return
    chosen = rules or rules_in(policy)
    unknown = sorted(set(chosen) - set(RULE_PENALTIES))
    if unknown:
        raise typer.BadParameter(
            f"no rule {', '.join(unknown)}: use {', '.join(RULE_PENALTIES)}", param_hint="--rule"
        )
    missing = sorted(set(chosen) - set(rules_in(policy)))
    if missing:
        raise typer.BadParameter(
            f"{policy.name} applies no {', '.join(missing)} penalty", param_hint="--rule"
        )
    if not chosen:
        out.print(f"{policy.name} applies no lab rule: there is no effect to measure.")
        return
    _effects(policy, config, steps, seeds_for(seeds), chosen, settings, out_dir / "effects.json")


def _effects(
    policy: LabPolicy,
    config: LabConfig,
    steps: int,
    seed_list: list[int],
    chosen: list[str],
    settings: list[str] | None,
    path: Path,
    clear_only: bool = False,
    controls: dict[str, LabPolicy] | None = None,
) -> None:
    """Run the policy and each rule's control (or the `controls` given) on the same seeds,
    write the effects and show them (with `clear_only`, only those whose interval excludes
    0)."""
    from sincerity.lab.effects import contrasts, controls_for

    chosen_controls = controls or controls_for(policy, chosen)
    with progress_bar() as bar:
        task = bar.add_task(
            f"Simulating {config.agents:,} agents, {policy.name} and "
            f"{len(chosen_controls)} control(s)",
            total=(len(chosen_controls) + 1) * len(seed_list) * steps,
        )
        found = contrasts(
            policy,
            chosen_controls,
            config,
            steps,
            seed_list,
            progress=lambda n: bar.advance(task, n),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_manifest(
        path,
        [policy],
        config,
        steps,
        seed_list,
        settings,
        preset=policy.name,
        controls={label: p.model_dump(mode="json") for label, p in chosen_controls.items()},
        effects=[asdict(e) for e in found],
    )
    table = Table(
        title=f"{policy.name}: "
        + ("against its control" if controls else "each rule against its control (penalty 0)")
        + f", month {steps}, "
        f"mean paired difference \\[bootstrap 95% interval, {len(seed_list)} seeds]"
        + (" — only effects whose interval excludes 0" if clear_only else "")
    )
    for column in ("Rule", "Metric", "With", "Control", "Effect"):
        table.add_column(column, justify="left" if column in ("Rule", "Metric") else "right")
    for e in found:
        excludes_zero = e.low > 0 or e.high < 0
        if clear_only and not excludes_zero:
            continue
        effect = f"{e.effect:+.3f} \\[{e.low:+.3f}, {e.high:+.3f}]"
        table.add_row(
            e.rule,
            METRICS[e.metric],
            f"{e.treated:.3f}",
            f"{e.control:.3f}",
            f"[bold]{effect}[/]" if excludes_zero else effect,
        )
    out.print(table)
    if len(seed_list) < 10:
        out.print(
            f"[yellow]Only {len(seed_list)} seeds: bootstrap intervals over fewer than 10 "
            "seeds are rough; use --seeds 10 or more for a finding.[/]"
        )
    out.print(("" if clear_only else "Bold: the interval excludes 0. ") + f"Written: {path}")


@lab_app.command("sweep")
def sweep(
    rule: Annotated[
        str,
        typer.Argument(help="speech, association, purchase, place, visibility or gamification."),
    ],
    doses: Annotated[
        str,
        typer.Option(
            "--doses",
            help="Multiples of the preset's own penalty, comma-separated (0 is the control).",
        ),
    ] = "0,0.5,1,2",
    preset: Annotated[
        str, typer.Option(help=f"A preset ({', '.join(PRESETS)}) or a lab policy file.")
    ] = "described",
    metrics: Annotated[
        list[str] | None,
        typer.Option("--metric", help="Metrics to show (default: all); see METRICS."),
    ] = None,
    agents: Agents = 10_000,
    steps: Steps = 100,
    seeds: Annotated[int, typer.Option(min=2, max=1000, help="Paired runs per dose.")] = 10,
    network: Network = "small_world",
    settings: Settings = None,
    out_dir: OutDir = Path("lab-results"),
) -> None:
    """Dose-response: the preset with one rule's penalty at several multiples of its own, each
    against the same preset at 0, on the same seeds (bootstrap 95% intervals)."""
    from sincerity.lab.effects import RULE_PENALTIES, dose_response, rules_in

    if rule not in RULE_PENALTIES:
        raise typer.BadParameter(f"use one of {', '.join(RULE_PENALTIES)}", param_hint="RULE")
    try:
        levels = [float(d) for d in doses.split(",") if d.strip()]
    except ValueError:
        raise typer.BadParameter(
            f"{doses!r} is not a list of numbers", param_hint="--doses"
        ) from None
    if not levels or any(d < 0 or d > 100 for d in levels):
        raise typer.BadParameter("doses are numbers from 0 to 100", param_hint="--doses")
    shown = metrics or list(METRICS)
    unknown = sorted(set(shown) - set(METRICS))
    if unknown:
        raise typer.BadParameter(
            f"no metric {', '.join(unknown)}: use {', '.join(METRICS)}", param_hint="--metric"
        )
    (policy,), config = _setup([preset], agents, network, settings)
    if rule not in rules_in(policy):
        raise typer.BadParameter(f"{policy.name} applies no {rule} penalty", param_hint="RULE")
    seed_list = seeds_for(seeds)
    runs = len({0.0, *levels})
    with progress_bar() as bar:
        task = bar.add_task(
            f"Simulating {agents:,} agents at {runs} doses", total=runs * len(seed_list) * steps
        )
        points = dose_response(
            policy, rule, levels, config, steps, seed_list, lambda n: bar.advance(task, n)
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_manifest(
        out_dir / "sweep.json",
        [policy],
        config,
        steps,
        seed_list,
        settings,
        preset=policy.name,
        rule=rule,
        doses=sorted({0.0, *levels}),
        points=[asdict(p) for p in points],
    )
    table = Table(
        title=f"{policy.name}: {rule} penalty x dose, month {steps} — mean; effect against "
        f"dose 0 [bootstrap 95% interval, {seeds} seeds]"
    )
    table.add_column("Metric")
    doses_run = sorted({0.0, *levels})
    for dose in doses_run:
        table.add_column(f"x{dose:g}", justify="right")
    by_key = {(p.metric, p.dose): p for p in points}
    for metric in shown:
        cells = []
        for dose in doses_run:
            p = by_key.get((metric, dose))
            if p is None:
                cells.append("—")
            elif dose == 0:
                cells.append(f"{p.mean:.3f}")
            else:
                cells.append(f"{p.mean:.3f}\n{p.effect:+.3f} [{p.low:+.3f}, {p.high:+.3f}]")
        table.add_row(METRICS[metric], *cells)
    out.print(table)
    out.print("Written: " + str(out_dir / "sweep.json"))


@lab_app.command("classics")
def classics(
    seeds: Annotated[int, typer.Option(min=2, max=100, help="Runs per condition.")] = 5,
) -> None:
    """Check the lab's mechanisms against the classic results they stand on: indirect
    reciprocity and group scoring, the Emperor's dilemma, the spiral of silence and bounded
    confidence."""
    from sincerity.lab.classics import CLASSICS
    from sincerity.lab.run import bootstrap_interval

    table = Table(
        title=f"Classic results reproduced by the lab's mechanisms "
        f"(mean \\[bootstrap 95% interval, {seeds} seeds])"
    )
    for column in ("Classic", "Condition", "Expected", "Measured", "Ok"):
        table.add_column(column)
    failed = 0
    with progress_bar() as bar:
        task = bar.add_task("Simulating", total=len(CLASSICS) * seeds)
        for classic in CLASSICS:
            values = []
            for seed in seeds_for(seeds):
                values.append(classic.measure(seed))
                bar.advance(task, 1)
            mean = sum(values) / len(values)
            low, high = bootstrap_interval(values)
            ok = classic.reproduced(mean)
            failed += not ok
            table.add_row(
                classic.model,
                classic.condition,
                f"{classic.claim}: {classic.outcome} {classic.threshold}",
                f"{mean:.3f} \\[{low:.3f}, {high:.3f}]",
                "yes" if ok else "[bold red]no[/]",
            )
    out.print(table)
    if failed:
        out.print(f"[bold red]{failed} classic result(s) not reproduced.[/]")
        raise typer.Exit(1)


@lab_app.command("sensitivity")
def sensitivity(
    preset: PresetArgument = "described",
    trajectories: Annotated[
        int, typer.Option(min=2, max=200, help="Morris trajectories (runs: this × 15).")
    ] = 10,
    agents: Agents = 2000,
    steps: Steps = 60,
    network: Network = "small_world",
    settings: Settings = None,
    out_dir: OutDir = Path("lab-results"),
) -> None:
    """Global sensitivity (Morris screening, SALib): which model parameters drive each headline
    outcome, by μ* (mean absolute elementary effect over each parameter's screened range)."""
    from sincerity.lab.sensitivity import HEADLINE, SCREENED, drivers, morris

    (policy,), config = _setup([preset], agents, network, settings)
    runs = trajectories * (len(SCREENED) + 1)
    with progress_bar() as bar:
        task = bar.add_task(f"Morris screening: {runs} runs of {agents:,} agents", total=runs)
        found, _ = morris(
            policy, config, steps, trajectories, progress=lambda n: bar.advance(task, n)
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_manifest(
        out_dir / "sensitivity.json",
        [policy],
        config,
        steps,
        [1],
        settings,
        preset=policy.name,
        trajectories=trajectories,
        screened={name: list(bounds) for name, bounds in SCREENED.items()},
        influences=[asdict(i) for i in found],
    )
    table = Table(
        title=f"{policy.name}: what drives each outcome at month {steps} — Morris μ* "
        f"\\[± 95% half-width], {trajectories} trajectories"
    )
    table.add_column("Outcome")
    for rank in ("First", "Second", "Third"):
        table.add_column(rank)
    for outcome in HEADLINE:
        top = drivers(found, outcome)
        if top:
            table.add_row(
                METRICS[outcome],
                *(f"{i.parameter} {i.mu_star:.3g} \\[±{i.mu_star_conf:.2g}]" for i in top),
            )
    out.print(table)
    out.print(
        "μ*: how much the outcome moves, on average, when one parameter steps across its "
        "screened range (sensitivity.json has every parameter, with σ). Written: "
        + str(out_dir / "sensitivity.json")
    )


@lab_app.command("params")
def params() -> None:
    """The model's parameters: their defaults, the range `--set` accepts, and how to set them."""
    from sincerity.lab.policy import RUN_SIZE_KEYS

    table = Table(title="Lab parameters")
    for column in ("Parameter", "Default", "Range", "Set with"):
        table.add_column(column)
    for name, default in asdict(LabConfig()).items():
        allowed = " or ".join(NETWORKS) if name == "network" else "{:g}..{:g}".format(*BOUNDS[name])
        how = f"--{name}" if name in RUN_SIZE_KEYS else f"--set {name}=…"
        table.add_row(name, str(default), allowed, how)
    out.print(table)
    out.print(
        "Each can also live in a lab policy file (under model:). Rules and consequences: "
        "--set SECTION.FIELD=VALUE, e.g. --set speech_rules.penalty_per_critical_post=10 "
        "(docs/lab-model.md describes each)."
    )


@lab_app.command("presets")
def presets() -> None:
    """The shipped presets and the article's lines each one models."""
    for policy in _setup(list(PRESETS), 10, "small_world", None)[0]:
        out.print(f"[bold]{policy.name}[/] — {policy.description.strip()}")
        for quote in policy.article:
            out.print(f"  “{quote}”", style="italic")
