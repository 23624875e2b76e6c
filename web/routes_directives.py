"""Pages of directives: the list, and one directive seen from any unit of the account's subtree."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from rollout.status import STATUS_LABELS, Status
from rollout.stored_plan import plan_of
from storage import UnitOfWork
from storage.models import UnitRow
from web import queries as q
from web.accounts import Principal, Role
from web.deps import now, page_principal, uow
from web.figures import subtree_figures
from web.readings import Readings, seen_at, version_at
from web.service_status import service_status
from web.timeline import timeline_svg

router = APIRouter(include_in_schema=False)
LETTER_NAMES = {"nhac_han": "Nhắc hạn", "cong_van_don_doc": "Công văn đôn đốc", "leo_thang": "Báo cáo vượt cấp",
                "thong_bao_trien_khai": "Thông báo triển khai"}
STATUSES = [Status.OVERDUE, Status.OPEN, Status.PENDING, Status.DONE_ON_TIME, Status.DONE_LATE, Status.WAIVED]


def _base(request: Request, csrf: str) -> dict[str, Any]:
    return {"request": request, "principal": getattr(request.state, "principal", None), "csrf": csrf,
            "now": now(request), "Role": Role, "service": service_status(request)}


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """A page with the account, its CSRF token, the clock and the service's health in its context."""
    base = _base(request, getattr(request.state, "csrf", ""))
    return request.app.state.templates.TemplateResponse(request, name, base | context, status_code=status)


# Stands for the session's CSRF token in a shared page; random per process, so no page text can contain it.
CSRF_SLOT = f"csrf-{secrets.token_hex(12)}"


def render_shared(request: Request, principal: Principal, work: UnitOfWork,
                  build: Callable[[], tuple[str, dict[str, Any]]]) -> HTMLResponse:
    """A page read by many at once (a directive, a list): rendered once per reading (web.readings) for every session
    of the same account asking for the same address, each answer with its own session's CSRF token."""
    def page() -> str:
        name, context = build()
        template = request.app.state.templates.get_template(name)
        return str(template.render(_base(request, CSRF_SLOT) | context))

    html: str = request.app.state.readings.get(seen_at("page", principal, request),
                                               version_at(work.session, now(request)), page)
    return HTMLResponse(html.replace(CSRF_SLOT, request.state.csrf))


@router.get("/directives", response_class=HTMLResponse)
def directives_page(request: Request, principal: Principal = Depends(page_principal),
                    work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Directives whose tree meets the account's subtree: phase, next step with countdown, share on time, overdue."""
    return render(request, "directives.html", {"items": q.summaries(work.session, principal, now(request))})


def directive_context(work: UnitOfWork, principal: Principal, number: str, unit: str | None, at: datetime,
                      readings: Readings) -> dict[str, Any]:
    """Everything the directive page shows, from the anchor unit down."""
    session = work.session
    directive, root = q.directive_in_scope(session, principal, number)
    anchor = q.anchor_for(session, principal, root, unit)
    phase_rows = q.phases(session, directive.id)
    figures = subtree_figures(readings, session, directive, anchor, at)
    floor = root.path if root.path.startswith(principal.unit_path) else principal.unit_path
    event, quotas = q.event_panel(session, directive, anchor)
    own = q.own_obligations(session, anchor, directive.id)
    return {
        "directive": directive, "root": root, "anchor": anchor, "phases": phase_rows, "keys": figures.keys,
        "phase": q.current_phase(phase_rows), "next": q.next_step(phase_rows, figures.keys, at, event),
        "event": event, "quotas": quotas,
        "rollup": figures.rollup,
        "children": figures.children,
        "own": own,
        "history": q.corrected_history(session, [o.id for o, _ in own]),
        "overdue": figures.overdue,
        "heat": figures.heat,
        "trail": q.ancestors(session, anchor, floor),
        "governs": principal.governs(issuer_path := session.get_one(UnitRow, directive.issuer_id).path),
        "waives": principal.waives(issuer_path),
        "labels": {s.value: s.label for s in STATUS_LABELS}, "statuses": STATUSES,
        "fields": {o.key: o.fields for o in plan_of(directive).obligations},
        "titles": {k.key: k.title for k in figures.keys},
        "letter_names": LETTER_NAMES,
        "sources": q.source_documents(session, directive.id),
    }


@router.get("/directives/{number:path}", response_class=HTMLResponse)
def directive_page(request: Request, number: str, unit: str | None = None,
                   principal: Principal = Depends(page_principal), work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """One directive: timeline, subtree by status with drill-down, overdue units and their letters, state reason."""
    def build() -> tuple[str, dict[str, Any]]:
        at = now(request)
        context = directive_context(work, principal, number, unit, at, request.app.state.readings)
        context["svg"] = Markup(timeline_svg(context["phases"], context["keys"], at, context["event"]))  # noqa: S704  (built with escape())
        return "directive.html", context

    return render_shared(request, principal, work, build)
