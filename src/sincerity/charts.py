"""Charts drawn as SVG strings, for the web pages and the lab's reports: no script, no external
asset, readable by screen readers (each has a title and a text alternative)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape


def gauge(value: float | None, low: int, high: int, label: str, spoken: str | None = None) -> str:
    """A half-circle gauge from `low` to `high` with the value's needle; `spoken` is what a
    screen reader says (in the page's language)."""
    width, height, radius, cx, cy = 240, 140, 100, 120, 125
    share = 0.0 if value is None else min(1.0, max(0.0, (value - low) / (high - low)))
    angle = math.pi * (1 - share)
    x, y = cx + radius * math.cos(angle), cy - radius * math.sin(angle)
    text = "—" if value is None else f"{math.floor(value + 0.5)}"
    arc = f"M {cx - radius} {cy} A {radius} {radius} 0 0 1 {cx + radius} {cy}"
    filled = f"M {cx - radius} {cy} A {radius} {radius} 0 0 1 {x:.1f} {y:.1f}"
    return (
        f'<svg class="gauge" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(spoken or f"Score {text} of {high}, {label}")}">'
        f"<title>{escape(spoken or f'Score {text} on a scale of {low} to {high}')}</title>"
        f'<path d="{arc}" class="gauge-track" fill="none" stroke-width="18"/>'
        + (
            f'<path d="{filled}" class="gauge-fill" fill="none" stroke-width="18"/>'
            if value is not None
            else ""
        )
        + f'<text x="{cx}" y="{cy - 20}" text-anchor="middle" class="gauge-value">{escape(text)}</text>'
        f'<text x="{cx}" y="{cy + 2}" text-anchor="middle" class="gauge-label">{escape(label)}</text>'
        "</svg>"
    )


def line_chart(
    points: Sequence[tuple[str, float]],
    low: float,
    high: float,
    title: str,
    size: tuple[int, int] = (600, 200),
    empty: str | None = None,
) -> str:
    """Score over time: dates on x, score on y. A narrow `size` keeps its text readable when
    the chart is shrunk to a phone's width."""
    if not points:
        return f'<p class="muted">{escape(empty or f"{title}: no history yet.")}</p>'
    (width, height), pad = size, 36
    n = len(points)

    def px(i: int) -> float:
        return pad + (width - 2 * pad) * (i / max(1, n - 1))

    def py(v: float) -> float:
        return height - pad - (height - 2 * pad) * (v - low) / (high - low)

    path = " ".join(
        f"{'M' if i == 0 else 'L'} {px(i):.1f} {py(v):.1f}" for i, (_, v) in enumerate(points)
    )
    dots = "".join(
        f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3"><title>{escape(d)}: {v:.0f}</title></circle>'
        for i, (d, v) in enumerate(points)
    )
    grid = "".join(
        f'<line x1="{pad}" x2="{width - pad}" y1="{py(v):.1f}" y2="{py(v):.1f}" class="grid"/>'
        f'<text x="4" y="{py(v) + 4:.1f}" class="axis">{v:.3g}</text>'
        for v in (low, (low + high) / 2, high)
    )
    labels = (
        f'<text x="{pad}" y="{height - 8}" class="axis">{escape(points[0][0])}</text>'
        f'<text x="{width - pad}" y="{height - 8}" text-anchor="end" class="axis">{escape(points[-1][0])}</text>'
    )
    summary = ", ".join(f"{d}: {v:.0f}" for d, v in points[-6:])
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}: {escape(summary)}">'
        f'<title>{escape(title)}</title>{grid}<path d="{path}" class="line" fill="none"/>{dots}{labels}</svg>'
    )


def bar_chart(bars: Sequence[tuple[str, int]], title: str) -> str:
    """Counts by category, as horizontal bars with their numbers."""
    total = max(1, max((n for _, n in bars), default=0))
    row, width, label_w = 30, 420, 150
    height = row * len(bars) + 10
    body = ""
    for i, (name, count) in enumerate(bars):
        y = 5 + i * row
        length = (width - label_w - 60) * count / total
        body += (
            f'<text x="0" y="{y + 18}" class="axis-big">{escape(name)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="20" class="bar"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 18}" class="axis-big">{count}</text>'
        )
    summary = ", ".join(f"{name}: {count}" for name, count in bars)
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}: {escape(summary)}">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )
