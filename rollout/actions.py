"""What people do to a rollout: submit a report, waive, approve a gate, hold, resume, abort — each audited."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from errors import ConflictError, Forbidden, InputError, NotFound, Problem
from hierarchy.limits import shown
from plans.numbers import folded_key, number_key
from rollout import summary
from rollout.fields import check_fields
from rollout.guards import check_opened, check_quotas
from rollout.status import (
    DIRECTIVE_CHANGES,
    FINISHED,
    REPORTED,
    TRANSITIONS,
    DirectiveState,
    Status,
    submitted_status,
    values,
)
from rollout.stored_plan import field_specs, plan_of
from storage.audit import append_audit
from storage.models import AuditEntry, DirectiveRow, EventRow, ObligationRow, PhaseRow, SubmissionRow, UnitRow
from storage.units import find_unit

__all__ = [
    "approve_gate", "check_issuer_authority", "check_submission", "check_waiver_authority", "claim_submission",
    "correct", "find_directive", "record_submission", "set_state", "submit", "waive",
]

def find_directive(session: Session, number: str) -> DirectiveRow:
    """The issued directive a typed number means: the one with its key ("047-KH/TU " is "47-KH/TU"), else the one
    whose key matches with Đ read as D ("108-KH/DUK" finds "108-KH/ĐUK"); InputError listing them when several
    could be meant, NotFound when none."""
    key = number_key(number)
    row = session.scalar(select(DirectiveRow).where(DirectiveRow.number_key == key))
    if row is not None:
        return row
    candidates = session.scalars(select(DirectiveRow)
                                 .where(func.replace(DirectiveRow.number_key, "Đ", "D") == folded_key(number))
                                 .order_by(DirectiveRow.issued_at, DirectiveRow.id)).all()
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        listed = "; ".join(f"“{c.number}” ({c.title[:80]})" for c in candidates)
        raise InputError(f"Số {shown(number)} có thể là {len(candidates)} văn bản: {listed}. Văn bản nào? "
                         "Hãy ghi lại số đúng như văn bản muốn chọn, có chữ Đ ở chỗ có Đ.")
    raise NotFound(f"Chưa ban hành văn bản số {shown(number)} (xem `trienkhai plan list`).")


def _obligation(
    session: Session, directive: DirectiveRow, unit_code: str, key: str, period: int | None
) -> ObligationRow:
    unit = find_unit(session, unit_code)
    query = select(ObligationRow).where(
        ObligationRow.directive_id == directive.id, ObligationRow.unit_id == unit.id, ObligationRow.key == key
    )
    if period is not None:
        query = query.where(ObligationRow.period == period)
    else:  # the earliest period still owed, else the latest one
        query = query.order_by((ObligationRow.status.in_(values(FINISHED))), ObligationRow.period)
    row = session.scalars(query).first()
    if row is None:
        keys = sorted(set(session.scalars(select(ObligationRow.key).where(
            ObligationRow.directive_id == directive.id, ObligationRow.unit_id == unit.id))))
        raise NotFound(
            f"{unit.name} ({unit_code}) không có nghĩa vụ “{key}” theo văn bản {directive.number}; "
            f"các nghĩa vụ của đơn vị: {', '.join(keys) or 'không có'}."
        )
    return row


def _check_fields(directive: DirectiveRow, key: str, data: dict[str, Any]) -> dict[str, Any]:
    """Report data must match the fields the directive's plan declared for obligation `key` (check_fields)."""
    return check_fields(field_specs(plan_of(directive), key), data)


def submit(session: Session, number: str, unit_code: str, key: str, *, data: dict[str, Any] | None, now: datetime,
           actor: str, period: int | None = None) -> ObligationRow:
    """Record a report: on time when it arrives no later than its deadline, late otherwise; the ladder stops."""
    directive = find_directive(session, number)
    row = _obligation(session, directive, unit_code, key, period)
    clean = check_submission(directive, row, unit_code, data, now)
    record_submission(session, directive, row, unit_code, clean, now=now, actor=actor)
    return row


def check_submission(directive: DirectiveRow, row: ObligationRow, unit_code: str, data: dict[str, Any] | None,
                     now: datetime) -> dict[str, Any]:
    """The report's figures as they will be kept, when the obligation may still be reported and its period has
    opened; reads nothing more from the database, so it may run before the write lock is taken."""
    _check_submittable(row, unit_code)
    check_opened(row, now)
    return _check_fields(directive, row.key, data or {})


def _check_submittable(row: ObligationRow, unit_code: str) -> None:
    if not TRANSITIONS["submit"].allows(row.status):
        raise ConflictError(f"Nghĩa vụ “{row.key}” của {unit_code} đã ở trạng thái “{Status(row.status).label}”.")


def record_submission(session: Session, directive: DirectiveRow, row: ObligationRow, unit_code: str,
                      clean: dict[str, Any], *, now: datetime, actor: str) -> SubmissionRow:
    """Write a report checked by check_submission: the obligation read again (and locked on PostgreSQL) with its
    unit's place, since another writer may have moved either meanwhile, then `claim_submission`, the counts, the
    audit row and the consolidation above."""
    session.refresh(row, with_for_update=True)
    unit = session.get_one(UnitRow, row.unit_id)
    session.refresh(unit, ["path"])
    before = row.data
    counts, entry, submission = claim_submission(session, directive, row, unit, unit_code, clean, now=now,
                                                 actor=actor)
    summary.apply(session, counts)
    append_audit(session, entry)
    summary.refresh_figures(session, directive, (row, before))
    return submission


def claim_submission(session: Session, directive: DirectiveRow, row: ObligationRow, unit: UnitRow, unit_code: str,
                     clean: dict[str, Any], *, now: datetime, actor: str) -> tuple[Counter[Any], AuditEntry,
                                                                                      SubmissionRow]:
    """The checks of a report made under the write lock, on the obligation and unit as they now stand (still
    reportable, within the quotas), then its rows: the obligation's status and figures, the submission and its
    event. Returns what several reports write at once: the count changes and the audit entry."""
    _check_submittable(row, unit_code)
    check_quotas(session, directive, row, clean)
    status = submitted_status(now, row.due_at).value
    counts = summary.moved(row, unit.path, status)
    row.status, row.submitted_at, row.data = status, now, clean
    submission = SubmissionRow(obligation_id=row.id, at=now, actor=actor, action="submit", data=clean)
    session.add(submission)
    session.add(EventRow(directive_id=directive.id, obligation_id=row.id, kind="submitted", at=now,
                         dedup=f"submitted:{row.id}"))
    entry = AuditEntry(at=now, actor=actor, action="report.submit",
                       subject=f"{directive.number}/{unit_code}/{row.key}/{row.period}", reason=None,
                       details={"status": row.status, "data": clean})
    return counts, entry, submission


def _storable(value: Any) -> Any:
    """A value read back from a report, writable as JSON again: a number beyond a float (stored before entry was
    bounded, read as infinity) becomes its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def correct(session: Session, number: str, unit_code: str, key: str, *, data: dict[str, Any] | None, reason: str,
            now: datetime, actor: str, period: int | None = None) -> ObligationRow:
    """Correct a report already recorded: the new figures, checked as a submission's, replace the obligation's and
    are kept as a new version beside the earlier ones, with who, when and why; the report's time and status (on
    time or late) stay those of its first submission."""
    reason = reason.strip()
    directive = find_directive(session, number)
    if period is None:  # the latest period reported, rather than the earliest still owed
        unit = find_unit(session, unit_code)
        period = session.scalar(select(func.max(ObligationRow.period)).where(
            ObligationRow.directive_id == directive.id, ObligationRow.unit_id == unit.id, ObligationRow.key == key,
            ObligationRow.status.in_(values(REPORTED))))
    row = _obligation(session, directive, unit_code, key, period)
    if Status(row.status) not in REPORTED:
        raise ConflictError(f"Nghĩa vụ “{key}” kỳ {row.period} của {unit_code} đang ở trạng thái "
                            f"“{Status(row.status).label}”: chưa có báo cáo để sửa, hãy nộp báo cáo.")
    problems = [] if reason else [Problem("phải ghi rõ lý do sửa (sẽ hiển thị trong lịch sử báo cáo)", field="reason")]
    try:
        clean = _check_fields(directive, key, data or {})
    except InputError as exc:
        raise InputError(exc.problems + problems, title="Chưa sửa được báo cáo") from exc
    if problems:
        raise InputError(problems, title="Chưa sửa được báo cáo")
    if clean == (row.data or {}):
        raise ConflictError("Số liệu không khác lần báo cáo trước; không có gì để sửa.")
    check_quotas(session, directive, row, clean)
    before, row.data = row.data, clean
    session.add(SubmissionRow(obligation_id=row.id, at=now, actor=actor, action="correct", data=clean, reason=reason))
    append_audit(session, AuditEntry(at=now, actor=actor, action="report.correct",
                                     subject=f"{number}/{unit_code}/{key}/{row.period}", reason=reason,
                                     details={"data": clean, "before": _storable(before)}))
    session.flush()
    summary.refresh_figures(session, directive, (row, before))
    return row


def waive(session: Session, number: str, unit_code: str, key: str, *, reason: str, now: datetime, actor: str,
          period: int | None = None, by_unit: str | None = None) -> ObligationRow:
    """Waive an obligation (miễn) with a reason; it no longer counts as due. Authority follows the issuer: an
    administrator acting for `by_unit` may waive only when the issuing unit lies in its subtree (None: the
    service's own operator, at the command line)."""
    if not reason.strip():
        raise InputError("Miễn nghĩa vụ phải ghi rõ lý do.")
    directive = find_directive(session, number)
    if by_unit is not None:
        check_waiver_authority(session, directive, by_unit)
    row = _obligation(session, directive, unit_code, key, period)
    waive = TRANSITIONS["waive"]
    if not waive.allows(row.status):
        raise ConflictError(f"Nghĩa vụ “{key}” của {unit_code} đã ở trạng thái “{Status(row.status).label}”.")
    summary.move(session, ObligationRow.id == row.id, str(waive.target))
    row.status, row.note = str(waive.target), reason
    session.add(SubmissionRow(obligation_id=row.id, at=now, actor=actor, action="waive", reason=reason))
    append_audit(session, AuditEntry(at=now, actor=actor, action="report.waive",
                                     subject=f"{directive.number}/{unit_code}/{key}/{row.period}", reason=reason,
                                     details={}))
    session.flush()
    return row


# What each act is called in the refusal, and what the acting office may still do.
_ACTS = {
    "waive": ("miễn nội dung của", "miễn", "; {acting} vẫn ghi nhận báo cáo của các đơn vị mình và có thể đề nghị "
                                          "đơn vị ban hành miễn."),
    "approve": ("phê duyệt chuyển giai đoạn của", "phê duyệt", "; {acting} có thể đề nghị đơn vị ban hành phê duyệt."),
    "hold": ("tạm dừng", "tạm dừng", "; {acting} có thể đề nghị đơn vị ban hành tạm dừng."),
    "resume": ("cho tiếp tục", "cho tiếp tục", "."),
    "abort": ("hủy đợt triển khai", "hủy", "; {acting} có thể đề nghị đơn vị ban hành hủy."),
}


def check_issuer_authority(session: Session, directive: DirectiveRow, by_unit: str, act: str) -> None:
    """Forbidden unless the issuing unit of `directive` lies in the subtree of `by_unit`, whose admin acts: waivers,
    gate approvals, holds and aborts belong to the issuer's office or a superior's, not to the units the directive
    reaches (its root may be a district the issuer sends it to)."""
    acting = find_unit(session, by_unit)
    issuer = session.get_one(UnitRow, directive.issuer_id)
    if not issuer.path.startswith(acting.path):
        whole, short, then = _ACTS[act]
        raise Forbidden(f"{acting.name} không có quyền {whole} văn bản {directive.number}: chỉ văn phòng "
                        f"{issuer.name} (đơn vị ban hành) hoặc cấp trên được {short}" + then.format(acting=acting.name))


def check_waiver_authority(session: Session, directive: DirectiveRow, by_unit: str) -> None:
    """Forbidden unless the issuing unit of `directive` lies in the subtree of `by_unit`, whose admin acts."""
    check_issuer_authority(session, directive, by_unit, "waive")


def approve_gate(
    session: Session, number: str, phase: str, *, now: datetime, actor: str, reason: str | None = None,
    by_unit: str | None = None,
) -> PhaseRow:
    """Record the human approval a phase's gate asks for; the next `advance` opens it if the rest holds. Authority
    follows the issuer, as for waivers (`by_unit` None: the service's own operator)."""
    directive = find_directive(session, number)
    if by_unit is not None:
        check_issuer_authority(session, directive, by_unit, "approve")
    row = session.scalar(select(PhaseRow).where(PhaseRow.directive_id == directive.id, PhaseRow.name == phase))
    if row is None:
        names = session.scalars(
            select(PhaseRow.name).where(PhaseRow.directive_id == directive.id).order_by(PhaseRow.seq)
        )
        raise NotFound(f"Văn bản {directive.number} không có giai đoạn “{phase}”; các giai đoạn: {', '.join(names)}.")
    if row.approved_at is not None:
        raise ConflictError(f"Giai đoạn “{row.label}” đã được {row.approved_by} phê duyệt.")
    row.approved_by, row.approved_at = actor, now
    append_audit(session, AuditEntry(at=now, actor=actor, action="phase.approve", subject=f"{directive.number}/{phase}",
                                     reason=reason, details={}))
    session.flush()
    return row


def set_state(session: Session, number: str, action: str, *, reason: str, now: datetime, actor: str,
              by_unit: str | None = None) -> DirectiveRow:
    """Hold, resume or abort a rollout, always with a reason; a held rollout is not advanced nor chased. Authority
    follows the issuer, as for waivers (`by_unit` None: the service's own operator)."""
    if not reason.strip():
        raise InputError("Phải ghi rõ lý do (ai, khi nào, vì sao sẽ hiển thị cùng trạng thái).")
    directive = find_directive(session, number)
    if by_unit is not None:
        check_issuer_authority(session, directive, by_unit, action)
    change = DIRECTIVE_CHANGES[action]
    current = DirectiveState(directive.state)
    if current not in change.sources:
        raise ConflictError(f"Văn bản {directive.number} đang ở trạng thái “{current.label}”, không thể "
                            f"{change.verb}.")
    directive.state, directive.state_reason, directive.state_by, directive.state_at = change.target, reason, actor, now
    append_audit(session, AuditEntry(at=now, actor=actor, action=f"directive.{action}", subject=directive.number,
                                     reason=reason, details={}))
    session.flush()
    return directive

