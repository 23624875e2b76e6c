"""The JSON API for e-office systems: the same data as the pages, same scope rules, bearer-token accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from rollout.rollup import Rollup
from storage import UnitOfWork
from web import queries as q
from web.accounts import Principal
from web.deps import api_principal, now, uow
from web.figures import subtree_figures
from web.readings import seen_at, version_at

router = APIRouter(prefix="/api", tags=["Dữ liệu"])


class Figures(BaseModel):
    """Counts by status, share on time, overdue count and summed report fields of a subtree."""

    unit: str
    counts: dict[str, int]
    total: int
    overdue: int
    share_on_time: float | None
    sums: dict[str, float]


class DirectiveItem(BaseModel):
    number: str
    title: str
    state: str
    state_reason: str | None
    phase: str | None
    next_step: str | None
    next_at: datetime | None
    figures: Figures


class PhaseItem(BaseModel):
    name: str
    label: str
    state: str
    opens_at: datetime | None
    due_at: datetime | None
    approved_by: str | None


class ChildItem(BaseModel):
    code: str
    name: str
    kind: str
    counts: dict[str, int]
    share_on_time: float | None


class OverdueItem(BaseModel):
    unit: str
    key: str
    period: int
    due_at: datetime | None
    escalation_step: int
    letters: list[dict[str, Any]]


class DirectiveDetail(DirectiveItem):
    phases: list[PhaseItem]
    children: list[ChildItem]
    overdue_units: list[OverdueItem]


class ObligationItem(BaseModel):
    directive: str
    key: str
    period: int
    kind: str
    due_at: datetime | None
    status: str
    submitted_at: datetime | None
    escalation_step: int
    data: dict[str, Any] | None


class UnitDetail(BaseModel):
    code: str
    name: str
    kind: str
    parent: str | None
    email: str | None
    phone: str | None
    children: list[str]
    obligations: list[ObligationItem]


def _figures_of(code: str, r: Rollup) -> Figures:
    return Figures(unit=code, counts=r.counts, total=r.total, overdue=r.counts.get("overdue", 0),
                   share_on_time=r.share_on_time, sums=r.sums)


@router.get("/directives", response_model=list[DirectiveItem], summary="Các văn bản trong phạm vi tài khoản")
def api_directives(request: Request, principal: Principal = Depends(api_principal),
                   work: UnitOfWork = Depends(uow)) -> list[DirectiveItem]:
    """Directives whose tree meets the account's subtree, with figures from the account's unit down."""
    out = []
    for s in q.summaries(work.session, principal, now(request)):
        d = s.directive
        out.append(DirectiveItem(
            number=d.number, title=d.title, state=d.state, state_reason=d.state_reason,
            phase=s.phase.name if s.phase else None, next_step=s.next[0] if s.next else None,
            next_at=s.next[1] if s.next else None,
            figures=Figures(unit=s.anchor.code, counts=s.rollup.counts, total=s.rollup.total,
                            overdue=s.rollup.counts.get("overdue", 0), share_on_time=s.rollup.share_on_time,
                            sums=s.rollup.sums)))
    return out


@router.get("/directives/{number:path}", response_model=DirectiveDetail, summary="Một văn bản, nhìn từ một đơn vị")
def api_directive(request: Request, number: str, unit: str | None = None, principal: Principal = Depends(api_principal),
                  work: UnitOfWork = Depends(uow)) -> Response:
    """One directive: phases, figures of the subtree of `unit` (default: the account's view), children, overdue
    units."""
    session, at = work.session, now(request)

    def answer() -> bytes:
        return _detail(request, session, principal, number, unit, at).model_dump_json().encode()

    # Shared like the directive's page (web.readings): read once for the account's concurrent calls.
    body: bytes = request.app.state.readings.get(seen_at("api", principal, request), version_at(session, at), answer)
    return Response(body, media_type="application/json")


def _detail(request: Request, session: Session, principal: Principal, number: str, unit: str | None,
            at: datetime) -> DirectiveDetail:
    directive, root = q.directive_in_scope(session, principal, number)
    anchor = q.anchor_for(session, principal, root, unit)
    phase_rows = q.phases(session, directive.id)
    figures = subtree_figures(request.app.state.readings, session, directive, anchor, at)
    current, nxt = q.current_phase(phase_rows), q.next_step(phase_rows, figures.keys, at)
    return DirectiveDetail(
        number=directive.number, title=directive.title, state=directive.state, state_reason=directive.state_reason,
        phase=current.name if current else None, next_step=nxt[0] if nxt else None, next_at=nxt[1] if nxt else None,
        figures=_figures_of(anchor.code, figures.rollup),
        phases=[PhaseItem(name=p.name, label=p.label, state=p.state, opens_at=p.opens_at, due_at=p.due_at,
                          approved_by=p.approved_by) for p in phase_rows],
        children=[ChildItem(code=c.code, name=c.name, kind=c.kind, counts=c.counts, share_on_time=c.share_on_time)
                  for c in figures.children],
        overdue_units=[OverdueItem(unit=o.unit.code, key=o.obligation.key, period=o.obligation.period,
                                   due_at=o.obligation.due_at, escalation_step=o.obligation.escalation_step,
                                   letters=[{"id": m.id, "template": m.template, "status": m.status,
                                             "subject": m.subject,
                                             "created_at": m.created_at.isoformat(),
                                             "sent_at": m.sent_at.isoformat() if m.sent_at else None}
                                            for m in o.letters])
                       for o in figures.overdue],
    )


@router.get("/units/{code}", response_model=UnitDetail, summary="Một đơn vị trong phạm vi tài khoản")
def api_unit(code: str, principal: Principal = Depends(api_principal), work: UnitOfWork = Depends(uow)) -> UnitDetail:
    """A unit of the account's subtree: contacts, children and obligations across directives."""
    unit = q.unit_in_scope(work.session, principal, code)
    parent = work.session.get(type(unit), unit.parent_id) if unit.parent_id else None
    return UnitDetail(
        code=unit.code, name=unit.name, kind=unit.kind, parent=parent.code if parent else None, email=unit.email,
        phone=unit.phone, children=[c.code for c in q.child_units(work.session, unit)],
        obligations=[ObligationItem(directive=d.number, key=o.key, period=o.period, kind=o.kind, due_at=o.due_at,
                                    status=o.status, submitted_at=o.submitted_at, escalation_step=o.escalation_step,
                                    data=o.data) for o, d in q.own_obligations(work.session, unit)],
    )
