"""The operator's pages: registry health, parties, the dispute queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import HTMLResponse

from sincerity.api.deps import IntId, RegistryDep
from sincerity.charts import bar_chart
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES
from sincerity.services.disputes import review_queue, uphold_dispute
from sincerity.services.operator import list_parties, stats
from sincerity.services.registry import Registry
from sincerity.web.pages import (
    OptionalSession,
    check_csrf,
    need,
    render,
)

router = APIRouter(include_in_schema=False)


def queue_context(registry: Registry, operator_id: str) -> list[dict[str, Any]]:
    now = registry.now()
    return [
        {**asdict(d), "age_days": (now - d.opened_at).days}
        for d in review_queue(registry, operator_id)
    ]


@router.get("/operator", response_class=HTMLResponse)
def operator(request: Request, registry: RegistryDep, session: OptionalSession) -> HTMLResponse:
    session = need(session, "operator")
    policy = registry.policy
    figures = stats(registry)
    caps = max_points(policy)
    factors = []
    for name in FACTOR_NAMES:
        factor = getattr(policy.factors, name)
        half_life = getattr(factor, "half_life_days", None)
        factors.append(
            {
                "label": factor.label,
                "max": caps[name],
                "half_life": "—" if half_life is None else f"{half_life:g} days",
            }
        )
    bars = [(t.label, figures.tiers.get(t.name, 0)) for t in policy.tiers]
    bars.append(("Not enough history", figures.thin_files))
    queue = queue_context(registry, session.actor.id)
    return render(
        request,
        "operator.html",
        session=session,
        stats=figures,
        policy=policy,
        factors=factors,
        parties=list_parties(registry),
        queue=queue,
        distribution_chart=bar_chart(bars, "Subjects by tier"),
    )


@router.post("/operator/disputes/{dispute_id}/uphold", response_class=HTMLResponse)
def uphold(
    request: Request,
    dispute_id: IntId,
    registry: RegistryDep,
    session: OptionalSession,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    session = need(session, "operator")
    check_csrf(session, None, x_csrf_token)
    uphold_dispute(registry, dispute_id, session.actor.id)
    return render(
        request,
        "_dispute_queue.html",
        session=session,
        queue=queue_context(registry, session.actor.id),
        queue_message=f"Dispute {dispute_id} upheld: the record is suppressed for good.",
    )
