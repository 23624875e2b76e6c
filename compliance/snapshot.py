"""The weekly snapshot: where every unit stands on every active directive, in one set-based statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from rollout.reconcile import active_directive_ids
from rollout.status import Status
from schedules.render import local_date
from storage.models import ComplianceSnapshotRow, DirectiveRow, ObligationRow, UnitRow

__all__ = ["COUNT_COLUMNS", "SnapshotRun", "take_snapshot", "week_of"]

# Snapshot columns named after the statuses they count.
COUNT_COLUMNS: tuple[str, ...] = ("done_on_time", "done_late", "overdue", "open", "pending", "waived")


@dataclass(frozen=True)
class SnapshotRun:
    """What one snapshot wrote: the week it stands for, when it was taken, the directives and the unit rows."""

    week: date
    taken_at: datetime
    directives: list[str]
    rows: int


def week_of(now: datetime) -> date:
    """A week is named by its local (Vietnam) Monday."""
    day = local_date(now)
    return day - timedelta(days=day.weekday())


def _count(status: str) -> ColumnElement[Any]:
    return func.sum(case((ObligationRow.status == status, 1), else_=0))


def take_snapshot(session: Session, now: datetime) -> SnapshotRun:
    """Snapshot every active directive for the week of `now`; a second run in that week replaces the first."""
    week = week_of(now)
    ids = active_directive_ids(session)
    if not ids:
        return SnapshotRun(week, now, [], 0)
    # Replace rather than merge: the latest run of a week is the truth for that week, and the caller's
    # single transaction means a crash leaves the earlier rows in place, never half of each.
    session.execute(delete(ComplianceSnapshotRow).where(
        ComplianceSnapshotRow.week == week, ComplianceSnapshotRow.directive_id.in_(ids)
    ))
    counts = [_count(Status(name).value).label(name) for name in COUNT_COLUMNS]
    rows = select(
        literal(week, ComplianceSnapshotRow.week.type).label("week"),
        ObligationRow.directive_id,
        ObligationRow.unit_id,
        func.max(ObligationRow.level).label("level"),
        literal(now, ComplianceSnapshotRow.taken_at.type).label("taken_at"),
        *counts,
        func.max(ObligationRow.escalation_step).label("escalation_step"),
        func.min(case((ObligationRow.status == Status.OVERDUE.value, ObligationRow.due_at))).label("overdue_since"),
    ).where(
        ObligationRow.directive_id.in_(ids),
        # A unit closed by a hierarchy re-import leaves the week's counts and shares from its closing day.
        ObligationRow.unit_id.not_in(select(UnitRow.id).where(UnitRow.valid_to <= local_date(now))),
    ).group_by(ObligationRow.directive_id, ObligationRow.unit_id)
    columns = ["week", "directive_id", "unit_id", "level", "taken_at", *COUNT_COLUMNS, "escalation_step",
               "overdue_since"]
    session.execute(insert(ComplianceSnapshotRow).from_select(columns, rows))
    # Counted, not taken from rowcount: psycopg reports -1 for INSERT … SELECT.
    written = session.scalar(select(func.count()).select_from(ComplianceSnapshotRow).where(
        ComplianceSnapshotRow.week == week, ComplianceSnapshotRow.directive_id.in_(ids)
    )) or 0
    numbers = list(
        session.scalars(select(DirectiveRow.number).where(DirectiveRow.id.in_(ids)).order_by(DirectiveRow.id))
    )
    session.flush()
    return SnapshotRun(week, now, numbers, written)
