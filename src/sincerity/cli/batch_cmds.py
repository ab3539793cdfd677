"""rescore and synth: whole-registry rescoring on DuckDB or Spark, and big synthetic registries."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from sincerity.cli.common import (
    DEFAULT_DB,
    AsOfOption,
    DbOption,
    err,
    open_registry,
    out,
    parse_day,
    user_errors,
)
from sincerity.cli.registry_cmds import progress_bar
from sincerity.cli.render import distribution_table
from sincerity.services import distribution, rescore_registry


def rescore(
    engine: Annotated[
        str, typer.Option(help="python, duckdb (embedded, the default) or spark.")
    ] = "duckdb",
    db: DbOption = DEFAULT_DB,
    as_of: AsOfOption = None,
    master: Annotated[str, typer.Option(help="Spark master URL.")] = "local[*]",
    parquet: Annotated[
        Path | None,
        typer.Option(
            help="Score this Parquet registry (as `sincerity synth` writes) instead of --db."
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="With --parquet: write the scores here as Parquet.")
    ] = None,
    policy: Annotated[str, typer.Option(help="With --parquet: the policy to apply.")] = "default",
) -> None:
    """Rescore every subject with one engine; the same policy gives the same scores on each."""
    if engine not in ("python", "duckdb", "spark"):
        raise typer.BadParameter("engine must be python, duckdb or spark", param_hint="--engine")
    day = parse_day(as_of)
    if parquet is not None:
        _rescore_parquet(engine, parquet, out_dir, day or date.today(), master, policy)
        return
    registry = open_registry(db)
    started = time.perf_counter()
    with user_errors(), progress_bar() as bar:
        if engine == "python":
            task = bar.add_task("Scoring (python)", total=None)
            rescore_registry(registry, day, progress=lambda n: bar.advance(task, n))
        else:
            from sincerity.services.rescore_batch import rescore_with_engine

            tasks: dict[str, object] = {}

            def advance(stage: str, n: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(
                        {"export": "Exporting records", "save": "Saving scores"}[stage], total=None
                    )
                bar.advance(tasks[stage], n)  # type: ignore[arg-type]

            run = rescore_with_engine(registry, engine, day, master, advance)  # type: ignore[arg-type]
            err.print("Stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in run.seconds.items()))
    out.print(
        distribution_table(
            distribution(registry), [(t.name, t.label) for t in registry.policy.tiers]
        )
    )
    out.print(f"Rescored with {engine} in {time.perf_counter() - started:.1f} s.")


def _rescore_parquet(
    engine: str, folder: Path, out_dir: Path | None, day: date, master: str, policy_name: str
) -> None:
    import numpy as np
    import pyarrow.parquet as pq

    from sincerity.batch import collect, run_duckdb, run_spark
    from sincerity.policies import load_policy

    if engine == "python":
        raise typer.BadParameter("--parquet needs duckdb or spark", param_hint="--engine")
    if not (folder / "records").is_dir():
        err.print(
            f"[bold red]error:[/] {folder} has no records/ folder (make one with `sincerity synth`)"
        )
        raise typer.Exit(1)
    with user_errors():
        chosen = load_policy(policy_name)
    started = time.perf_counter()
    trust_known = pq.read_table(folder / "credibility.parquet").num_rows > 0
    with user_errors():
        table = (
            run_duckdb(folder, chosen, day, trust_known)
            if engine == "duckdb"
            else run_spark(folder, chosen, day, trust_known, master)
        )
    scores = collect(table, chosen)
    elapsed = time.perf_counter() - started
    scored = ~np.isnan(scores.values)
    out.print(
        f"{len(scores.values):,} subjects scored with {engine} in {elapsed:.1f} s; "
        f"{int((~scored).sum()):,} thin files; mean score {np.nanmean(scores.values):.1f}"
    )
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        pq.write_table(scores.to_table(), out_dir / "scores.parquet")
        out.print(f"Written: {out_dir / 'scores.parquet'}")


def synth(
    subjects: Annotated[int, typer.Option(min=1, max=100_000_000, help="Subjects.")] = 10_000,
    records_per_subject: Annotated[
        int, typer.Option(min=1, max=10_000, help="Records per subject.")
    ] = 10,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the Parquet registry.")] = Path(
        "synthetic-registry"
    ),
    seed: Annotated[int, typer.Option(help="Seed.")] = 1,
    as_of: AsOfOption = None,
) -> None:
    """Write a realistic synthetic registry as Parquet (records/ and side tables), for benchmarks
    and `sincerity rescore --parquet`."""
    from sincerity.synth.bulk import synth_parquet

    day = parse_day(as_of) or date.today()
    with progress_bar() as bar:
        task = bar.add_task("Generating subjects", total=subjects)
        written = synth_parquet(
            subjects,
            records_per_subject,
            out_dir,
            day,
            seed,
            progress=lambda n: bar.advance(task, n),
        )
    out.print(f"Wrote {written:,} records of {subjects:,} synthetic subjects to {out_dir}/records/")
