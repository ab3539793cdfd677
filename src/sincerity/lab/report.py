"""The lab's HTML report: the presets side by side, each metric over time, the article's lines
each preset models. A self-contained file: inline SVG, no script, no external asset.

Each metric is one matplotlib chart with every preset on the same axes (a shared scale, so a
difference is seen as a difference), labelled axes, the mean over seeds as a line and the range
across seeds as a band."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from html import escape

from sincerity.lab.policy import LabPolicy
from sincerity.lab.run import METRICS, Summary

STYLE = """body{font:16px/1.5 system-ui,"DejaVu Sans",sans-serif;color:#16202a;max-width:1100px;margin:0 auto;padding:16px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #c9d1d9;padding:6px;text-align:left}
figure{margin:0}figure svg{width:100%;height:auto}blockquote{border-left:4px solid #0b5cad;margin:6px 0;padding:2px 10px;color:#333}
.grid{display:grid;gap:16px;grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}"""


def _fmt(summary: Summary) -> str:
    if math.isnan(summary.mean):
        return "—"
    if math.isnan(summary.low):
        return f"{summary.mean:.3f}"
    return f"{summary.mean:.3f} [{summary.low:.3f}, {summary.high:.3f}]"


def html_report(
    policies: Sequence[LabPolicy],
    rows: Sequence[dict[str, float | str]],
    summaries: Sequence[Summary],
    title: str,
    settings: str,
) -> str:
    """The whole report as one HTML document."""
    presets = [p.name for p in policies]
    by_key = {(s.preset, s.metric): s for s in summaries}
    head = "".join(f"<th scope='col'>{escape(p)}</th>" for p in presets)
    body = "".join(
        f"<tr><th scope='row'>{escape(label)}</th>"
        + "".join(f"<td>{_fmt(by_key[(p, metric)])}</td>" for p in presets)
        + "</tr>"
        for metric, label in METRICS.items()
    )
    charts = [
        chart
        for metric, label in METRICS.items()
        if (chart := metric_chart(rows, presets, metric, label))
    ]
    quotes = "".join(
        f"<section><h3>{escape(p.name)}</h3><p>{escape(p.description)}</p>"
        + "".join(f"<blockquote>{escape(q)}</blockquote>" for q in p.article)
        + "</section>"
        for p in policies
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(settings)}</p>"
        "<h2>At the last step: mean [95% interval across seeds]</h2>"
        f"<table><thead><tr><th scope='col'>Metric</th>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<h2>Over time</h2><div class='grid'>{''.join(charts)}</div><h2>What each preset models</h2>{quotes}"
        "<p>Synthetic agents only. The lab's rules on speech, associations, purchases and "
        "visibility exist here to be studied; the registry refuses them for real people.</p>"
        "</body></html>"
    )


COLOURS = ("#0b5cad", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#be123c")


def metric_chart(
    rows: Sequence[dict[str, float | str]], presets: Sequence[str], metric: str, label: str
) -> str:
    """One metric over the months for every preset on shared axes, as an inline SVG figure
    (empty when no preset measured it)."""
    series = {}
    for preset in presets:
        by_step: dict[float, list[float]] = {}
        for row in rows:
            if row["preset"] == preset and not math.isnan(float(row[metric])):
                by_step.setdefault(float(row["step"]), []).append(float(row[metric]))
        if by_step:
            series[preset] = sorted(by_step.items())
    if not series:
        return ""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2, 3.0), layout="constrained")
    axes = figure.add_subplot()
    for index, (preset, points) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        months = [step for step, _ in points]
        means = [sum(v) / len(v) for _, v in points]
        axes.fill_between(
            months,
            [min(v) for _, v in points],
            [max(v) for _, v in points],
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
        axes.plot(months, means, color=colour, linewidth=1.8, label=preset)
    axes.set_xlabel("month")
    axes.set_ylabel(label, fontsize=8)
    axes.set_title(label, fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, frameon=False)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and doctype
    caption = f"{label}: mean over seeds (line) and range across seeds (band), every preset"
    return (
        f"<figure role='img' aria-label='{escape(caption)}'>{svg}"
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )
