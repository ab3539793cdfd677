"""The operator's pages: registry health, parties, the dispute queue."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, Query, Request
from fastapi.responses import HTMLResponse

from sincerity.api.deps import IntId, RegistryDep
from sincerity.charts import bar_chart
from sincerity.core.errors import InvalidInputError
from sincerity.core.factors import max_points
from sincerity.core.policy import FACTOR_NAMES
from sincerity.services.disputes import review_queue, uphold_dispute
from sincerity.services.operator import (
    list_parties,
    look_up_subject,
    register_relying_party,
    register_source,
    register_subject,
    stats,
)
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


@router.post("/operator/parties", response_class=HTMLResponse)
def register(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    kind: Annotated[str, Form(max_length=20)],
    party_id: Annotated[str, Form(max_length=128)],
    name: Annotated[str, Form(max_length=200)],
    kinds: Annotated[list[str] | None, Form()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """Register a source, relying party or subject; its first API key is shown once."""
    session = need(session, "operator")
    check_csrf(session, None, x_csrf_token)
    party_id, name = party_id.strip(), name.strip()
    if kind == "source":
        key = register_source(registry, party_id, name, kinds or [])
    elif kind == "relying_party":
        key = register_relying_party(registry, party_id, name)
    elif kind == "subject":
        key = register_subject(registry, party_id, name)
    else:
        raise InvalidInputError("register a source, a relying party or a subject")
    return render(
        request, "_registered.html", kind=kind, party_id=party_id, party_name=name, key=key
    )


@router.get("/operator/subjects", response_class=HTMLResponse)
def look_up(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    subject_id: Annotated[str, Query(max_length=128)],
) -> HTMLResponse:
    """Look a subject up (the lookup goes in their access log)."""
    session = need(session, "operator")
    found = look_up_subject(registry, session.actor.id, subject_id.strip())
    return render(request, "_lookup.html", found=found)
