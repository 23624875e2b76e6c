"""The page of one unit: where it stands, its contacts, its obligations across directives and its reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rollout.status import STATUS_LABELS
from storage import UnitOfWork
from web import queries as q
from web.accounts import Principal
from web.deps import page_principal, uow
from web.routes_directives import render

router = APIRouter(include_in_schema=False)


def unit_context(work: UnitOfWork, principal: Principal, code: str) -> dict[str, Any]:
    """A unit in the account's subtree, its chain of parents, children, obligations and latest submissions."""
    unit = q.unit_in_scope(work.session, principal, code)
    return {
        "unit": unit,
        "trail": q.ancestors(work.session, unit, principal.unit_path),
        "children": q.child_units(work.session, unit),
        "obligations": q.own_obligations(work.session, unit),
        "submissions": q.unit_submissions(work.session, unit),
        "labels": {s.value: s.label for s in STATUS_LABELS},
    }


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(request: Request, code: str, principal: Principal = Depends(page_principal),
              work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """One unit of the account's subtree."""
    return render(request, "unit.html", unit_context(work, principal, code))
