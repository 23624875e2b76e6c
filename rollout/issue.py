"""Issuing a directive: the whole rollout (phases, pilot, quotas, every unit's obligations) in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import ConflictError, NotFound
from plans.compiled import CompiledPlan, ObligationSpec, PhaseSpec
from rollout.escalate import queue_messages
from schedules import WorkingCalendar
from schedules.recurrence import occurrences
from schedules.render import to_local
from storage.base import Base, table_of
from storage.db import bulk_insert, refresh_statistics
from storage.models import AuditEntry, DirectiveRow, EventRow, ObligationRow, PhaseRow, PilotRow, QuotaRow, UnitRow
from storage.units import find_unit, subtree_bounds

__all__ = ["IssueResult", "issue_directive", "obligation_periods"]

# A recurring obligation with no end in the plan is materialised this far ahead; `advance` opens each
# occurrence when its period starts. Five years covers a Party term (nhiệm kỳ).
DEFAULT_HORIZON_YEARS = 5


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
) -> IssueResult:
    """Create a directive's rollout; the same plan again creates nothing, a changed plan is refused with its
    differences."""
    d = compiled.directive
    existing = session.scalar(select(DirectiveRow).where(DirectiveRow.number == d.number))
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
        number=d.number, kind=d.kind, title=d.title, issuer_id=issuer.id, root_id=root.id,
        issued_at=d.issued_at, fingerprint=fingerprint, plan=plan_data, state="active", created_at=now,
    )
    session.add(directive)
    session.flush()
    for seq, phase in enumerate(compiled.phases):
        gate = phase.gate
        session.add(PhaseRow(
            directive_id=directive.id, seq=seq, name=phase.name, label=phase.label_vi,
            opens_at=_phase_opens(phase, calendar), due_at=phase.due, gate_share=gate.min_share_reported,
            gate_counts=gate.counts_obligation, gate_approval=gate.approval_required, state="pending",
        ))
    ids = _unit_ids(session, compiled)
    _insert_rows(session, PilotRow, [
        {"directive_id": directive.id, "unit_id": ids[c.code], "rule": c.rule} for c in compiled.pilot
    ])
    _insert_rows(session, QuotaRow, [
        {"directive_id": directive.id, "name": q.name, "unit_id": ids[code], "amount": amount,
         "rule": q.rules_applied.get(code, "")}
        for q in compiled.quotas for code, amount in q.per_unit.items()
    ])
    levels = {t.code: t.level for t in compiled.targets}
    count = _insert_obligations(session, directive.id, compiled, ids, levels, calendar)
    refresh_statistics(session, "obligations")
    _announce(session, directive, compiled, ids, levels, now, calendar)
    session.add(EventRow(directive_id=directive.id, kind="issued", at=now, dedup=f"issued:{directive.id}",
                         details={"obligations": count}))
    details = {"obligations": count, "units": len(compiled.targets), "fingerprint": fingerprint}
    session.add(AuditEntry(at=now, actor=actor, action="directive.issue", subject=d.number, reason=None,
                           details=details))
    session.flush()
    return IssueResult(directive.id, created=True, obligations=count, units=len(compiled.targets),
                       warnings=list(compiled.warnings))


def _announce(session: Session, directive: DirectiveRow, compiled: CompiledPlan, ids: dict[str, int],
              levels: dict[str, int], now: datetime, calendar: WorkingCalendar) -> None:
    """Write a "thông báo triển khai" to each unit the directive is addressed to (level 1), in the same
    transaction, listing what that unit itself owes; the levels below hear from their own committee."""
    first_level = sorted(code for code, level in levels.items() if level == 1)
    owed: dict[int, list[int]] = {}
    if first_level:
        rows = session.execute(select(ObligationRow.unit_id, ObligationRow.id).where(
            ObligationRow.directive_id == directive.id, ObligationRow.level == 1))
        for unit_id, obligation_id in rows:
            owed.setdefault(unit_id, []).append(obligation_id)
    queue_messages(session, directive.id, (
        (f"d{directive.id}:issued:u{ids[code]}", ids[code], "thong_bao_trien_khai",
         {"obligations": sorted(owed.get(ids[code], []))})
        for code in first_level
    ), now, calendar)


def _phase_opens(phase: PhaseSpec, calendar: WorkingCalendar) -> datetime | None:
    """When a phase opens: its own start, else the start of its deadline's month ("hoàn thành trong tháng 6"
    gives the review the window of June), else right after the phase before it (None)."""
    if phase.opens is not None or phase.due is None:
        return phase.opens
    local = to_local(phase.due).date()
    first = calendar.first_working_day(local.replace(day=1), local) or local
    return min(calendar.start_of_office_hours(first), phase.due)


def _unit_ids(session: Session, compiled: CompiledPlan) -> dict[str, int]:
    """Ids of every unit the plan reaches: whole subtrees of its roots by range, the few others by code."""
    ids: dict[str, int] = {}
    for code in compiled.root_codes or (compiled.root_code,):
        lo, hi = subtree_bounds(find_unit(session, code).path)
        ids.update(
            session.execute(select(UnitRow.code, UnitRow.id).where(UnitRow.path >= lo, UnitRow.path < hi)).all()
        )
    others = sorted({t.code for t in compiled.targets} - ids.keys())
    for start in range(0, len(others), 500):
        chunk = others[start:start + 500]
        ids.update(session.execute(select(UnitRow.code, UnitRow.id).where(UnitRow.code.in_(chunk))).all())
    return ids


def _insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(table_of(model).insert(), rows)


def _insert_obligations(
    session: Session,
    directive_id: int,
    compiled: CompiledPlan,
    ids: dict[str, int],
    levels: dict[str, int],
    calendar: WorkingCalendar,
    skip: Collection[tuple[int, str, int]] = frozenset(),
) -> int:
    """Bulk-insert every unit's obligations (milestones included): one executemany per obligation,
    deadlines looked up per level, not computed per unit; rows in `skip` (unit id, key, period) exist already."""
    columns = ("directive_id", "unit_id", "key", "period", "kind", "phase", "level", "opens_at", "due_at",
               "status", "escalation_step")
    total = 0
    for spec in compiled.obligations:
        periods = obligation_periods(spec, compiled, calendar)
        missing = [c for c in spec.unit_codes if c not in ids]
        if missing:
            raise NotFound(
                f"Nghĩa vụ “{spec.key}” giao cho đơn vị không có trong cơ sở dữ liệu: {', '.join(missing[:5])}"
            )
        rows = (
            (directive_id, ids[code], spec.key, period, spec.kind, spec.phase, levels.get(code, 0), opens,
             due_by_level.get(levels.get(code, 0)), "pending", 0)
            for period, (opens, due_by_level) in enumerate(periods)
            for code in spec.unit_codes
            if (ids[code], spec.key, period) not in skip
        )
        total += bulk_insert(session, table_of(ObligationRow), columns, rows)
    return total


def obligation_periods(
    spec: ObligationSpec, compiled: CompiledPlan, calendar: WorkingCalendar
) -> list[tuple[datetime | None, dict[int, datetime]]]:
    """(opens, due per level) of each period: one for a one-off obligation, one per occurrence of a recurring
    one.

    Later occurrences keep the first one's lead times: a level due N working days before the top in
    the first period is due N working days before the top in every period.
    """
    first = dict(spec.due_by_level)
    if not spec.recurrence or not first:
        return [(spec.opens, first)]
    top_level = min(first)
    top_first = first[top_level]
    leads = {lvl: calendar.working_days_between(due.date(), top_first.date()) for lvl, due in first.items()}
    until = _horizon(compiled, top_first)
    if spec.until is not None:  # a bounded campaign: no period after its bound (plans.campaign)
        until = min(until, spec.until)
    tops = [t for t in occurrences(spec.recurrence, top_first.date(), until, calendar) if t >= top_first]
    if not tops or tops[0] != top_first:
        tops.insert(0, top_first)
    periods: list[tuple[datetime | None, dict[int, datetime]]] = []
    previous_top: datetime | None = spec.opens
    for top in tops:
        due_by_level = {
            lvl: calendar.end_of_office_hours(calendar.add_working_days(top.date(), -lead)) if lead else top
            for lvl, lead in leads.items()
        }
        periods.append((previous_top, due_by_level))
        previous_top = top
    return periods


def _horizon(compiled: CompiledPlan, first_due: datetime) -> date:
    ends = [p.due for p in compiled.phases if p.name == "close" and p.due is not None]
    if ends:
        return ends[0].date()
    return first_due.date().replace(year=first_due.year + DEFAULT_HORIZON_YEARS) - timedelta(days=1)
