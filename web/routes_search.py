"""Search: units of the account's subtree by name or code, directives by number or trích yếu."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from storage import UnitOfWork
from storage.models import UnitRow
from web import queries as q
from web.accounts import Principal
from web.deps import page_principal, uow
from web.routes_directives import render
from web.search import SearchIndex, find_directives, find_units

router = APIRouter(include_in_schema=False)
MAX_QUERY = 100


def search_index(request: Request) -> SearchIndex:
    """The process's unit index (made on first use)."""
    index = getattr(request.app.state, "search_index", None)
    if index is None:
        index = request.app.state.search_index = SearchIndex()
    return index


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, principal: Principal = Depends(page_principal),
                work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Units ranked (exact code, code prefix, name, words, anywhere) and directives the account may open."""
    text = (request.query_params.get("q") or "").strip()[:MAX_QUERY]
    units, total = find_units(work.session, search_index(request), text, principal.unit_path) if text else ([], 0)
    directives = []
    for hit in find_directives(work.session, text) if text else []:
        root = work.session.get(UnitRow, hit.root_id)
        if root is not None and q.concerns(work.session, principal, hit.id, root):
            directives.append(hit)
        if len(directives) >= 20:
            break
    own = work.session.scalar(select(UnitRow.name).where(UnitRow.id == principal.unit_id))
    return render(request, "search.html", {"text": text, "units": units, "total": total, "directives": directives,
                                           "scope_name": own})
