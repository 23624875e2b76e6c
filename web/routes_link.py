"""The page a personal link opens: what one unit owes, and a form to hand in each item with its document.

No password: the link is the key. Refusals (unknown, expired, revoked link; too many uses; an item of another
unit) show a page saying what happened and whom to contact, and write nothing; each accepted use is audited.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import UploadFile

from errors import ConflictError, InputError, Problem
from plans.schema import Plan
from rollout import actions, links
from rollout.intake import hand_in
from rollout.status import Status
from rollout.stored_plan import item_of, plan_of
from storage import UnitOfWork
from storage.documents import MAX_BYTES, DocumentIn
from storage.models import DirectiveRow, ObligationRow, QuotaRow, SubmissionRow, UnitRow
from web.app import typed_values
from web.deps import now, services, uow
from web.queries import corrected_history
from web.routes_forms import form_data

router = APIRouter(include_in_schema=False)
DOCUMENT_FIELDS = ("so_ky_hieu", "ngay_ban_hanh", "nguoi_ky", "tep")
# Wrong tokens from one address: a guesser is slowed down without writing anything (refusals leave no trace
# in the database); per worker process, which is enough against 256-bit tokens.
MAX_WRONG_PER_ADDRESS = 20
WRONG_WINDOW_SECONDS = 600.0


class _WrongTokens:
    """Recent refused tokens per address, in memory."""

    def __init__(self) -> None:
        self.seen: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, address: str) -> bool:
        """An address that sent too many wrong links lately is refused before any lookup."""
        q, limit = self.seen[address], time.monotonic() - WRONG_WINDOW_SECONDS
        while q and q[0] < limit:
            q.popleft()
        return len(q) >= MAX_WRONG_PER_ADDRESS

    def add(self, address: str) -> None:
        """Count one refused link from `address`."""
        self.seen[address].append(time.monotonic())


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def wrong_links(request: Request) -> _WrongTokens:
    state = request.app.state
    if not hasattr(state, "wrong_links"):
        state.wrong_links = _WrongTokens()
    return state.wrong_links


def bare_page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    base = {"principal": None, "csrf": "", "now": now(request), "service": None}
    return request.app.state.templates.TemplateResponse(request, name, base | context, status_code=status)


def refused_page(request: Request, title: str, message: str, contact: str, status: int) -> HTMLResponse:
    return bare_page(request, "link_refused.html", {"title": title, "message": message, "contact": contact}, status)


REFUSAL_TITLES = {"expired": "Đường liên kết đã hết hạn", "revoked": "Đường liên kết đã bị thu hồi",
                  "used": "Đường liên kết đã được dùng", "disabled": "Tài khoản đang bị khóa"}


def too_many_wrong(request: Request) -> HTMLResponse:
    """The page for an address that sent too many wrong links lately (checked before any lookup)."""
    return refused_page(request, "Tạm thời không mở được", "Máy này đã mở quá nhiều đường liên kết không đúng; hãy "
                        "thử lại sau 10 phút.", links.GENERIC_CONTACT, 429)


def refusal(request: Request, exc: links.LinkRefused) -> HTMLResponse:
    """The page refusing a link, counted against its address: 404 unknown, 410 gone (expired, revoked, used)."""
    wrong_links(request).add(client_address(request))
    return refused_page(request, REFUSAL_TITLES.get(exc.reason, "Đường liên kết không đúng"), str(exc), exc.contact,
                        404 if exc.reason == "unknown" else 403 if exc.reason == "disabled" else 410)


def _grant(request: Request, work: UnitOfWork, token: str) -> links.LinkGrant | HTMLResponse:
    """The link's grant, or the page that refuses it (nothing written either way)."""
    address = client_address(request)
    if wrong_links(request).blocked(address):
        return too_many_wrong(request)
    try:
        grant = links.resolve_link(work.session, token, now(request))
    except links.LinkRefused as exc:
        return refusal(request, exc)
    if links.uses_since(work.session, grant.link_id, now(request) - links.USE_WINDOW) >= links.MAX_USES:
        return refused_page(request, "Tạm thời không mở được", "Đường liên kết này được dùng quá nhiều lần trong 10 "
                            "phút vừa qua; hãy thử lại sau ít phút.", links.contact_of(work.session, grant.unit), 429)
    return grant


def _quotas(work: UnitOfWork, items: list[links.OwedItem]) -> dict[tuple[int, int], list[tuple[str, int]]]:
    """Quotas allocated to each listed unit, per directive, so a unit sees its quota where it registers."""
    out: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for item in items:
        key = (item.directive.id, item.unit.id)
        if key in out:
            continue
        labels = {quota.name: quota.label for quota in plan_of(item.directive).quotas}
        rows = work.session.query(QuotaRow).filter_by(directive_id=item.directive.id, unit_id=item.unit.id).all()
        out[key] = [(labels.get(r.name, r.name), r.amount) for r in rows]
    return out


def _owed_page(request: Request, work: UnitOfWork, token: str, grant: links.LinkGrant, *, done: dict[str, Any] | None,
               failed: int | None = None, values: dict[str, str] | None = None,
               problems: list[Problem] | None = None, correcting: int | None = None,
               corrected: dict[str, Any] | None = None) -> HTMLResponse:
    items = links.owed_items(work.session, grant)
    reported = links.reported_items(work.session, grant)
    errors = {p.field: p.message for p in problems or [] if p.field}
    general = [p.message for p in problems or [] if not p.field]
    return bare_page(request, "link_page.html", {
        "grant": grant, "items": items, "token": token, "done": done, "failed": failed, "values": values or {},
        "errors": errors, "general": general, "quotas": _quotas(work, items), "Status": Status,
        "max_mb": MAX_BYTES // 1024 // 1024, "contact": links.contact_of(work.session, grant.unit),
        "at": now(request), "capped": len(items) >= links.MAX_ITEMS,
        "reported": reported, "correcting": correcting, "corrected": corrected,
        "history": corrected_history(work.session, [r.obligation.id for r in reported]),
        "typed": {r.obligation.id: typed_values(r.obligation.data) for r in reported},
    }, status=400 if problems else 200)


@router.get(links.PATH_PREFIX + "{token}", response_class=HTMLResponse)
def link_page(request: Request, token: str, da_nop: int | None = None, da_sua: int | None = None,
              work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """What the link's unit owes, with a form per item, then its recorded reports, each of which may be corrected;
    after a submission or a correction, the confirmation on top."""
    grant = _grant(request, work, token)
    if isinstance(grant, HTMLResponse):
        return grant
    done = None
    if da_nop is not None:
        sub = work.session.get(SubmissionRow, da_nop)
        row = work.session.get(ObligationRow, sub.obligation_id) if sub else None
        unit = work.session.get(UnitRow, row.unit_id) if row else None
        if sub is not None and row is not None and unit is not None and grant.covers(unit):
            spec = item_of(_plan(work, row), row.key)
            title = spec.title if spec else row.key
            done = {"submission": sub, "obligation": row, "unit": unit, "status": Status(row.status), "title": title}
    corrected = None
    fixed = work.session.get(ObligationRow, da_sua) if da_sua is not None else None
    fixed_unit = work.session.get(UnitRow, fixed.unit_id) if fixed else None
    if fixed is not None and fixed_unit is not None and grant.covers(fixed_unit):
        spec = item_of(_plan(work, fixed), fixed.key)
        corrected = {"title": spec.title if spec else fixed.key, "unit": fixed_unit}
    links.record_use(work.session, grant, now=now(request), action="open", address=client_address(request))
    work.commit()
    return _owed_page(request, work, token, grant, done=done, corrected=corrected)


async def _document(form: Any) -> DocumentIn:
    upload = form.get("tep")
    content: bytes | None = None
    name = None
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_BYTES + 1)  # enough to tell "too large" without reading the rest
        name = upload.filename
    return DocumentIn(number=str(form.get("so_ky_hieu", "")), signed_on=str(form.get("ngay_ban_hanh", "")),
                      signer=str(form.get("nguoi_ky", "")), file_name=name, content=content)


def _linked_obligation(request: Request, work: UnitOfWork, token: str,
                       obligation_id: int) -> tuple[links.LinkGrant, ObligationRow] | HTMLResponse:
    """The link's grant and one item of its unit (or subtree), or the page that refuses either."""
    grant = _grant(request, work, token)
    if isinstance(grant, HTMLResponse):
        return grant
    obligation = work.session.get(ObligationRow, obligation_id)
    unit = work.session.get(UnitRow, obligation.unit_id) if obligation else None
    if obligation is None or unit is None or not grant.covers(unit):
        return refused_page(request, "Không thuộc đơn vị của đường liên kết", "Nội dung này không thuộc đơn vị mà "
                            "đường liên kết được gửi tới; hãy mở lại đường liên kết và chọn đúng nội dung.",
                            links.contact_of(work.session, grant.unit), 403)
    return grant, obligation


@router.post(links.PATH_PREFIX + "{token}/{obligation_id}", response_model=None)
async def link_submit(request: Request, token: str, obligation_id: int,
                      work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Hand in one item: the plan's fields and the unit's document; mistakes come back beside the field."""
    found = _linked_obligation(request, work, token, obligation_id)
    if isinstance(found, HTMLResponse):
        return found
    grant, obligation = found
    async with request.form() as form:  # closes the uploaded file's spool whatever happens next
        values = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
        document = await _document(form)
    data = form_data(_plan(work, obligation), obligation.key, values, skip=DOCUMENT_FIELDS)
    settings = services(request).settings
    try:
        handed = hand_in(work.session, obligation, data=data, document=document, now=now(request),
                         actor=f"link:{grant.link_id}:{grant.unit.code}", files_dir=settings.effective_files_dir)
    except InputError as exc:
        work.session.rollback()
        return _owed_page(request, work, token, grant, done=None, failed=obligation_id, values=values,
                          problems=exc.problems)
    except ConflictError as exc:
        work.session.rollback()
        return _owed_page(request, work, token, grant, done=None, failed=obligation_id, values=values,
                          problems=[Problem(str(exc))])
    links.record_use(work.session, grant, now=now(request), action="submit", address=client_address(request),
                     details={"obligation": obligation.id, "submission": handed.submission_id,
                              "sha256": handed.document.sha256 if handed.document else None})
    work.commit()
    return RedirectResponse(f"{links.PATH_PREFIX}{quote(token)}?da_nop={handed.submission_id}", status_code=303)


@router.post(links.PATH_PREFIX + "{token}/{obligation_id}/sua", response_model=None)
async def link_correct(request: Request, token: str, obligation_id: int,
                       work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Correct a report the link's unit recorded: new figures and the reason, kept as a new version."""
    found = _linked_obligation(request, work, token, obligation_id)
    if isinstance(found, HTMLResponse):
        return found
    grant, obligation = found
    async with request.form() as form:
        values = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
    data = form_data(_plan(work, obligation), obligation.key, values, skip=("reason",))
    directive = work.session.get_one(DirectiveRow, obligation.directive_id)
    unit = work.session.get_one(UnitRow, obligation.unit_id)
    try:
        actions.correct(work.session, directive.number, unit.code, obligation.key, data=data,
                        reason=values.get("reason", ""), now=now(request),
                        actor=f"link:{grant.link_id}:{grant.unit.code}", period=obligation.period)
    except (InputError, ConflictError) as exc:
        work.session.rollback()
        problems = exc.problems if isinstance(exc, InputError) else [Problem(str(exc))]
        return _owed_page(request, work, token, grant, done=None, correcting=obligation_id, values=values,
                          problems=problems)
    links.record_use(work.session, grant, now=now(request), action="correct", address=client_address(request),
                     details={"obligation": obligation.id})
    work.commit()
    return RedirectResponse(f"{links.PATH_PREFIX}{quote(token)}?da_sua={obligation.id}", status_code=303)


def _plan(work: UnitOfWork, obligation: ObligationRow) -> Plan:
    directive = work.session.get(DirectiveRow, obligation.directive_id)
    assert directive is not None
    return plan_of(directive)
