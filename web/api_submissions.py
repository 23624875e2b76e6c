"""Submissions by API for e-office systems: the same checks and messages as the forms, and retries made safe.

A request carrying `Idempotency-Key` is recorded with its answer under (account, key) in the same transaction
as the submission; the same request sent again gets the recorded answer and records nothing, and two copies
racing each other are settled by the table's primary key. Refusals write nothing and are not recorded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from errors import ConflictError, InputError, NotFound, Problem, TrienkhaiError
from rollout import actions
from rollout.intake import HandedIn, Pending, check_report
from rollout.status import FINISHED, values
from storage import UnitOfWork
from storage.db import writer_turn
from storage.documents import DocumentIn
from storage.models import DirectiveRow, IdempotentRequestRow, ObligationRow, UnitRow
from storage.units import find_unit
from web.accounts import Principal, Role
from web.deps import api_caller, now, services
from web.report_queue import QueuedReport, lock_key, write_report

router = APIRouter(prefix="/api", tags=["Nộp báo cáo"])
T = TypeVar("T")


class DocumentPayload(BaseModel):
    """The unit's own document: number, date as people write it, signer, and the file in base64."""

    number: str = Field(description="Số, ký hiệu, ví dụ 05-BC/CB")
    signed_on: str = Field(description="Ngày ban hành, ví dụ 19/6/2017")
    signer: str = Field(description="Người ký")
    file_name: str | None = None
    content_base64: str | None = Field(None, description="Tệp PDF, DOCX, XLSX, PNG hoặc JPEG, tối đa 20 MB")


class SubmissionIn(BaseModel):
    """A report of one unit for one item of a directive (the earliest period still owed when none is given)."""

    directive: str = Field(examples=["47-KH/TU"])
    unit: str = Field(examples=["QT-GIOLINH-GIOAN-CB01"])
    key: str = Field(examples=["bao-cao-chi-dao-diem"])
    period: int | None = None
    data: dict[str, Any] = {}
    document: DocumentPayload | None = None


class WaiverIn(BaseModel):
    """Waiving one item of a unit, with the reason (office administrators only)."""

    directive: str
    unit: str
    key: str
    period: int | None = None
    reason: str


class CorrectionIn(BaseModel):
    """Correcting a recorded report (the latest period reported when none is given): every figure as it should be,
    and why; the earlier version is kept in the history."""

    directive: str = Field(examples=["47-KH/TU"])
    unit: str = Field(examples=["QT-GIOLINH-GIOAN-CB01"])
    key: str = Field(examples=["bao-cao-chi-dao-diem"])
    period: int | None = None
    data: dict[str, Any] = {}
    reason: str = Field(examples=["Gõ nhầm 180 thay cho 18"])


class SubmissionOut(BaseModel):
    """What was recorded: the item's new status and, for a report, the figures kept and the document's digest."""

    directive: str
    unit: str
    key: str
    period: int
    status: str
    submitted_at: datetime | None
    data: dict[str, Any] | None
    document_sha256: str | None = None


class Refusal(BaseModel):
    """Why nothing was recorded: one message, and each problem with the field it concerns."""

    detail: str
    problems: list[dict[str, str | None]] = []


ANSWERS: dict[int | str, dict[str, Any]] = {
    403: {"model": Refusal, "description": "Ngoài phạm vi hoặc vai trò của tài khoản"},
    404: {"model": Refusal, "description": "Không có văn bản, đơn vị hoặc nội dung này"},
    409: {"model": Refusal, "description": "Trái với trạng thái đã ghi nhận (đã nộp, kỳ chưa mở…)"},
    422: {"model": Refusal, "description": "Dữ liệu không hợp lệ; không ghi nhận gì"},
}


def _refusal(status: int, message: str, problems: list[Problem] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message, "problems": [{"field": p.field, "message": p.message}
                                                         for p in problems or []]}, status_code=status)


def _replay(work: UnitOfWork, principal: Principal, key: str | None, digest: str) -> JSONResponse | None:
    if not key:
        return None
    row = work.session.get(IdempotentRequestRow, (principal.account_id, key))
    return None if row is None else _replayed(row, key, digest)


def _replayed(row: IdempotentRequestRow, key: str, digest: str) -> JSONResponse:
    """The answer recorded under a key, for the same request sent again; a refusal for another request."""
    if row.request_hash != digest:
        return _refusal(422, f"Khóa Idempotency-Key “{key}” đã dùng cho một yêu cầu khác; "
                             "mỗi yêu cầu mới cần một khóa mới.")
    return JSONResponse(row.response, status_code=row.status_code, headers={"Idempotent-Replayed": "true"})


def _digest(path: str, body: BaseModel) -> str:
    return hashlib.sha256(json.dumps([path, body.model_dump(mode="json")], sort_keys=True).encode()).hexdigest()


def _obligation(work: UnitOfWork, principal: Principal,
                body: SubmissionIn | WaiverIn) -> tuple[DirectiveRow, UnitRow, ObligationRow]:
    directive = actions.find_directive(work.session, body.directive)
    unit = find_unit(work.session, body.unit)
    if not principal.sees(unit.path):
        raise PermissionError(unit.code)
    query = select(ObligationRow).where(ObligationRow.directive_id == directive.id, ObligationRow.unit_id == unit.id,
                                        ObligationRow.key == body.key)
    if body.period is not None:
        query = query.where(ObligationRow.period == body.period)
    # the earliest period still owed, else the latest one (as the CLI picks)
    row = work.session.scalars(query.order_by(ObligationRow.status.in_(values(FINISHED)), ObligationRow.period)).first()
    if row is None:
        raise NotFound(f"{unit.name} ({unit.code}) không có nội dung “{body.key}” theo văn bản {directive.number}.")
    return directive, unit, row


def _document(payload: DocumentPayload | None) -> DocumentIn | None:
    if payload is None:
        return None
    content = None
    if payload.content_base64 is not None:
        try:
            content = base64.b64decode(payload.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError([Problem("tệp không phải chuỗi base64 hợp lệ", field="document.content_base64")]) from exc
    return DocumentIn(number=payload.number, signed_on=payload.signed_on, signer=payload.signer,
                      file_name=payload.file_name, content=content)


def _refused(attempt: Callable[[], T]) -> T | JSONResponse:
    """What `attempt` returns, or the refusal its error stands for (the caller rolls back)."""
    try:
        return attempt()
    except PermissionError:
        return _refusal(403, "Đơn vị này ngoài phạm vi của tài khoản.")
    except (InputError, NotFound, ConflictError) as exc:
        return _refusal_of(exc)


def _refusal_of(exc: TrienkhaiError) -> JSONResponse:
    if isinstance(exc, InputError):
        return _refusal(exc.http_status, exc.title or "Dữ liệu không hợp lệ, chưa ghi nhận", exc.problems)
    return _refusal(exc.http_status, str(exc))


def _checked(work: UnitOfWork, principal: Principal, key: str | None, digest: str,
             check: Callable[[], T]) -> T | JSONResponse:
    """The checks of a request run before the write lock; a refusal is the answer unless a twin with the same key
    was recorded meanwhile (what the checks saw, the twin's report, came with its recorded answer)."""
    checked = _refused(check)
    if isinstance(checked, JSONResponse):
        replayed = _replay(work, principal, key, digest)
        work.session.rollback()
        return replayed or checked
    return checked


def _record(request: Request, work: UnitOfWork, principal: Principal, key: str | None, digest: str,
            change: Callable[[], SubmissionOut]) -> JSONResponse:
    """Run the change; on success record the answer under the key and commit both, or replay a racing twin's."""
    with writer_turn(work.engine):
        return _write(request, work, principal, key, digest, change)


def _write(request: Request, work: UnitOfWork, principal: Principal, key: str | None, digest: str,
           change: Callable[[], SubmissionOut]) -> JSONResponse:
    # The token and the key were read in a deferred transaction, which SQLite cannot turn into a write while
    # another request writes ("database is locked" at once): start again holding the write lock, so that
    # concurrent clients queue, and look again for a twin that committed meanwhile. Only that look, what the
    # change must read again and its writes happen here: every other check ran before. The read transaction ends
    # by a commit that writes nothing (the checks change no row), so the rows it loaded stay loaded.
    if work.session.new or work.session.dirty or work.session.deleted:
        raise AssertionError("a check changed a row before the write lock")
    work.session.commit()
    work.begin_writing()
    if key:
        lock_key(work, principal.account_id, key)
    replayed = _replay(work, principal, key, digest)
    if replayed is not None:
        work.session.rollback()
        return replayed
    answer = _refused(change)
    if isinstance(answer, JSONResponse):
        work.session.rollback()
        return answer
    response = answer.model_dump(mode="json")
    if key:
        work.session.add(IdempotentRequestRow(account_id=principal.account_id, key=key, request_hash=digest,
                                              status_code=201, response=response, created_at=now(request)))
    try:
        work.commit()
    except IntegrityError:
        work.session.rollback()  # the same key won a race: its answer is the answer
        replayed = _replay(work, principal, key, digest)
        work.session.rollback()
        if replayed is None:
            raise
        return replayed
    return JSONResponse(response, status_code=201)


_KEY_HELP = "Gửi lại cùng khóa: ghi một lần"


async def _in_one_hop(request: Request, handle: Callable[[UnitOfWork], JSONResponse]) -> JSONResponse:
    """Run a write request's work in one trip to the thread pool, in the request's unit of work. Why: a sync
    dependency resolved by the framework costs a trip each (and a unit of work two), which under twenty clients
    cost more CPU than the write itself."""
    def work_through() -> JSONResponse:
        with UnitOfWork(services(request).engine) as work:
            return handle(work)
    return await run_in_threadpool(work_through)


def _out(row: ObligationRow, body: SubmissionIn | WaiverIn | CorrectionIn, sha: str | None = None) -> SubmissionOut:
    return SubmissionOut(directive=body.directive, unit=body.unit, key=row.key, period=row.period, status=row.status,
                         submitted_at=row.submitted_at, data=row.data, document_sha256=sha)


@router.post("/submissions", status_code=201, response_model=SubmissionOut, responses=ANSWERS,
             summary="Nộp báo cáo của một đơn vị")
async def api_submit(request: Request, body: SubmissionIn,
                     idempotency_key: str | None = Header(None, max_length=200, description=_KEY_HELP),
                     principal: Principal = Depends(api_caller)) -> JSONResponse:
    """Record a report with the same checks as the form (fields, period opened, quota, document); cán bộ báo cáo
    and văn phòng, within their subtree."""
    return await _in_one_hop(request, lambda work: _submit(request, body, work, principal, idempotency_key))


def _submit(request: Request, body: SubmissionIn, work: UnitOfWork, principal: Principal,
            idempotency_key: str | None) -> JSONResponse:
    digest = _digest(request.url.path, body)
    replayed = _replay(work, principal, idempotency_key, digest)
    if replayed is not None:
        return replayed
    if principal.role not in (Role.ADMIN, Role.REPORTER):
        return _refusal(403, "Tài khoản chỉ xem, không nộp báo cáo được.")

    report = _checked(work, principal, idempotency_key, digest, lambda: check_report(
        *_obligation(work, principal, body), data=body.data, document=_document(body.document), now=now(request)))
    if isinstance(report, JSONResponse):
        return report
    work.session.commit()  # the read transaction ends (it wrote nothing); what it loaded stays readable

    def respond(done: HandedIn) -> dict[str, Any]:
        sha = done.document.sha256 if done.document else None
        return _out(done.obligation, body, sha).model_dump(mode="json")

    job = QueuedReport(Pending(report, now(request), principal.actor), principal.account_id, idempotency_key, digest,
                       respond)
    write_report(work.engine, services(request).settings.effective_files_dir, job)
    if job.failure is not None:
        raise job.failure
    if job.replay is not None and idempotency_key:
        return _replayed(job.replay, idempotency_key, digest)
    if isinstance(job.outcome, TrienkhaiError):
        return _refusal_of(job.outcome)
    return JSONResponse(job.outcome, status_code=201)


@router.post("/waivers", status_code=201, response_model=SubmissionOut, responses=ANSWERS,
             summary="Miễn một nội dung cho một đơn vị")
async def api_waive(request: Request, body: WaiverIn,
                    idempotency_key: str | None = Header(None, max_length=200, description=_KEY_HELP),
                    principal: Principal = Depends(api_caller)) -> JSONResponse:
    """Waive an item with a reason: văn phòng (admin) only, within its subtree."""
    return await _in_one_hop(request, lambda work: _waive(request, body, work, principal, idempotency_key))


def _waive(request: Request, body: WaiverIn, work: UnitOfWork, principal: Principal,
           idempotency_key: str | None) -> JSONResponse:
    digest = _digest(request.url.path, body)
    replayed = _replay(work, principal, idempotency_key, digest)
    if replayed is not None:
        return replayed
    if principal.role is not Role.ADMIN:
        return _refusal(403, "Chỉ tài khoản quản trị văn phòng được miễn nội dung.")

    def change() -> SubmissionOut:
        _directive, unit, row = _obligation(work, principal, body)
        done = actions.waive(work.session, body.directive, unit.code, row.key, reason=body.reason, now=now(request),
                             actor=principal.actor, period=row.period, by_unit=principal.unit_code)
        return _out(done, body)

    return _record(request, work, principal, idempotency_key, digest, change)


@router.post("/corrections", status_code=201, response_model=SubmissionOut, responses=ANSWERS,
             summary="Sửa một báo cáo đã ghi nhận")
async def api_correct(request: Request, body: CorrectionIn,
                      idempotency_key: str | None = Header(None, max_length=200, description=_KEY_HELP),
                      principal: Principal = Depends(api_caller)) -> JSONResponse:
    """Correct a recorded report with the same checks as a submission and a reason; whoever may submit it (cán bộ
    báo cáo and văn phòng, within their subtree). The time and on-time status of the report do not change."""
    return await _in_one_hop(request, lambda work: _correct(request, body, work, principal,
                                                                        idempotency_key))


def _correct(request: Request, body: CorrectionIn, work: UnitOfWork, principal: Principal,
             idempotency_key: str | None) -> JSONResponse:
    digest = _digest(request.url.path, body)
    replayed = _replay(work, principal, idempotency_key, digest)
    if replayed is not None:
        return replayed
    if principal.role not in (Role.ADMIN, Role.REPORTER):
        return _refusal(403, "Tài khoản chỉ xem, không sửa báo cáo được.")

    def change() -> SubmissionOut:
        if not principal.sees(find_unit(work.session, body.unit).path):
            raise PermissionError(body.unit)
        row = actions.correct(work.session, body.directive, body.unit, body.key, data=body.data, reason=body.reason,
                              now=now(request), actor=principal.actor, period=body.period)
        return _out(row, body)

    return _record(request, work, principal, idempotency_key, digest, change)
