"""fit, apply, audit fairness: scorecards learned from outcomes, and whether they treat groups
fairly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sincerity.cli.common import DEFAULT_DB, DbOption, err, open_registry, out, user_errors
from sincerity.core.errors import InvalidInputError
from sincerity.core.scorecard import apply_scorecard
from sincerity.policies import dump_yaml, load_scorecard

BUNDLED = "german-credit"


def read_table(source: str) -> Any:
    """A CSV or Parquet file as a DataFrame, or the bundled German Credit data by name."""
    import pandas as pd

    if source == BUNDLED:
        from sincerity.datasets import german_credit

        return german_credit()
    path = Path(source)
    if not path.exists():
        raise InvalidInputError(f"{path}: no such file (or use {BUNDLED!r} for the bundled data)")
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    raise InvalidInputError(f"{path}: use a .csv or .parquet file")


def _read_rankings(path: Path | None, data: str, use_bundled: bool) -> dict[str, list[str]]:
    """Documented orders of categorical columns: a YAML file (column: [categories in order]),
    or the bundled data's own code book."""
    if path is None:
        if data == BUNDLED and use_bundled:
            from sincerity.datasets.german import ORDINAL_RANKINGS

            return dict(ORDINAL_RANKINGS)
        return {}
    import yaml

    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidInputError(f"{path}: cannot read the rankings ({exc})") from None
    if not isinstance(loaded, dict) or not all(
        isinstance(v, list) and len(v) >= 2 for v in loaded.values()
    ):
        raise InvalidInputError(
            f"{path}: rankings map each column to a list of its categories in order, "
            "e.g. `employment: [unemployed, under 1 year, 1 to 4 years]`"
        )
    return {str(k): [str(c) for c in v] for k, v in loaded.items()}


def fit(
    data: Annotated[
        str | None,
        typer.Argument(help=f"Applicants with outcomes (.csv/.parquet), or {BUNDLED!r}."),
    ] = None,
    target: Annotated[str | None, typer.Option(help="The outcome column.")] = None,
    event: Annotated[
        str | None, typer.Option(help="The outcome value meaning 'bad' (default: bad or 1).")
    ] = None,
    protected: Annotated[
        list[str] | None,
        typer.Option(help="Protected columns: kept for the audit, never features."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option(help="Columns to leave out altogether (repeatable).")
    ] = None,
    allow_purpose: Annotated[
        bool,
        typer.Option(
            help="Score what the loan buys (purpose), where the lender's law permits it; the "
            "card says so, and the AUC without it is reported beside."
        ),
    ] = False,
    rankings: Annotated[
        Path | None,
        typer.Option(
            help="YAML: column -> its categories in a documented order, binned monotone "
            "(the bundled data uses its code book's)."
        ),
    ] = None,
    bundled_rankings: Annotated[
        bool, typer.Option(help="Use the bundled data's documented orders.")
    ] = True,
    population_bad_rate: Annotated[
        float | None,
        typer.Option(
            help="The bad rate of the population the card will score (prior correction of a "
            "sample that over-represents bad loans)."
        ),
    ] = None,
    max_features: Annotated[
        int, typer.Option(min=1, max=50, help="Most features in the scorecard.")
    ] = 12,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 10,
    seed: Annotated[int, typer.Option(help="Seed of the fold split.")] = 0,
    from_registry: Annotated[
        Path | None,
        typer.Option(
            help="Fit the registry policy's weights to these labels (subject,outcome[,as_of])."
        ),
    ] = None,
    out_file: Annotated[
        Path, typer.Option("--out", help="Where to write the scorecard or policy YAML.")
    ] = Path("scorecard.yaml"),
    db: DbOption = DEFAULT_DB,
) -> None:
    """Fit a scorecard from outcome data (lender's side), or the registry policy's factor
    weights from outcome labels (--from-registry)."""
    if from_registry is not None:
        _fit_registry(from_registry, out_file, db)
        return
    if data is None or target is None:
        err.print("[bold red]error:[/] give DATA and --target (or --from-registry LABELS.csv)")
        raise typer.Exit(2)
    from sincerity.core.refusals import is_purchase_purpose
    from sincerity.scorecards.fit import cross_validate, fit_scorecard, parity_gap, settings_of

    with user_errors():
        frame = read_table(data)
        if target not in frame.columns:
            raise InvalidInputError(
                f"no column named {target!r} for --target (the columns are: "
                f"{', '.join(map(str, frame.columns))})"
            )
        excluded = list(exclude or [])
        if data == BUNDLED:
            from sincerity.datasets.german import PROTECTED

            protected = protected or list(PROTECTED)
            if not allow_purpose and "purpose" not in excluded:
                excluded.append("purpose")  # refused by default: what the loan buys
        values = {str(v) for v in frame[target].dropna().unique()}
        chosen_event = event or next(
            (v for v in ("bad", "1", "1.0", "default") if v in values), None
        )
        if chosen_event is None:
            raise InvalidInputError(
                f"say which value of {target!r} is the bad outcome: --event "
                f"(values: {', '.join(sorted(values)[:10])})"
            )
        card, evaluation, opt = fit_scorecard(
            frame,
            target,
            chosen_event,
            protected or [],
            max_features,
            folds,
            seed,
            name=Path(out_file).stem.replace(".", "-") or "fitted",
            rankings=_read_rankings(rankings, data, bundled_rankings),
            allow_purpose=allow_purpose,
            population_bad_rate=population_bad_rate,
            exclude=excluded,
        )
        purposes = [c for c in frame.columns if is_purchase_purpose(str(c))]
        without = None
        if allow_purpose and purposes:
            settings = settings_of(card)
            without = cross_validate(
                frame,
                type(settings)(
                    **{
                        **settings.__dict__,
                        "allow_purpose": False,
                        "exclude": (*settings.exclude, *purposes),
                    }
                ),
            ).summary()
    summary = evaluation.summary()
    out_file.write_text(
        dump_yaml(
            card.model_dump(mode="json"), f"Scorecard {card.version}, fitted by sincerity fit"
        ),
        encoding="utf-8",
    )
    show_fit(card, summary, folds, without)
    out.print(
        f"Parity with the fitted model: largest score difference {parity_gap(card, opt, frame):.2e}"
    )
    out.print(f"Written: {out_file}")


def show_fit(card: Any, summary: dict[str, Any], folds: int, without: Any) -> None:
    """The fitted card in a person's words: accuracy, calibration, what it scores and how."""
    table = Table(
        title=f"{card.version}: {len(card.features)} features, {folds}-fold cross-validation"
    )
    table.add_column("Measure")
    table.add_column("Mean", justify="right")
    table.add_column("Spread (sd)", justify="right")
    for label, key in (("ROC AUC", "auc"), ("Gini", "gini"), ("KS", "ks")):
        table.add_row(label, f"{summary[key + '_mean']:.4f}", f"{summary[key + '_sd']:.4f}")
    if without is not None:
        table.add_row(
            "ROC AUC without purpose", f"{without['auc_mean']:.4f}", f"{without['auc_sd']:.4f}"
        )
    out.print(table)
    population = any("predicted_population_bad_rate" in r for r in summary["calibration"])
    calibration = Table(title="Calibration (out-of-fold, by decile of predicted bad rate)")
    columns = ["Decile", "Applicants", "Predicted bad rate", "Observed bad rate"]
    if population:
        columns += ["Predicted (population)", "Observed (population)"]
    for column in columns:
        calibration.add_column(column, justify="right")
    for row in summary["calibration"]:
        cells = [
            str(row["band"]),
            str(row["applicants"]),
            f"{row['predicted_bad_rate']:.3f}",
            f"{row['observed_bad_rate']:.3f}",
        ]
        if population:
            cells += [
                f"{row['predicted_population_bad_rate']:.3f}",
                f"{row['observed_population_bad_rate']:.3f}",
            ]
        calibration.add_row(*cells)
    out.print(calibration)
    monotone = [f.name for f in card.features if f.monotone]
    free = [f.name for f in card.features if not f.monotone]
    out.print(f"Monotone in their order ({len(monotone)}): {', '.join(monotone) or 'none'}")
    out.print(
        f"Unconstrained (categories grouped by bad rate, no order to respect) ({len(free)}): "
        f"{', '.join(free) or 'none'}"
    )
    out.print(
        f"Protected (audit only): {', '.join(card.protected) or 'none'}; "
        f"decision threshold {card.decision_threshold:.0f} (from out-of-fold scores)"
    )
    settings = summary.get("settings", {})
    if card.allows_purpose:
        out.print("[yellow]This card scores what the loan buys (purpose): --allow-purpose[/]")
    elif settings.get("exclude"):
        out.print(f"Left out: {', '.join(settings['exclude'])}")
    if card.offset:
        out.print(
            f"Prior-corrected from the sample's bad rate {settings['sample_bad_rate']:.1%} to "
            f"the population's {settings['population_bad_rate']:.1%}: {card.offset:+.1f} points"
        )


def _fit_registry(labels_file: Path, out_file: Path, db: str) -> None:
    from sincerity.services.fit_policy import fit_from_registry, read_labels

    registry = open_registry(db)
    with user_errors():
        policy, report = fit_from_registry(registry, read_labels(labels_file, registry.today()))
    out_file.write_text(
        dump_yaml(
            policy.content, f"Policy {policy.version}, fitted by sincerity fit --from-registry"
        ),
        encoding="utf-8",
    )
    out.print(f"Fitted on {report.scored - report.held_out} subjects; held out {report.held_out}.")
    out.print(
        f"Held-out AUC: current policy {report.auc_current_policy:.4f}, "
        f"fitted policy {report.auc_fitted_policy:.4f}"
    )
    out.print("Weights: " + ", ".join(f"{k} {v:g}" for k, v in report.weights.items()))
    out.print(
        f"Written: {out_file} (check it with `sincerity policy check`, "
        "use it with `sincerity init --policy`)"
    )


def apply(
    scorecard: Annotated[Path, typer.Argument(help="A scorecard YAML file.")],
    data: Annotated[str, typer.Argument(help=f"Applicants (.csv/.parquet), or {BUNDLED!r}.")],
    out_file: Annotated[
        Path | None,
        typer.Option("--out", help="Write every row's points, score and reasons (CSV)."),
    ] = None,
    show: Annotated[int, typer.Option(help="Rows to show.")] = 10,
) -> None:
    """Score each row with a scorecard: points per feature, the score, at most 4 reasons."""
    import csv

    with user_errors():
        card = load_scorecard(scorecard)
        frame = read_table(data)
    rows = frame.to_dict("records")
    scored = [apply_scorecard(card, row) for row in rows]
    table = Table(
        title=f"{card.version} on {len(rows)} rows (threshold {card.decision_threshold:.0f})"
    )
    for column in ("Row", "Score", "Decision", "Reasons"):
        table.add_column(column)
    for index, result in enumerate(scored[:show], start=1):
        decision = "approve" if result.score >= card.decision_threshold else "decline"
        table.add_row(str(index), f"{result.score:.0f}", decision, "; ".join(result.reasons))
    out.print(table)
    if out_file is not None:
        with out_file.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            names = [f.name for f in card.features]
            writer.writerow(
                ["row", *[f"points_{n}" for n in names], "score", "decision", "reasons"]
            )
            for index, result in enumerate(scored, start=1):
                decision = "approve" if result.score >= card.decision_threshold else "decline"
                writer.writerow(
                    [
                        index,
                        *[f"{result.points[n]:.6f}" for n in names],
                        f"{result.score:.6f}",
                        decision,
                        " | ".join(result.reasons),
                    ]
                )
        out.print(f"Written: {out_file}")
