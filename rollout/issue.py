"""Issuing a directive: the whole rollout (phases, pilot, quotas, every unit's obligations) in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import ConflictError
from plans.compiled import CompiledPlan
from plans.numbers import number_key
from rollout import summary
from rollout.escalate import queue_messages
from rollout.expand import insert_obligations, insert_rows, phase_opens, unit_ids
from rollout.expand_sql import Expanded, Sample, expand_in_database
from schedules import WorkingCalendar
from storage.audit import append_audit
from storage.db import refresh_statistics
from storage.models import AuditEntry, DirectiveRow, EventRow, ObligationRow, PhaseRow, PilotRow, QuotaRow
from storage.units import find_unit

__all__ = ["IssueResult", "issue_directive"]

@dataclass
class IssueResult:
    """What issuing did: created is False when the same plan had already been issued."""

    directive_id: int
    created: bool
    obligations: int = 0
    units: int = 0
    warnings: list[str] = field(default_factory=list)


def issue_directive(
    session: Session,
    compiled: CompiledPlan,
    *,
    plan_data: dict[str, Any],
    fingerprint: str,
    now: datetime,
    actor: str,
    calendar: WorkingCalendar,
    diff: Callable[[dict[str, Any], dict[str, Any]], list[str]] | None = None,
    sample: Sample | None = None,
) -> IssueResult:
    """Create a directive's rollout; the same plan again creates nothing, a changed plan is refused with its
    differences. With `sample`, the plan was compiled against that sample and is expanded in the database."""
    d = compiled.directive
    key = number_key(d.number)
    existing = session.scalar(select(DirectiveRow).where(DirectiveRow.number_key == key))
    if existing is not None and existing.number != d.number:
        raise ConflictError(
            f"Số “{d.number}” là văn bản “{existing.number}” đã ban hành ({existing.title[:80]}), chỉ khác cách "
            "ghi; không ban hành lần thứ hai. Muốn sửa kế hoạch đó, ghi số đúng như đã ban hành rồi dùng "
            "`trienkhai plan amend TỆP --reason \"…\"`.")
    if existing is not None:
        if existing.fingerprint == fingerprint:
            return IssueResult(existing.id, created=False)
        lines = diff(existing.plan, plan_data) if diff else []
        raise ConflictError(
            f"Văn bản {d.number} đã được ban hành với nội dung khác; không ban hành lại. "
            "Muốn sửa, dùng `trienkhai plan amend TỆP --reason \"…\"` "
            "(ghi lại người sửa, thời điểm và lý do). Khác biệt:\n"
            + "\n".join(f"  - {line}" for line in lines)
        )
    issuer = find_unit(session, d.issuer_code)
    root = find_unit(session, compiled.root_code)
    directive = DirectiveRow(
        number=d.number, number_key=key, kind=d.kind, title=d.title, issuer_id=issuer.id, root_id=root.id,
        issued_at=d.issued_at, fingerprint=fingerprint, plan=plan_data, state="active", created_at=now,
    )
    session.add(directive)
    session.flush()
    for seq, phase in enumerate(compiled.phases):
        gate = phase.gate
        session.add(PhaseRow(
            directive_id=directive.id, seq=seq, name=phase.name, label=phase.label_vi,
            opens_at=phase_opens(phase, calendar), due_at=phase.due, gate_share=gate.min_share_reported,
            gate_counts=gate.counts_obligation, gate_approval=gate.approval_required, state="pending",
        ))
    if sample is None:
        expanded = _expand_rows(session, directive.id, compiled, calendar)
    else:
        expanded = expand_in_database(session, directive.id, compiled, sample, calendar)
    count = expanded.obligations
    summary.rebuild(session, directive.id)
    refresh_statistics(session, "obligations")
    _announce(session, directive, expanded.first_level, now, calendar)
    session.add(EventRow(directive_id=directive.id, kind="issued", at=now, dedup=f"issued:{directive.id}",
                         details={"obligations": count}))
    details = {"obligations": count, "units": expanded.units, "fingerprint": fingerprint}
    append_audit(session, AuditEntry(at=now, actor=actor, action="directive.issue", subject=d.number, reason=None,
                                     details=details))
    session.flush()
    return IssueResult(directive.id, created=True, obligations=count, units=expanded.units,
                       warnings=list(compiled.warnings))


def _expand_rows(session: Session, directive_id: int, compiled: CompiledPlan, calendar: WorkingCalendar) -> Expanded:
    """Pilot units, quota allocations and obligations of a plan compiled against every unit it reaches."""
    ids = unit_ids(session, compiled)
    insert_rows(session, PilotRow, [
        {"directive_id": directive_id, "unit_id": ids[c.code], "rule": c.rule} for c in compiled.pilot
    ])
    insert_rows(session, QuotaRow, [
        {"directive_id": directive_id, "name": q.name, "unit_id": ids[code], "amount": amount,
         "rule": q.rules_applied.get(code, "")}
        for q in compiled.quotas for code, amount in q.per_unit.items()
    ])
    levels = {t.code: t.level for t in compiled.targets}
    count = insert_obligations(session, directive_id, compiled, ids, levels, calendar)
    first_level = [ids[code] for code in sorted(code for code, level in levels.items() if level == 1)]
    return Expanded(count, len(compiled.targets), first_level)


def _announce(session: Session, directive: DirectiveRow, first_level: list[int], now: datetime,
              calendar: WorkingCalendar) -> None:
    """Write a "thông báo triển khai" to each unit the directive is addressed to (level 1), in the same
    transaction, listing what that unit itself owes; the levels below hear from their own committee."""
    owed: dict[int, list[int]] = {}
    if first_level:
        rows = session.execute(select(ObligationRow.unit_id, ObligationRow.id).where(
            ObligationRow.directive_id == directive.id, ObligationRow.level == 1))
        for unit_id, obligation_id in rows:
            owed.setdefault(unit_id, []).append(obligation_id)
    queue_messages(session, directive.id, (
        (f"d{directive.id}:issued:u{unit_id}", unit_id, "thong_bao_trien_khai",
         {"obligations": sorted(owed.get(unit_id, []))})
        for unit_id in first_level
    ), now, calendar)
