"""Forms that change a rollout: report, waive, approve a gate, hold/resume/abort; rollout.actions validate and audit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from errors import ConflictError, InputError, Problem
from plans.schema import Plan
from rollout import actions
from rollout.status import Status
from rollout.stored_plan import field_specs, obligation_of, plan_of
from storage import UnitOfWork
from storage.models import DirectiveRow, ObligationRow, PhaseRow, UnitRow
from web import queries as q
from web.accounts import Principal, Role
from web.app import typed_values
from web.deps import check_csrf, now, page_principal, require_role, uow
from web.routes_directives import render

router = APIRouter(include_in_schema=False)
STATE_ACTIONS = {"hold": "Tạm dừng", "resume": "Tiếp tục", "abort": "Hủy đợt triển khai"}


def _back(directive: DirectiveRow, unit: UnitRow | None = None) -> RedirectResponse:
    url = f"/directives/{quote(directive.number, safe='/')}" + (f"?unit={quote(unit.code)}" if unit else "")
    return RedirectResponse(url, status_code=303)


def _obligation(
    work: UnitOfWork, principal: Principal, obligation_id: int
) -> tuple[ObligationRow, UnitRow, DirectiveRow]:
    row = work.session.get(ObligationRow, obligation_id)
    unit = work.session.get(UnitRow, row.unit_id) if row else None
    if row is None or unit is None or not principal.sees(unit.path):
        raise q.OutOfScope(str(obligation_id))
    return row, unit, work.session.get_one(DirectiveRow, row.directive_id)


def _governed(work: UnitOfWork, principal: Principal, directive_id: int) -> DirectiveRow:
    directive = work.session.get(DirectiveRow, directive_id)
    issuer = work.session.get(UnitRow, directive.issuer_id) if directive else None
    if directive is None or issuer is None or not principal.governs(issuer.path):
        raise q.OutOfScope(str(directive_id))
    return directive


def _attempt(work: UnitOfWork, change: Callable[[], Any], request: Request) -> list[Problem] | None:
    """Run one change and commit it whole, or return its problems with nothing written."""
    try:
        change()
    except InputError as exc:
        work.session.rollback()
        return exc.problems
    except ConflictError as exc:
        work.session.rollback()
        return [Problem(str(exc))]
    work.commit()
    return None


def _split(problems: list[Problem] | None) -> tuple[dict[str, str], list[str]]:
    by_field = {p.field: p.message for p in problems or [] if p.field}
    general = [p.message for p in problems or [] if not p.field]
    return by_field, general


def _report_page(request: Request, obligation: ObligationRow, unit: UnitRow, directive: DirectiveRow,
                 values: dict[str, str], problems: list[Problem] | None = None, *,
                 correcting: bool = False) -> HTMLResponse:
    spec = obligation_of(plan_of(directive), obligation.key)
    errors, general = _split(problems)
    return render(request, "form_report.html", {
        "obligation": obligation, "unit": unit, "directive": directive,
        "title": spec.title if spec else obligation.key, "fields": spec.fields if spec else [],
        "values": values, "errors": errors, "general": general, "correcting": correcting,
        "status_label": Status(obligation.status).label,
    }, status=400 if problems else 200)


def form_data(plan: Plan, key: str, values: dict[str, str], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of a report form as the plan types them: a list field one item a line; an empty field is a
    figure not given, not a zero."""
    types = {f.name: f.type for f in field_specs(plan, key)}
    data: dict[str, Any] = {}
    for name, value in values.items():
        if name in skip or not value.strip():
            continue
        if types.get(name) == "list":
            data[name] = [line.strip() for line in value.splitlines() if line.strip()]
        else:
            data[name] = value.strip()
    return data


@router.get("/forms/obligations/{obligation_id}/report", response_class=HTMLResponse)
def report_form(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
                work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """The report form of one obligation, with the fields its plan declares."""
    require_role(principal, Role.ADMIN, Role.REPORTER)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    return _report_page(request, obligation, unit, directive, {})


@router.post("/forms/obligations/{obligation_id}/report", response_model=None)
async def report_submit(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
                        work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Record the report; mistyped fields come back next to the field and nothing is recorded."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_role(principal, Role.ADMIN, Role.REPORTER)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    data = form_data(plan_of(directive), obligation.key, values)
    problems = _attempt(work, lambda: actions.submit(
        work.session, directive.number, unit.code, obligation.key, data=data, now=now(request), actor=principal.actor,
        period=obligation.period), request)
    if problems:
        return _report_page(request, obligation, unit, directive, values, problems)
    return _back(directive, unit)


@router.get("/forms/obligations/{obligation_id}/correct", response_class=HTMLResponse)
def correct_form(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
                 work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Correcting a recorded report: whoever may submit it sees the figures in force, changes them and says why."""
    require_role(principal, Role.ADMIN, Role.REPORTER)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    values = typed_values(obligation.data)
    return _report_page(request, obligation, unit, directive, values, correcting=True)


@router.post("/forms/obligations/{obligation_id}/correct", response_model=None)
async def correct_submit(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
                         work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Record the corrected figures as a new version, the earlier ones kept; mistakes come back beside the field."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_role(principal, Role.ADMIN, Role.REPORTER)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    data = form_data(plan_of(directive), obligation.key, values, skip=("reason",))
    problems = _attempt(work, lambda: actions.correct(
        work.session, directive.number, unit.code, obligation.key, data=data, reason=values.get("reason", ""),
        now=now(request), actor=principal.actor, period=obligation.period), request)
    if problems:
        return _report_page(request, obligation, unit, directive, values, problems, correcting=True)
    return _back(directive, unit)


def _simple_page(request: Request, title: str, action: str, context: dict[str, Any],
                 problems: list[Problem] | None = None) -> HTMLResponse:
    errors, general = _split(problems)
    if problems and not errors:  # rollout.actions word a missing reason without a field: it is the reason's
        errors, general = {"reason": " ".join(general)}, []
    return render(request, "form_simple.html", {"title": title, "action": action, "errors": errors, "general": general,
                                                "state_actions": STATE_ACTIONS} | context,
                  status=400 if problems else 200)


@router.get("/forms/obligations/{obligation_id}/waive", response_class=HTMLResponse)
def waive_form(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
               work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Waiving an obligation is the office's decision, with a reason."""
    require_role(principal, Role.ADMIN)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    actions.check_waiver_authority(work.session, directive, principal.unit_code)
    return _simple_page(request, f"Miễn nghĩa vụ cho {unit.name}", request.url.path,
                        {"directive": directive, "unit": unit, "obligation": obligation, "reason": ""})


@router.post("/forms/obligations/{obligation_id}/waive", response_model=None)
async def waive_submit(request: Request, obligation_id: int, principal: Principal = Depends(page_principal),
                       work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Record the waiver or show why not."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_role(principal, Role.ADMIN)
    obligation, unit, directive = _obligation(work, principal, obligation_id)
    reason = str(form.get("reason", ""))
    problems = _attempt(work, lambda: actions.waive(work.session, directive.number, unit.code, obligation.key,
                                                    reason=reason, now=now(request), actor=principal.actor,
                                                    period=obligation.period, by_unit=principal.unit_code), request)
    if problems:
        return _simple_page(request, f"Miễn nghĩa vụ cho {unit.name}", request.url.path,
                            {"directive": directive, "unit": unit, "obligation": obligation, "reason": reason},
                            problems)
    return _back(directive, unit)


def _phase(work: UnitOfWork, directive: DirectiveRow, name: str) -> PhaseRow:
    row = work.session.scalar(select(PhaseRow).where(PhaseRow.directive_id == directive.id, PhaseRow.name == name))
    if row is None:
        raise q.OutOfScope(name)
    return row


@router.get("/forms/directives/{directive_id}/gate/{phase}", response_class=HTMLResponse)
def gate_form(request: Request, directive_id: int, phase: str, principal: Principal = Depends(page_principal),
              work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Approving a phase's gate: only an administrator of the issuing unit or above it."""
    directive = _governed(work, principal, directive_id)
    row = _phase(work, directive, phase)
    return _simple_page(request, f"Phê duyệt chuyển sang giai đoạn “{row.label}”", request.url.path,
                        {"directive": directive, "phase": row, "reason": ""})


@router.post("/forms/directives/{directive_id}/gate/{phase}", response_model=None)
async def gate_submit(request: Request, directive_id: int, phase: str, principal: Principal = Depends(page_principal),
                      work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Record the approval; the next reconciliation opens the phase if the rest of the gate holds."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    directive = _governed(work, principal, directive_id)
    row = _phase(work, directive, phase)
    reason = str(form.get("reason", "")).strip() or None
    problems = _attempt(work, lambda: actions.approve_gate(work.session, directive.number, phase, now=now(request),
                                                           actor=principal.actor, reason=reason,
                                                           by_unit=principal.unit_code), request)
    if problems:
        return _simple_page(request, f"Phê duyệt chuyển sang giai đoạn “{row.label}”", request.url.path,
                            {"directive": directive, "phase": row, "reason": reason or ""}, problems)
    return _back(directive)


@router.get("/forms/directives/{directive_id}/state", response_class=HTMLResponse)
def state_form(request: Request, directive_id: int, principal: Principal = Depends(page_principal),
               work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Hold, resume or abort a rollout, with a reason that is shown with the new state."""
    directive = _governed(work, principal, directive_id)
    return _simple_page(request, f"Tạm dừng / tiếp tục văn bản {directive.number}", request.url.path,
                        {"directive": directive, "state_form": True, "reason": "", "chosen": ""})


@router.post("/forms/directives/{directive_id}/state", response_model=None)
async def state_submit(request: Request, directive_id: int, principal: Principal = Depends(page_principal),
                       work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Change the rollout's state or say why it cannot change."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    directive = _governed(work, principal, directive_id)
    chosen, reason = str(form.get("state_action", "")), str(form.get("reason", ""))
    if chosen not in STATE_ACTIONS:
        problems: list[Problem] | None = [
            Problem("chọn Tạm dừng, Tiếp tục hoặc Hủy đợt triển khai", field="state_action")
        ]
    else:
        problems = _attempt(work, lambda: actions.set_state(work.session, directive.number, chosen, reason=reason,
                                                            now=now(request), actor=principal.actor,
                                                            by_unit=principal.unit_code), request)
    if problems:
        return _simple_page(request, f"Tạm dừng / tiếp tục văn bản {directive.number}", request.url.path,
                            {"directive": directive, "state_form": True, "reason": reason, "chosen": chosen}, problems)
    return _back(directive)
