"""Expanding a compiled plan into rows, shared by issuing (rollout.issue) and amending (rollout.amend): the ids
of the units it reaches, the periods of each obligation, when each phase opens, the bulk inserts."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from errors import NotFound
from plans.compiled import CompiledPlan, ObligationSpec, PhaseSpec
from schedules import WorkingCalendar
from schedules.recurrence import occurrences
from schedules.render import to_local
from storage.base import Base, table_of
from storage.db import bulk_insert
from storage.models import ObligationRow, UnitRow
from storage.units import find_unit, subtree_bounds

__all__ = ["DEFAULT_HORIZON_YEARS", "insert_obligations", "insert_rows", "periods", "phase_opens", "unit_ids"]

# A recurring obligation with no end in the plan is materialised this far ahead; `advance` opens each
# occurrence when its period starts. Five years covers a Party term (nhiệm kỳ).
DEFAULT_HORIZON_YEARS = 5


def phase_opens(phase: PhaseSpec, calendar: WorkingCalendar) -> datetime | None:
    """When a phase opens: its own start, else the start of its deadline's month ("hoàn thành trong tháng 6"
    gives the review the window of June), else right after the phase before it (None)."""
    if phase.opens is not None or phase.due is None:
        return phase.opens
    local = to_local(phase.due).date()
    first = calendar.first_working_day(local.replace(day=1), local) or local
    return min(calendar.start_of_office_hours(first), phase.due)


def unit_ids(session: Session, compiled: CompiledPlan) -> dict[str, int]:
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


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Insert plain rows (pilot units, quota allocations) in one executemany; nothing for an empty list."""
    if rows:
        session.execute(table_of(model).insert(), rows)


def insert_obligations(
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
        spans = periods(spec, compiled, calendar)
        missing = [c for c in spec.unit_codes if c not in ids]
        if missing:
            raise NotFound(
                f"Nghĩa vụ “{spec.key}” giao cho đơn vị không có trong cơ sở dữ liệu: {', '.join(missing[:5])}"
            )
        rows = (
            (directive_id, ids[code], spec.key, period, spec.kind, spec.phase, levels.get(code, 0), opens,
             due_by_level.get(levels.get(code, 0)), "pending", 0)
            for period, (opens, due_by_level) in enumerate(spans)
            for code in spec.unit_codes
            if (ids[code], spec.key, period) not in skip
        )
        total += bulk_insert(session, table_of(ObligationRow), columns, rows)
    return total


def periods(
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
    out: list[tuple[datetime | None, dict[int, datetime]]] = []
    previous_top: datetime | None = spec.opens
    for top in tops:
        due_by_level = {
            lvl: calendar.end_of_office_hours(calendar.add_working_days(top.date(), -lead)) if lead else top
            for lvl, lead in leads.items()
        }
        out.append((previous_top, due_by_level))
        previous_top = top
    return out


def _horizon(compiled: CompiledPlan, first_due: datetime) -> date:
    ends = [p.due for p in compiled.phases if p.name == "close" and p.due is not None]
    if ends:
        return ends[0].date()
    return first_due.date().replace(year=first_due.year + DEFAULT_HORIZON_YEARS) - timedelta(days=1)
