"""The lab page: small runs, queued, for signed-in people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Header, Path, Request
from fastapi.responses import HTMLResponse

from sincerity.api.deps import RegistryDep, limit_by_client
from sincerity.core.errors import InvalidInputError, PermissionDeniedError
from sincerity.web.pages import (
    OptionalSession,
    SignInRequiredError,
    check_csrf,
    render,
)

router = APIRouter(include_in_schema=False)


# The lab ----------------------------------------------------------------------------------------

# name: (label, lowest, highest): the form's labels and its checks come from here.
LAB_FIELDS = {"agents": ("Agents", 50, 5000), "steps": ("Months", 1, 120), "seeds": ("Seeds", 1, 3)}


@router.get("/lab", response_class=HTMLResponse)
def lab_page(request: Request, session: OptionalSession) -> HTMLResponse:
    from sincerity.lab import PRESETS

    return render(request, "lab.html", session=session, presets=PRESETS, fields=LAB_FIELDS)


def lab_number(name: str, text: str) -> int:
    """A lab form field as a whole number within its range, or an error that names the field,
    its range and what was typed (the form keeps every value)."""
    label, low, high = LAB_FIELDS[name]
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise InvalidInputError(
            f"{label} must be a whole number from {low:,} to {high:,} (you typed {text.strip()!r})"
        )
    return value


@router.post("/lab", response_class=HTMLResponse)
def lab_run(
    request: Request,
    registry: RegistryDep,
    session: OptionalSession,
    presets: Annotated[list[str] | None, Form()] = None,
    agents: Annotated[str, Form(max_length=20)] = "2000",
    steps: Annotated[str, Form(max_length=20)] = "60",
    seeds: Annotated[str, Form(max_length=20)] = "2",
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> HTMLResponse:
    """Queue a small lab run for a signed-in person; the page polls its progress."""
    from sincerity.lab import PRESETS, LabConfig, load_lab_policy, run_presets, seeds_for, summarize
    from sincerity.lab.report import html_report

    if session is None:
        raise PermissionDeniedError("sign in to run the lab (anyone with a key may)")
    check_csrf(session, None, x_csrf_token)
    agents_n, steps_n, seeds_n = (
        lab_number(name, text)
        for name, text in (("agents", agents), ("steps", steps), ("seeds", seeds))
    )
    limit_by_client(request, "lab")
    chosen = [p for p in (presets or []) if p in PRESETS] or ["accountable", "described"]
    policies = [load_lab_policy(p, {"default": registry.policy}) for p in chosen]

    def work(progress: Callable[[int], None]) -> str:
        rows = run_presets(
            policies, LabConfig(agents=agents_n), steps_n, seeds_for(seeds_n), progress
        )
        settings = f"{agents_n:,} synthetic agents, {steps_n} months, {seeds_n} seed(s)"
        report = html_report(
            policies, rows, summarize(rows), "Policy lab: " + " vs ".join(chosen), settings
        )
        return report.split("<body>", 1)[1].rsplit("</body>", 1)[0]

    owner = f"{session.actor.kind}:{session.actor.id}"
    job = request.app.state.lab_jobs.submit(owner, len(policies) * seeds_n * steps_n, work)
    return render(request, "_lab_job.html", job=job)


@router.get("/lab/jobs/{job_id}", response_class=HTMLResponse)
def lab_job(
    request: Request, job_id: Annotated[str, Path(max_length=32)], session: OptionalSession
) -> HTMLResponse:
    """A lab run's progress, or its report once finished."""
    if session is None:
        raise SignInRequiredError
    job = request.app.state.lab_jobs.get(job_id, f"{session.actor.kind}:{session.actor.id}")
    if job.state == "finished":
        return HTMLResponse(f'<section class="card" id="lab-result">{job.html}</section>')
    return render(request, "_lab_job.html", job=job)
