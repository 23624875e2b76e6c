"""What people do to a rollout: submit a report, waive, approve a gate, hold, resume, abort — each audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import ConflictError, InputError, NotFound, Problem
from rollout.guards import check_opened, check_quotas
from rollout.status import FINISHED, TRANSITIONS, Status, submitted_status, values
from storage.models import AuditEntry, DirectiveRow, EventRow, ObligationRow, PhaseRow, SubmissionRow
from storage.units import find_unit

__all__ = ["approve_gate", "find_directive", "set_state", "submit", "waive"]

STATE_CHANGES = {  # action -> (states it may start from, state it leads to)
    "hold": ({"active"}, "held"),
    "resume": ({"held"}, "active"),
    "abort": ({"active", "held"}, "aborted"),
}


def find_directive(session: Session, number: str) -> DirectiveRow:
    """The issued directive `number`, or NotFound."""
    row = session.scalar(select(DirectiveRow).where(DirectiveRow.number == number))
    if row is None:
        raise NotFound(f"Chưa ban hành văn bản số “{number}” (xem `trienkhai plan list`).")
    return row


def _obligation(session: Session, directive: DirectiveRow, unit_code: str, key: str, period: int | None) -> ObligationRow:
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
    """Report data must match the fields the plan declared for that obligation, with the declared types."""
    specs = next((o.get("fields") or [] for o in directive.plan.get("obligations", []) if o.get("key") == key), [])
    known = {f["name"]: f for f in specs}
    problems, clean = [], {}
    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            valid = ", ".join(known) or "(kế hoạch không khai báo trường nào)"
            problems.append(Problem(f"không có trường này; các trường hợp lệ: {valid}", field=name))
            continue
        try:
            clean[name] = {"int": int, "float": float, "text": str, "list": _as_list}[spec["type"]](value)
        except (TypeError, ValueError):
            problems.append(Problem(f"giá trị “{value}” không phải kiểu {spec['type']}", field=name))
    if problems:
        raise InputError(problems, title="Báo cáo không hợp lệ, chưa ghi nhận")
    return clean


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(v) for v in value]


def submit(session: Session, number: str, unit_code: str, key: str, *, data: dict[str, Any] | None, now: datetime,
           actor: str, period: int | None = None) -> ObligationRow:
    """Record a report: on time when it arrives no later than its deadline, late otherwise; the ladder stops."""
    directive = find_directive(session, number)
    row = _obligation(session, directive, unit_code, key, period)
    if not TRANSITIONS["submit"].allows(row.status):
        raise ConflictError(f"Nghĩa vụ “{key}” của {unit_code} đã ở trạng thái “{Status(row.status).label}”.")
    check_opened(row, now)
    clean = _check_fields(directive, key, data or {})
    check_quotas(session, directive, row, clean)
    row.status = submitted_status(now, row.due_at).value
    row.submitted_at, row.data = now, clean
    session.add(SubmissionRow(obligation_id=row.id, at=now, actor=actor, action="submit", data=clean))
    session.add(EventRow(directive_id=directive.id, obligation_id=row.id, kind="submitted", at=now,
                         dedup=f"submitted:{row.id}"))
    session.add(AuditEntry(at=now, actor=actor, action="report.submit", subject=f"{number}/{unit_code}/{key}/{row.period}",
                           reason=None, details={"status": row.status, "data": clean}))
    session.flush()
    return row


def waive(session: Session, number: str, unit_code: str, key: str, *, reason: str, now: datetime, actor: str,
          period: int | None = None) -> ObligationRow:
    """Waive an obligation (miễn) with a reason; it no longer counts as due."""
    if not reason.strip():
        raise InputError("Miễn nghĩa vụ phải ghi rõ lý do.")
    directive = find_directive(session, number)
    row = _obligation(session, directive, unit_code, key, period)
    waive = TRANSITIONS["waive"]
    if not waive.allows(row.status):
        raise ConflictError(f"Nghĩa vụ “{key}” của {unit_code} đã ở trạng thái “{Status(row.status).label}”.")
    row.status, row.note = str(waive.target), reason
    session.add(SubmissionRow(obligation_id=row.id, at=now, actor=actor, action="waive", reason=reason))
    session.add(AuditEntry(at=now, actor=actor, action="report.waive", subject=f"{number}/{unit_code}/{key}/{row.period}",
                           reason=reason, details={}))
    session.flush()
    return row


def approve_gate(session: Session, number: str, phase: str, *, now: datetime, actor: str, reason: str | None = None) -> PhaseRow:
    """Record the human approval a phase's gate asks for; the next `advance` opens it if the rest holds."""
    directive = find_directive(session, number)
    row = session.scalar(select(PhaseRow).where(PhaseRow.directive_id == directive.id, PhaseRow.name == phase))
    if row is None:
        names = session.scalars(select(PhaseRow.name).where(PhaseRow.directive_id == directive.id).order_by(PhaseRow.seq))
        raise NotFound(f"Văn bản {number} không có giai đoạn “{phase}”; các giai đoạn: {', '.join(names)}.")
    if row.approved_at is not None:
        raise ConflictError(f"Giai đoạn “{row.label}” đã được {row.approved_by} phê duyệt.")
    row.approved_by, row.approved_at = actor, now
    session.add(AuditEntry(at=now, actor=actor, action="phase.approve", subject=f"{number}/{phase}", reason=reason, details={}))
    session.flush()
    return row


def set_state(session: Session, number: str, action: str, *, reason: str, now: datetime, actor: str) -> DirectiveRow:
    """Hold, resume or abort a rollout, always with a reason; a held rollout is not advanced nor chased."""
    if not reason.strip():
        raise InputError("Phải ghi rõ lý do (ai, khi nào, vì sao sẽ hiển thị cùng trạng thái).")
    directive = find_directive(session, number)
    allowed, target = STATE_CHANGES[action]
    if directive.state not in allowed:
        raise ConflictError(f"Văn bản {number} đang ở trạng thái “{directive.state}”, không thể {action}.")
    directive.state, directive.state_reason, directive.state_by, directive.state_at = target, reason, actor, now
    session.add(AuditEntry(at=now, actor=actor, action=f"directive.{action}", subject=number, reason=reason, details={}))
    session.flush()
    return directive
