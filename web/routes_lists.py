"""The list of a directive's obligations in a subtree: filter, sort, page; and the same list exported."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from rollout.status import STATUS_LABELS, Status
from rollout.stored_plan import plan_of
from storage import UnitOfWork
from storage.models import DirectiveRow, UnitRow
from web import export, lists, queries as q
from web.accounts import Principal
from web.deps import now, page_principal, services, uow
from web.routes_directives import render_shared

router = APIRouter(include_in_schema=False)


def _scope(work: UnitOfWork, principal: Principal, request: Request) -> tuple[DirectiveRow, UnitRow, lists.ListFilter]:
    number = request.query_params.get("directive", "")
    directive, root = q.directive_in_scope(work.session, principal, number)
    anchor = q.anchor_for(work.session, principal, root, request.query_params.get("unit") or None)
    keys = [o.key for o in plan_of(directive).obligations]
    return directive, anchor, lists.parse_filter(request.query_params, keys)


def _title(directive: DirectiveRow, anchor: UnitRow, f: lists.ListFilter) -> str:
    what = STATUS_LABELS[Status(f.status)] if f.status else "mọi trạng thái"
    return f"{directive.number} — {anchor.name} — nghĩa vụ {what}"


@router.get("/list", response_class=HTMLResponse)
def list_page(request: Request, principal: Principal = Depends(page_principal),
              work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """Obligations of a directive in the anchor's subtree, filtered, sorted and paged in the database."""
    def build() -> tuple[str, dict[str, Any]]:
        directive, anchor, f = _scope(work, principal, request)
        children = lists.children_of(work.session, anchor)
        page = lists.page_of(work.session, directive, anchor, f, now(request), children)
        base = f"directive={q_(directive.number)}&unit={q_(anchor.code)}"
        return "list.html", {
            "directive": directive, "anchor": anchor, "page": page, "f": page.filter, "base": base,
            "choices": lists.choices(work.session, directive, anchor, children),
            "title": _title(directive, anchor, page.filter),
            "labels": {s.value: s.label for s in Status},
        }

    return render_shared(request, principal, work, build)


def q_(text: str) -> str:
    """A value for a URL query."""
    from urllib.parse import quote

    return quote(text, safe="")


def _filename(directive: DirectiveRow, anchor: UnitRow, at: datetime, ext: str) -> str:
    stem = f"danh-sach_{directive.number}_{anchor.code}_{at:%Y-%m-%d}".replace("/", "-")
    return f"{stem}.{ext}"


def _lines(
    request: Request, principal: Principal
) -> tuple[DirectiveRow, UnitRow, lists.ListFilter, datetime, Iterator[lists.Line]]:
    """The export's rows, read in their own unit of work that lives as long as the stream."""
    at = now(request)
    work = UnitOfWork(services(request).engine)
    work.__enter__()
    try:
        directive, anchor, f = _scope(work, principal, request)
        lists.scope_path(work.session, anchor, f)  # refuse a bad filter before the response starts
    except BaseException:
        work.__exit__(None, None, None)
        raise

    def rows() -> Iterator[lists.Line]:
        try:
            yield from lists.all_lines(work.session, directive, anchor, f, at)
        finally:
            work.__exit__(None, None, None)

    return directive, anchor, f, at, rows()


def _disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{q_(name)}"}


@router.get("/list.csv")
def list_csv(request: Request, principal: Principal = Depends(page_principal)) -> StreamingResponse:
    """The filtered list as CSV (UTF-8 with BOM), streamed."""
    directive, anchor, _f, at, rows = _lines(request, principal)
    return StreamingResponse(export.csv_chunks(rows), media_type="text/csv; charset=utf-8",
                             headers=_disposition(_filename(directive, anchor, at, "csv")))


@router.get("/list.xlsx")
def list_xlsx(request: Request, principal: Principal = Depends(page_principal)) -> StreamingResponse:
    """The filtered list as an Excel workbook with an autofilter."""
    directive, anchor, f, at, rows = _lines(request, principal)
    handle = export.xlsx_file(rows, _title(directive, anchor, f))
    return StreamingResponse(export.file_chunks(handle),
                             media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             headers=_disposition(_filename(directive, anchor, at, "xlsx")))
