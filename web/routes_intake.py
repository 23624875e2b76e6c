"""Intake in the dashboard: upload a directive as it arrives, review its draft plan beside the source, check, issue.

The uploaded document is kept in the shared file store from the upload on (`intake/<digest>`), so that the review
survives a reload; issuing copies it to `directives/<id>` in the issuing transaction, where the directive's page
offers it as the source document. Checking and issuing are the CLI's own use cases (`rollout.service`), against
the stored hierarchy.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

import formats
from errors import ConflictError, InputError, NotFound, Problem
from intake import GAP, MAX_DOCUMENT_BYTES, IntakeError, draft_from_text, read_upload, render_draft
from rollout.service import PreparedPlan, issue_counts, issue_plan, prepare_stored
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.files import check_name, list_folders, read_file, save_files
from storage.models import DirectiveRow, UnitRow
from web import queries as q
from web.accounts import Principal, Role
from web.deps import check_csrf, now, page_principal, require_role, services, uow
from web.intake_view import extracted_values, source_lines
from web.routes_directives import render
from web.routes_reports import SAFE_HEADERS, _disposition

router = APIRouter(include_in_schema=False)
UPLOADS = "intake/"
_KEY = re.compile(r"^[0-9a-f]{40}$")
_DRAFT_NAME = "bản nháp"


def _upload_page(request: Request, problems: list[str], status: int = 200) -> HTMLResponse:
    return render(request, "intake_upload.html", {"problems": problems,
                                                  "limit": formats.number(MAX_DOCUMENT_BYTES // 1_000_000)},
                  status=status)


@router.get("/intake", response_class=HTMLResponse)
def upload_form(request: Request, principal: Principal = Depends(page_principal)) -> HTMLResponse:
    """The form to upload a directive as it arrived (.docx, .pdf with text, .txt)."""
    require_role(principal, Role.ADMIN)
    return _upload_page(request, [])


def _stored_name(name: str) -> str:
    # The name as uploaded when the store accepts it; else a plain one with the same suffix.
    try:
        return check_name(Path(name).name)
    except InputError:
        return "van-ban" + Path(name).suffix.lower()


@router.post("/intake", response_model=None)
async def upload(request: Request, principal: Principal = Depends(page_principal),
                 work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Read the document into a draft with the CLI drafter's limits and refusals; keep it and open the review."""
    async with request.form() as form:  # closes the uploaded file's spool whatever happens next
        check_csrf(request, str(form.get("csrf", "")))
        require_role(principal, Role.ADMIN)
        file = form.get("tep")
        if not isinstance(file, UploadFile) or not file.filename:
            return _upload_page(request, ["Chưa chọn tệp văn bản (.docx, .pdf có lớp chữ hoặc .txt)."], 422)
        content = await file.read(MAX_DOCUMENT_BYTES + 1)  # one byte more tells "too large" without reading on
        name = _stored_name(file.filename)
    try:
        draft_from_text(read_upload(content, name), name)
    except IntakeError as exc:
        return _upload_page(request, [str(p) for p in exc.problems], 422)
    key = hashlib.sha256(content).hexdigest()[:40]
    save_files(work.session, UPLOADS + key, {name: content}, now(request))
    work.commit()
    return RedirectResponse(f"/intake/{key}", status_code=303)


def _uploaded(work: UnitOfWork, key: str) -> tuple[str, bytes]:
    if not _KEY.match(key):
        raise q.OutOfScope(key)
    for _, files in list_folders(work.session, UPLOADS + key):
        row = read_file(work.session, UPLOADS + key, files[0].name)
        if row is not None:
            return row.name, row.content
    raise NotFound("Không còn văn bản đã tải lên này; hãy tải văn bản lên lại.")


def _review_page(request: Request, work: UnitOfWork, key: str, plan_text: str | None = None,
                 problems: list[Problem] | None = None, checked: list[str] | None = None,
                 status: int = 200) -> HTMLResponse:
    name, content = _uploaded(work, key)
    draft = draft_from_text(read_upload(content, name), name)
    values = extracted_values(draft)
    text = plan_text if plan_text is not None else render_draft(draft, stored_hierarchy=True)
    return render(request, "intake_review.html", {
        "key": key, "name": name, "draft": draft, "values": values, "lines": source_lines(draft, values),
        "plan_text": text, "gaps": text.count(f"# {GAP}:"), "problems": problems or [], "checked": checked or [],
    }, status=status)


@router.get("/intake/{key}", response_class=HTMLResponse)
def review(request: Request, key: str, principal: Principal = Depends(page_principal),
           work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """The draft plan beside the source text, every extracted value marked where it was read."""
    require_role(principal, Role.ADMIN)
    return _review_page(request, work, key)


def _governed_issuer(work: UnitOfWork, principal: Principal, code: str) -> None:
    unit = work.session.scalar(select(UnitRow).where(UnitRow.code == code))
    if unit is None or not principal.governs(unit.path):
        raise q.OutOfScope(code)


def _check_lines(prepared: PreparedPlan, calendar: WorkingCalendar) -> list[str]:
    """What `plan check` prints: the summary, then how many obligations issuing will create."""
    counts = issue_counts(prepared.compiled, calendar)
    lines = [*prepared.compiled.summary_lines()]
    lines += [f"“{c.key}”: {c.periods} kỳ × {formats.number(c.units)} đơn vị = {formats.number(c.total)} nghĩa vụ"
              + (f" ({c.meaning})" if c.meaning else "") for c in counts]
    lines.append(f"Tổng số nghĩa vụ sẽ tạo: {formats.number(sum(c.total for c in counts))}")
    return lines


@router.post("/intake/{key}", response_model=None)
async def check_or_issue(request: Request, key: str, principal: Principal = Depends(page_principal),
                         work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Check the edited draft (as `plan check`) or issue it (as `plan issue`), keeping the source document."""
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    require_role(principal, Role.ADMIN)
    plan_text = str(form.get("plan", "")).replace("\r\n", "\n")
    name, content = _uploaded(work, key)
    calendar = services(request).calendar
    try:
        if form.get("action") != "issue":
            prepared = prepare_stored(work.session, plan_text, calendar, name=_DRAFT_NAME)
            _governed_issuer(work, principal, prepared.plan.directive.issuer)
            return _review_page(request, work, key, plan_text, checked=_check_lines(prepared, calendar))
        prepared, result = issue_plan(work.session, plan_text, now=now(request), actor=principal.actor,
                                      calendar=calendar, name=_DRAFT_NAME)
        _governed_issuer(work, principal, prepared.plan.directive.issuer)
    except (InputError, NotFound, ConflictError) as exc:
        work.session.rollback()
        problems = exc.problems if isinstance(exc, InputError) else [Problem(str(exc))]
        return _review_page(request, work, key, plan_text, problems=problems, status=422)
    number = prepared.compiled.directive.number
    directive = work.session.scalar(select(DirectiveRow).where(DirectiveRow.number == number))
    assert directive is not None
    if result.created:
        save_files(work.session, q.source_folder(directive.id), {name: content}, now(request))
        work.commit()
    return RedirectResponse(f"/directives/{quote(number, safe='/')}", status_code=303)


@router.get("/van-ban-goc/{directive_id}/{filename}")
def source_document(request: Request, directive_id: int, filename: str,
                    principal: Principal = Depends(page_principal), work: UnitOfWork = Depends(uow)) -> Response:
    """The document a directive was issued from, to whoever sees the directive; always downloaded, never run."""
    directive = work.session.get(DirectiveRow, directive_id)
    if directive is None:
        raise q.OutOfScope(str(directive_id))
    q.directive_in_scope(work.session, principal, directive.number)
    row = read_file(work.session, q.source_folder(directive_id), filename)
    if row is None:
        raise NotFound(f"Văn bản {directive.number} không có tệp gốc “{filename}”.")
    headers = SAFE_HEADERS | {"Content-Disposition": _disposition("attachment", filename)}
    return Response(row.content, media_type=row.media_type, headers=headers)
