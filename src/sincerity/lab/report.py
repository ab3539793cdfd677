"""The lab's HTML report: the presets side by side, each metric over time, the article's lines
each preset models. A self-contained file: inline SVG, no script, no external asset."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from sincerity.charts import line_chart
from sincerity.lab.policy import LabPolicy
from sincerity.lab.run import METRICS, Summary

STYLE = """body{font:16px/1.5 system-ui,"DejaVu Sans",sans-serif;color:#16202a;max-width:1100px;margin:0 auto;padding:16px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #c9d1d9;padding:6px;text-align:left}
svg.chart{width:100%;height:auto}.line{stroke:#0b5cad;stroke-width:2.5}.axis{font-size:12px;fill:#4a5663}
line.grid{stroke:#dde3e8}circle{fill:#0b5cad}blockquote{border-left:4px solid #0b5cad;margin:6px 0;padding:2px 10px;color:#333}
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
    charts = []
    for metric, label in METRICS.items():
        panels = []
        for preset in presets:
            steps: dict[float, list[float]] = {}
            for row in rows:
                if row["preset"] == preset and not math.isnan(float(row[metric])):
                    steps.setdefault(float(row["step"]), []).append(float(row[metric]))
            points = [(str(int(s)), sum(v) / len(v)) for s, v in sorted(steps.items())]
            if not points:
                continue
            values = [v for _, v in points]
            low, high = min(values), max(values)
            if high - low < 1e-9:
                high = low + 1.0
            panels.append(line_chart(points, low, high, f"{label} — {preset} (mean over seeds)"))
        if panels:
            charts.append(
                f"<section><h3>{escape(label)}</h3><div class='grid'>{''.join(panels)}</div></section>"
            )
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
        f"<h2>Over time</h2>{''.join(charts)}<h2>What each preset models</h2>{quotes}"
        "<p>Synthetic agents only. The lab's rules on speech, associations, purchases and "
        "visibility exist here to be studied; the registry refuses them for real people.</p>"
        "</body></html>"
    )
