"""Letters as sent: a message of the outbox opened from the dashboard exactly as it went out, with its files.

What is shown is what the dispatcher stored when it sent the message, never a new rendering: the plan, the
templates or the hierarchy may have changed since.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from notifications.routing import channel_line
from notifications.sent import eml_bytes, stored_envelope, stored_files
from storage import UnitOfWork
from storage.models import DirectiveRow, OutboxRow, UnitRow
from web.accounts import Principal
from web.deps import page_principal, services, uow
from web.queries import OutOfScope
from web.routes_directives import LETTER_NAMES, render
from web.routes_reports import SAFE_HEADERS, _disposition

router = APIRouter(include_in_schema=False)
STATUS_NAMES = {"pending": "chờ gửi", "sent": "đã gửi", "failed": "gửi lỗi", "cancelled": "không cần gửi"}


def _letter(work: UnitOfWork, principal: Principal, letter_id: int) -> tuple[OutboxRow, UnitRow]:
    """The message and its recipient when the recipient lies in the account's subtree; else OutOfScope
    (an unknown number is refused the same way)."""
    row = work.session.get(OutboxRow, letter_id)
    unit = work.session.get(UnitRow, row.unit_id) if row is not None and row.unit_id is not None else None
    if row is None or unit is None or not principal.sees(unit.path):
        raise OutOfScope(f"letter {letter_id}")
    return row, unit


@router.get("/letters/{letter_id}", response_class=HTMLResponse)
def letter_page(request: Request, letter_id: int, principal: Principal = Depends(page_principal),
                work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """One message of the outbox as sent: recipients, subject, text, Message-ID and the attached files."""
    row, unit = _letter(work, principal, letter_id)
    directive = work.session.get(DirectiveRow, row.directive_id) if row.directive_id else None
    return render(request, "letter.html", {
        "row": row, "unit": unit, "directive": directive, "envelope": stored_envelope(work.session, row),
        "files": stored_files(work.session, row.id), "kind": LETTER_NAMES.get(row.template, row.template),
        "status": STATUS_NAMES.get(row.status, row.status), "channel": channel_line(row.recipients),
    })


@router.get("/letters/{letter_id}/files/{seq}")
def letter_file(letter_id: int, seq: int, principal: Principal = Depends(page_principal),
                work: UnitOfWork = Depends(uow)) -> Response:
    """An attached file of a sent message, byte for byte as it was sent, offered for download."""
    row, _ = _letter(work, principal, letter_id)
    found = next((f for f in stored_files(work.session, row.id) if f.seq == seq), None)
    if found is None:
        raise OutOfScope(f"letter {letter_id} file {seq}")
    headers = SAFE_HEADERS | {"Content-Disposition": _disposition("attachment", found.name)}
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.get("/letters/{letter_id}/eml")
def letter_eml(request: Request, letter_id: int, principal: Principal = Depends(page_principal),
               work: UnitOfWork = Depends(uow)) -> Response:
    """The sent message as an .eml file, with the Message-ID and the date it went out with."""
    row, _ = _letter(work, principal, letter_id)
    envelope = stored_envelope(work.session, row)
    if envelope is None or not (envelope.to or envelope.cc):
        why = ("được gửi qua webhook, không phải thư điện tử" if envelope is not None
               else "được gửi trước khi hệ thống lưu thư đã gửi" if row.status == "sent" else "chưa được gửi")
        return render(request, "error.html", {"message": f"Thư số {letter_id} {why} nên không có bản .eml."},
                      status=404)
    content = eml_bytes(envelope, services(request).settings.mail_from, row.sent_at)
    headers = SAFE_HEADERS | {"Content-Disposition": _disposition("attachment", f"thu-{row.id}.eml")}
    return Response(content, media_type="message/rfc822", headers=headers)
