"""Roll-ups: what a unit's whole subtree has done for a directive, computed by set-based SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rollout.actions import find_directive
from rollout.status import Status, StatusCounts
from storage.models import ObligationRow, UnitRow
from storage.units import find_unit, subtree_bounds

__all__ = ["ChildStatus", "Rollup", "children_status", "rollup"]


@dataclass(frozen=True)
class Rollup(StatusCounts):
    """Counts by status, share on time and summed report fields of a subtree for one directive."""

    unit_code: str
    unit_name: str
    counts: dict[str, int]
    sums: dict[str, float]


def _numeric_fields(plan: dict[str, Any], key: str | None) -> list[str]:
    return sorted({
        f["name"]
        for o in plan.get("obligations", [])
        if key is None or o.get("key") == key
        for f in o.get("fields") or []
        if f["type"] in ("int", "float") and f.get("sum", True) is not False
    })


def rollup(session: Session, number: str, unit_code: str, *, key: str | None = None) -> Rollup:
    """Roll up a subtree (the unit and everything under it) for a directive, optionally for one obligation."""
    directive = find_directive(session, number)
    unit = find_unit(session, unit_code)
    lo, hi = subtree_bounds(unit.path)
    scope = [
        # "+ 0" keeps SQLite from starting at the directive's million obligations: it must start from the
        # subtree's path range and look obligations up per unit (PostgreSQL plans this from statistics).
        ObligationRow.directive_id + 0 == directive.id,
        ObligationRow.unit_id == UnitRow.id,
        UnitRow.path >= lo,
        UnitRow.path < hi,
    ]
    if key is not None:
        scope.append(ObligationRow.key == key)
    counts = dict(session.execute(
        select(ObligationRow.status, func.count()).where(*scope).group_by(ObligationRow.status)
    ).all())
    fields = _numeric_fields(directive.plan, key)
    sums: dict[str, float] = {}
    if fields:
        row = session.execute(
            select(*[func.coalesce(func.sum(ObligationRow.data[name].as_float()), 0) for name in fields]).where(*scope)
        ).one()
        sums = dict(zip(fields, (float(v) for v in row), strict=True))
    return Rollup(unit.code, unit.name, {Status(s).value: n for s, n in counts.items()}, sums)


@dataclass(frozen=True)
class ChildStatus:
    """A direct child's own obligation for a consolidation: who it is and whether it has reported."""

    code: str
    name: str
    status: str
    submitted_at: Any


def children_status(session: Session, number: str, unit_code: str, key: str, period: int = 0) -> list[ChildStatus]:
    """Which direct children of a unit owe `key` for the period and where each stands, for its consolidated report."""
    directive = find_directive(session, number)
    parent = find_unit(session, unit_code)
    rows = session.execute(
        select(UnitRow.code, UnitRow.name, ObligationRow.status, ObligationRow.submitted_at)
        .join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
        .where(UnitRow.parent_id == parent.id, ObligationRow.directive_id == directive.id,
               ObligationRow.key == key, ObligationRow.period == period)
        .order_by(UnitRow.code)
    )
    return [ChildStatus(*row) for row in rows]
