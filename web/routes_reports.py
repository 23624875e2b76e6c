"""The weekly compliance reports, read from the shared file store (folders reports/<date>): listed and served safely."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from schedules.render import format_day
from storage import UnitOfWork
from storage.files import FileInfo, list_folders, read_file
from web.accounts import Principal
from web.deps import page_principal, uow
from web.queries import OutOfScope
from web.routes_directives import render

router = APIRouter(include_in_schema=False)
PREFIX = "reports/"
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME = re.compile(r"^(?!\.)[\w.\-() ]+\.(docx|xlsx|png|svg|pdf|csv|html)$", re.UNICODE)
# Opened in the browser; everything else is offered for download.
INLINE = {"png", "svg", "pdf", "html"}
# A report's HTML (or an SVG) must not run script in the dashboard's origin: the sandbox gives the document an
# opaque origin without scripts, forms or pop-ups, while its inline styles and embedded chart still show.
# Its own policy replaces the pages' one (web.security), which would block those inline styles; it still may not
# be framed by another site.
SAFE_HEADERS = {"Content-Security-Policy": "sandbox; frame-ancestors 'none'", "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-store"}


def _province_wide(principal: Principal) -> None:
    # The weekly reports cover a whole province: only accounts bound to a top-level unit may read them.
    if principal.unit_path.count(".") != 1:
        raise OutOfScope("reports")


def _day(text: str) -> date | None:
    # The pattern first, so that nothing but digits and dashes reaches the parser; then a real calendar day.
    try:
        return date.fromisoformat(text) if DAY.match(text) else None
    except ValueError:
        return None


def report_days(work: UnitOfWork) -> list[tuple[str, str, list[FileInfo]]]:
    """Report days of the store, newest first, as (yyyy-mm-dd, the day as people write it, the files it serves)."""
    days = []
    for folder, files in list_folders(work.session, PREFIX):
        day = folder.removeprefix(PREFIX)
        when = _day(day)
        if when is not None:
            days.append((day, format_day(when), [f for f in files if NAME.match(f.name)]))
    return days


def _disposition(kind: str, name: str) -> str:
    # RFC 6266: an ASCII name as is; any other with its UTF-8 form (browsers take filename* over filename).
    quoted = quote(name)
    return f"{kind}; filename*=utf-8''{quoted}" if quoted != name else f'{kind}; filename="{name}"'


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, principal: Principal = Depends(page_principal),
                 work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """The list of weekly reports and charts, from the shared store."""
    _province_wide(principal)
    return render(request, "reports.html", {"days": report_days(work)})


@router.get("/reports/{day}/{filename}")
def report_file(request: Request, day: str, filename: str, principal: Principal = Depends(page_principal),
                work: UnitOfWork = Depends(uow)) -> Response:
    """One stored report file, by a strictly checked day and name (no path), sent sandboxed so it cannot script
    the site."""
    _province_wide(principal)
    when = _day(day)
    if when is None or not NAME.match(filename):
        raise OutOfScope(filename)
    row = read_file(work.session, PREFIX + day, filename)
    if row is None:
        return render(request, "error.html",
                      {"message": f"Không có tệp “{filename}” trong báo cáo ngày {format_day(when)}."}, status=404)
    suffix = filename.rsplit(".", 1)[1]
    disposition = _disposition("inline" if suffix in INLINE else "attachment", filename)
    headers = SAFE_HEADERS | {"Content-Disposition": disposition}
    return Response(row.content, media_type=row.media_type, headers=headers)
