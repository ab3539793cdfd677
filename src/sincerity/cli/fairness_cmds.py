"""audit fairness: whether a scorecard treats groups fairly, judged on out-of-fold scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from sincerity.cli.common import out, user_errors
from sincerity.cli.fit_cmds import BUNDLED, read_table
from sincerity.core.errors import InvalidInputError
from sincerity.policies import load_scorecard


def fairness(
    scorecard: Annotated[Path, typer.Argument(help="A scorecard YAML file.")],
    data: Annotated[
        str, typer.Argument(help=f"Applicants with outcomes and protected columns, or {BUNDLED!r}.")
    ],
    group: Annotated[list[str], typer.Option(help="Protected column to audit by (repeatable).")],
    cut: Annotated[
        list[str] | None,
        typer.Option(help="Split a numeric column: COLUMN=VALUE gives '< VALUE' and '>= VALUE'."),
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Decision threshold (default: the scorecard's).")
    ] = None,
    in_sample: Annotated[
        bool,
        typer.Option(
            "--in-sample",
            help="Judge the card applied to DATA as it is, instead of out-of-fold scores (use "
            "it for applicants the card was not fitted on).",
        ),
    ] = False,
    compare: Annotated[
        str | None, typer.Option(help="A second period's data, for population stability (PSI).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for fairness.html and fairness.json.")
    ] = Path("fairness-audit"),
) -> None:
    """Selection rate by group with fairlearn, the demographic parity ratio with a bootstrap
    interval and the probability of failing four-fifths, equalized odds, calibration by group,
    groups too small to conclude, proxies of each protected attribute, PSI — as HTML and JSON.
    Judged on out-of-fold scores unless --in-sample."""
    from sincerity.scorecards.audit import audit
    from sincerity.scorecards.fit import cross_validate, settings_of
    from sincerity.scorecards.proxies import proxy_report
    from sincerity.scorecards.report import html_report

    with user_errors():
        card = load_scorecard(scorecard)
        frame = read_table(data)
        groups = audit_groups(frame, group, cut or [])
        scores, basis = None, "in-sample predictions (the card applied to these rows)"
        if not in_sample:
            if card.target not in frame.columns:
                raise InvalidInputError(
                    f"out-of-fold scores need the outcome column {card.target!r}: "
                    "add it, or pass --in-sample"
                )
            settings = settings_of(card)
            scores = cross_validate(frame, settings).oof_scores
            basis = f"out-of-fold predictions ({settings.folds} folds, seed {settings.seed})"
        result = audit(
            card,
            frame,
            groups,
            threshold,
            read_table(compare) if compare else None,
            scores=scores,
            predictions=basis,
        )
        result["proxies"] = proxy_report(card, frame, groups)
        result["features"] = {
            "monotone": [f.name for f in card.features if f.monotone],
            "unconstrained": [f.name for f in card.features if not f.monotone],
            "allows_purpose": card.allows_purpose,
            "offset": card.offset,
        }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fairness.json").write_text(
        json.dumps(result, indent=1, default=str), encoding="utf-8"
    )
    (out_dir / "fairness.html").write_text(
        html_report(result, card.evaluation or None), encoding="utf-8"
    )
    show_audit(result)
    out.print(f"Written: {out_dir / 'fairness.html'}, {out_dir / 'fairness.json'}")


def audit_groups(frame: Any, columns: list[str], cuts: list[str]) -> dict[str, list[Any]]:
    """The groupings to audit by: a column's values, or a numeric column cut at a value."""
    edges = {}
    for item in cuts:
        column, _, value = item.partition("=")
        try:
            edges[column] = float(value)
        except ValueError:
            raise InvalidInputError(f"--cut takes COLUMN=NUMBER, not {item!r}") from None
    groups: dict[str, list[Any]] = {}
    for column in columns:
        if column not in frame.columns:
            raise InvalidInputError(f"no column named {column!r} to audit by")
        if column in edges:
            edge = edges[column]
            groups[f"{column} (cut at {edge:g})"] = [
                f"under {edge:g}" if v < edge else f"{edge:g} and over" for v in frame[column]
            ]
        else:
            groups[column] = frame[column].tolist()
    return groups


def show_audit(result: dict[str, Any]) -> None:
    """The audit's verdicts in a person's words."""
    out.print(f"Judged on {result['predictions']}; approved at {result['threshold']:.0f} or more")
    for name, entry in result["audits"].items():
        verdict = (
            "[bold red]VIOLATES the four-fifths rule[/]"
            if entry["four_fifths_violation"]
            else "[green]passes the four-fifths rule[/]"
        )
        low, high = entry["demographic_parity_ratio_ci"]
        rates = ", ".join(
            f"{g} {100 * v['selection_rate']:.1f}% of {int(v['applicants'])}"
            for g, v in entry["groups"].items()
        )
        out.print(
            f"{name}: selected {rates}; parity ratio {entry['demographic_parity_ratio']:.3f} "
            f"(95% interval {low:.3f}–{high:.3f}) — {verdict}; chance it fails: "
            f"{entry['probability_four_fifths_fails']:.1%}"
        )
        if entry["too_small_to_conclude"]:
            out.print(
                f"  [yellow]too small to conclude[/] (under {result['min_group']} applicants): "
                + ", ".join(entry["too_small_to_conclude"])
            )
        if entry.get("rebalanced_threshold"):
            fix = entry["rebalanced_threshold"]
            out.print(
                f"  rebalance: one threshold of {fix['threshold']:.0f} for everyone "
                f"gives ratio {fix['demographic_parity_ratio']:.3f}"
            )
        proxy = result.get("proxies", {}).get(name)
        if proxy and proxy["auc"] is not None:
            flag = "[bold red]strong proxy[/]" if proxy["strong_proxy"] else "weak proxy"
            carriers = ", ".join(proxy["carriers"]) or "no single feature"
            out.print(
                f"  the card's features predict it with AUC {proxy['auc']:.3f} ({flag}); "
                f"carried most by: {carriers}"
            )
    if "psi" in result:
        out.print(f"PSI {result['psi']['value']:.3f}: {result['psi']['band']}")
