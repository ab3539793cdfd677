"""Rich renderings of scores and reports, as a person would read them."""

from __future__ import annotations

import json

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from sincerity.cli.common import counted
from sincerity.core.scoring import Score
from sincerity.services import SubjectReport
from sincerity.services.scores import Distribution


def _bar(points: float, maximum: float, width: int = 20) -> str:
    filled = 0 if maximum <= 0 else round(width * points / maximum)
    return "█" * filled + "░" * (width - filled)


def score_panel(subject: str, score: Score) -> Panel:
    """The score, its tier, each factor and the reasons, in one panel."""
    if score.value is None:
        head = Text("Not enough history", style="bold yellow")
    else:
        head = Text.assemble(
            (f"{score.rounded}", "bold"),
            f" / {score.range_max}   ",
            (f"{score.tier_label}", "bold green"),
        )
    factors = Table(box=None, show_header=True, pad_edge=False)
    factors.add_column("Factor")
    if score.value is not None:  # a thin file gets no number, not even per factor
        factors.add_column("Points", justify="right")
        factors.add_column("")
    factors.add_column("What we see")
    for f in score.factors:
        if score.value is None:
            factors.add_row(f.label, f.summary)
        else:
            points = f"{f.points:.0f} / {f.max_points:.0f}"
            factors.add_row(f.label, points, _bar(f.points, f.max_points), f.summary)
    parts: list[object] = [head, Text(""), factors]
    if score.reasons:
        parts.append(Text("\nWhat holds the score back", style="bold"))
        parts.extend(Text(f"  • {reason}") for reason in score.reasons)
    reaching = [step for step in score.steps if step.reaches_tier]
    raising = [step for step in score.steps if not step.reaches_tier]
    if reaching:
        parts.append(Text("\nHow to reach the next tier", style="bold"))
        parts.extend(Text(f"  → {step.action}") for step in reaching)
    if raising:
        parts.append(Text("\nWhat else would raise it", style="bold"))
        parts.extend(Text(f"  → {step.action}") for step in raising)
    earned = [b.name for b in score.badges if b.earned]
    if earned:
        parts.append(Text("\nBadges: " + ", ".join(earned)))
    if score.privileges:
        parts.append(Text("Privileges a relying party may attach: " + ", ".join(score.privileges)))
    parts.append(
        Text(
            f"\nPolicy {score.policy_version} · data as of {score.as_of} · "
            f"{score.records_used} record{'' if score.records_used == 1 else 's'} counted",
            style="dim",
        )
    )
    return Panel(Group(*parts), title=f"[bold]{subject}[/]", expand=False)  # type: ignore[arg-type]


def report_group(report: SubjectReport, record_limit: int = 30) -> Group:
    """A subject's whole file: the score panel, records, disputes, consents and history."""
    subject = report.subject
    title = subject["id"] + (f" ({subject['display_name']})" if subject.get("display_name") else "")
    disputed = {d["record_id"]: d for d in report.disputes}
    replaced = {row["supersedes"] for row in report.records if row.get("supersedes")}
    records = Table(title=f"Records ({len(report.records)})", show_lines=False)
    for column in ("Date", "Source", "Kind", "What", "Id", "State"):
        # An id is needed whole (`sincerity dispute open` takes it): fold it, never cut it.
        records.add_column(column, overflow="fold" if column == "Id" else "ellipsis")
    for row in report.records[:record_limit]:
        body = json.loads(row["body"])
        what = body.get("status") or body.get("what") or f"rating {body.get('rating')}"
        if body.get("days_late"):
            what += f" ({body['days_late']} days)"
        dispute = disputed.get(row["id"])
        records.add_row(
            str(row["occurred_on"]),
            row["source_id"],
            row["kind"],
            str(what),
            row["id"],
            "superseded"
            if row["id"] in replaced
            else ("" if dispute is None else dispute["state"]),
        )
    if len(report.records) > record_limit:
        records.caption = (
            f"… and {len(report.records) - record_limit} older records (use --json for all)"
        )
    consents = Table(title="Consents")
    for column in ("To", "For", "Since", "Until", "State"):
        consents.add_column(column)
    for c in report.consents:
        state = "revoked" if c["revoked_at"] else "in force"
        consents.add_row(
            c["grantee_id"],
            c["purpose"],
            str(c["granted_at"])[:10],
            str(c["expires_on"] or "—"),
            state,
        )
    history = Table(title="Score history")
    for column in ("As of", "Score", "Tier", "Policy"):
        history.add_column(column)
    for h in report.history[-12:]:
        value = "—" if h["value"] is None else f"{h['value']:.0f}"
        history.add_row(str(h["as_of"]), value, h["tier"] or "thin file", h["policy_version"])
    return Group(score_panel(title, report.score), records, consents, history)


def distribution_table(dist: Distribution, tiers: list[tuple[str, str]]) -> Table:
    """Subjects per tier with a bar, and the thin files."""
    counts = dist.tiers
    total = max(1, dist.subjects)
    table = Table(title=f"Score distribution ({counted(dist.subjects, 'subject')})")
    table.add_column("Tier")
    table.add_column("Subjects", justify="right")
    table.add_column("Share", justify="right")
    table.add_column("")
    for name, label in tiers:
        n = int(counts.get(name, 0))
        table.add_row(label, str(n), f"{100 * n / total:.1f}%", "█" * round(40 * n / total))
    thin = dist.thin_file
    table.add_row(
        "Not enough history",
        str(thin),
        f"{100 * thin / total:.1f}%",
        "░" * round(40 * thin / total),
    )
    return table
