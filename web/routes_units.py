"""The page of one unit: where it stands, its contacts, its obligations across directives and its reports."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select

from hierarchy.template import TEMPLATE_NAME, write_template
from rollout.status import STATUS_LABELS
from storage import UnitOfWork
from storage.models import UnitRow
from storage.units import subtree_bounds
from web import queries as q
from web.accounts import Principal
from web.deps import page_principal, uow
from web.routes_directives import render

router = APIRouter(include_in_schema=False)


def unit_context(work: UnitOfWork, principal: Principal, code: str) -> dict[str, Any]:
    """A unit in the account's subtree, its chain of parents, children, obligations and latest submissions."""
    unit = q.unit_in_scope(work.session, principal, code)
    lo, hi = subtree_bounds(unit.path)
    # A committee records no members of its own: its count is what its subtree's cells and organisations hold.
    below = work.session.scalar(select(func.sum(UnitRow.member_count)).where(UnitRow.path > lo, UnitRow.path < hi))
    route = work.session.scalar(select(UnitRow.name).where(UnitRow.code == unit.route_via)) if unit.route_via else None
    return {
        "members": unit.member_count or int(below or 0), "route_name": route or unit.route_via,
        "unit": unit,
        "trail": q.ancestors(work.session, unit, principal.unit_path),
        "children": q.child_units(work.session, unit),
        "obligations": q.own_obligations(work.session, unit),
        "submissions": q.unit_submissions(work.session, unit),
        "labels": {s.value: s.label for s in STATUS_LABELS},
    }


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(f"/mau/{TEMPLATE_NAME}")
def unit_list_template(principal: Principal = Depends(page_principal)) -> Response:
    """The blank unit list an office fills in and imports (no data of anyone's, so any signed-in account)."""
    buffer = io.BytesIO()
    write_template(buffer)
    return Response(buffer.getvalue(), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}"'})


@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(request: Request, code: str, principal: Principal = Depends(page_principal),
              work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """One unit of the account's subtree."""
    return render(request, "unit.html", unit_context(work, principal, code))
