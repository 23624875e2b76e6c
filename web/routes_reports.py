"""The weekly compliance reports another module writes under <home>/reports/<date>/: listed and served safely."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse

from web.accounts import Principal
from web.deps import page_principal
from web.queries import OutOfScope
from web.routes_directives import render

router = APIRouter(include_in_schema=False)
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME = re.compile(r"^[\w.\-() ]+\.(docx|xlsx|png|svg|pdf|csv)$", re.UNICODE)
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "csv": "text/csv",
}


def _province_wide(principal: Principal) -> None:
    # The weekly reports cover a whole province: only accounts bound to a top-level unit may read them.
    if principal.unit_path.count(".") != 1:
        raise OutOfScope("reports")


def report_files(folder: Path) -> list[tuple[str, list[Path]]]:
    """Report days, newest first, each with its downloadable files (anything else in the folder is ignored)."""
    if not folder.is_dir():
        return []
    days = sorted((d for d in folder.iterdir() if d.is_dir() and DAY.match(d.name)), key=lambda d: d.name, reverse=True)
    return [(d.name, sorted(f for f in d.iterdir() if f.is_file() and NAME.match(f.name))) for d in days]


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, principal: Principal = Depends(page_principal)) -> HTMLResponse:
    """The list of weekly reports and charts."""
    _province_wide(principal)
    return render(request, "reports.html", {"days": report_files(request.app.state.reports_dir)})


@router.get("/reports/{day}/{filename}")
def report_file(request: Request, day: str, filename: str, principal: Principal = Depends(page_principal)) -> FileResponse:
    """One report file; names are checked against a strict pattern and the resolved path must stay in the folder."""
    _province_wide(principal)
    folder: Path = request.app.state.reports_dir.resolve()
    if not DAY.match(day) or not NAME.match(filename):
        raise OutOfScope(filename)
    path = (folder / day / filename).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        raise OutOfScope(filename)
    return FileResponse(path, media_type=MEDIA[path.suffix[1:]], filename=path.name)
