"""Amending an issued directive: an explicit act, with who, when and why, that moves what is still owed.

What an amendment changes: phase windows and gates; deadlines of obligations not yet finished (finished
ones keep the deadline they were judged against); obligations for units newly targeted; obligations of
a plan item that was removed are waived, with the amendment as the reason. Pilot and quota rows follow
the new plan. Everything in one transaction, and the differences go to the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from errors import InputError
from plans.compiled import CompiledPlan
from rollout import summary
from rollout.actions import find_directive
from rollout.expand import insert_obligations, insert_rows, periods, phase_opens, unit_ids
from rollout.status import UNFINISHED, Status, values
from schedules import WorkingCalendar
from storage.audit import append_audit
from storage.db import rowcount
from storage.models import AuditEntry, ObligationRow, PhaseRow, PilotRow, QuotaRow

__all__ = ["AmendResult", "amend_directive"]



@dataclass
class AmendResult:
    """The differences applied (empty when the plan had not changed) and how many obligations moved."""

    differences: list[str] = field(default_factory=list)
    rescheduled: int = 0
    added: int = 0
    waived: int = 0


def amend_directive(session: Session, compiled: CompiledPlan, *, plan_data: dict[str, Any], fingerprint: str,
                    now: datetime, actor: str, reason: str, calendar: WorkingCalendar,
                    diff: Callable[[dict[str, Any], dict[str, Any]], list[str]]) -> AmendResult:
    """Apply a changed plan to its issued directive; refused without a reason, a no-op when nothing changed."""
    directive = find_directive(session, compiled.directive.number)
    if directive.fingerprint == fingerprint:
        return AmendResult()
    if not reason.strip():
        raise InputError("Sửa đổi kế hoạch đã ban hành phải ghi rõ lý do (--reason).")
    result = AmendResult(differences=diff(directive.plan, plan_data))
    _amend_phases(session, directive.id, compiled, calendar)
    ids = unit_ids(session, compiled)
    levels = {t.code: t.level for t in compiled.targets}
    for spec in compiled.obligations:
        for period, (opens, due_by_level) in enumerate(periods(spec, compiled, calendar)):
            for level, due in due_by_level.items():
                result.rescheduled += rowcount(session.execute(
                    update(ObligationRow)
                    .where(ObligationRow.directive_id == directive.id, ObligationRow.key == spec.key,
                           ObligationRow.period == period, ObligationRow.level == level,
                           ObligationRow.status.in_(values(UNFINISHED)),
                           (ObligationRow.due_at != due) | (ObligationRow.opens_at != opens))
                    .values(due_at=due, opens_at=opens).execution_options(synchronize_session=False)
                ))
    existing = set(session.execute(select(ObligationRow.unit_id, ObligationRow.key, ObligationRow.period)
                                   .where(ObligationRow.directive_id == directive.id)).all())
    result.added = insert_obligations(session, directive.id, compiled, ids, levels, calendar, skip=existing)
    kept = {spec.key for spec in compiled.obligations}
    result.waived = rowcount(session.execute(
        update(ObligationRow)
        .where(ObligationRow.directive_id == directive.id, ObligationRow.key.not_in(kept),
               ObligationRow.status.in_(values(UNFINISHED)))
        .values(status=Status.WAIVED.value, note=f"Bãi bỏ theo sửa đổi kế hoạch: {reason}")
        .execution_options(synchronize_session=False)
    ))
    session.execute(delete(PilotRow).where(PilotRow.directive_id == directive.id))
    session.execute(delete(QuotaRow).where(QuotaRow.directive_id == directive.id))
    insert_rows(session, PilotRow, [{"directive_id": directive.id, "unit_id": ids[c.code], "rule": c.rule}
                                     for c in compiled.pilot])
    insert_rows(session, QuotaRow, [{"directive_id": directive.id, "name": q.name, "unit_id": ids[code],
                                      "amount": amount, "rule": q.rules_applied.get(code, "")}
                                     for q in compiled.quotas for code, amount in q.per_unit.items()])
    directive.plan, directive.fingerprint, directive.title = plan_data, fingerprint, compiled.directive.title
    summary.rebuild(session, directive.id)
    append_audit(session, AuditEntry(at=now, actor=actor, action="directive.amend", subject=directive.number,
                                     reason=reason,
                                     details={"differences": result.differences, "rescheduled": result.rescheduled,
                                              "added": result.added, "waived": result.waived}))
    session.flush()
    return result


def _amend_phases(session: Session, directive_id: int, compiled: CompiledPlan, calendar: WorkingCalendar) -> None:
    """Windows and gates of the phases follow the plan; a phase already opened keeps its history."""
    current = {p.name: p for p in session.scalars(select(PhaseRow).where(PhaseRow.directive_id == directive_id))}
    for seq, spec in enumerate(compiled.phases):
        row = current.get(spec.name) or PhaseRow(directive_id=directive_id, name=spec.name, state="pending")
        row.seq, row.label = seq, spec.label_vi
        row.opens_at, row.due_at = phase_opens(spec, calendar), spec.due
        row.gate_share, row.gate_counts = spec.gate.min_share_reported, spec.gate.counts_obligation
        row.gate_approval = spec.gate.approval_required
        session.add(row)
    session.flush()
