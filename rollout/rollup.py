"""Roll-ups: what a unit's whole subtree has done for a directive, computed by set-based SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from plans.schema import Plan
from rollout.actions import find_directive
from rollout.fields import report_figure
from rollout.status import Status, StatusCounts
from rollout.stored_plan import plan_of, summed_fields
from rollout.summary import NO_DUE, field_names
from storage.models import DirectiveRow, ObligationRow, RollupCountRow, RollupFigureRow, UnitRow
from storage.units import PATH_DIGITS, find_unit, subtree_bounds

__all__ = ["ChildStatus", "CountLine", "Rollup", "children_status", "live_rollup", "rollup", "subtree_counts",
           "subtree_totals"]

SEGMENT = PATH_DIGITS + 1  # one unit's piece of a materialised path: its padded id and '.'
MAX_LEVELS_BELOW = 12  # deeper than any hierarchy: Trung ương down to a chi bộ is six levels


@dataclass(frozen=True)
class Rollup(StatusCounts):
    """Counts by status, share on time and summed report fields of a subtree for one directive."""

    unit_code: str
    unit_name: str
    counts: dict[str, int]
    sums: dict[str, float]


def _numeric_fields(plan: Plan, key: str | None) -> list[str]:
    return sorted({f.name for o in plan.obligations if key is None or o.key == key for f in summed_fields(o)})


def _own_unless_consolidated(name: str, anchor_path: str) -> ColumnElement[Any]:
    """A unit's figure counts unless a unit above it, inside the subtree, reported the same field for the same item
    and period: that unit's report is the consolidation of its subtree and replaces the sum of what is under it.

    Ancestors are found by their paths, the leading segments of the unit's own path (one unique-index lookup
    each), never by scanning the subtree; a figure not given skips the lookup.
    """
    above, above_unit = aliased(ObligationRow), aliased(UnitRow)
    lengths = range(len(anchor_path), len(anchor_path) + SEGMENT * MAX_LEVELS_BELOW, SEGMENT)
    consolidated = exists().where(
        above.directive_id == ObligationRow.directive_id, above.key == ObligationRow.key,
        above.period == ObligationRow.period, above.unit_id == above_unit.id,
        above_unit.path.in_([func.substr(UnitRow.path, 1, n) for n in lengths]),
        func.length(above_unit.path) < func.length(UnitRow.path),
        report_figure(above.data, name).is_not(None),
    )
    own = report_figure(ObligationRow.data, name)
    return case((own.is_(None), None), (consolidated, None), else_=own)


def live_rollup(session: Session, number: str, unit_code: str, *, key: str | None = None) -> Rollup:
    """Roll up a subtree (the unit and everything under it) from its obligations: the reference `rollup` is
    checked against, scanning the subtree."""
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
    fields = _numeric_fields(plan_of(directive), key)
    sums: dict[str, float] = {}
    if fields:
        row = session.execute(
            select(*[func.coalesce(func.sum(_own_unless_consolidated(name, unit.path)), 0) for name in fields])
            .where(*scope)
        ).one()
        sums = dict(zip(fields, (float(v) for v in row), strict=True))
    return Rollup(unit.code, unit.name, {Status(s).value: n for s, n in counts.items()}, sums)


@dataclass(frozen=True)
class CountLine:
    """Obligations of a unit's whole subtree (its own and all below) sharing an item, a status and a deadline."""

    unit_id: int
    key: str
    status: str
    due_at: datetime | None
    n: int


def subtree_counts(session: Session, directive_id: int, unit_ids: list[int]) -> list[CountLine]:
    """Counts of each listed unit's subtree, read from the kept roll-up (what lies below) and the unit's own
    obligations (a few rows by index), never by scanning the subtree."""
    if not unit_ids:
        return []
    below = session.execute(select(RollupCountRow.unit_id, RollupCountRow.key, RollupCountRow.status,
                                   RollupCountRow.due_at, RollupCountRow.n)
                            .where(RollupCountRow.directive_id == directive_id, RollupCountRow.unit_id.in_(unit_ids)))
    own_columns = (ObligationRow.unit_id, ObligationRow.key, ObligationRow.status, ObligationRow.due_at)
    own = session.execute(select(*own_columns, func.count())
                          .where(ObligationRow.unit_id.in_(unit_ids), ObligationRow.directive_id + 0 == directive_id)
                          .group_by(*own_columns))
    return [CountLine(u, k, s, None if due is None or due == NO_DUE else due, n)
            for rows in (below, own) for u, k, s, due, n in rows]


def subtree_totals(session: Session, directive_id: int, unit_ids: list[int], by: tuple[str, ...],
                   only: Callable[[Any], list[ColumnElement[bool]]] | None = None) -> dict[tuple[Any, ...], int]:
    """Obligations of each listed unit's subtree counted by unit and the columns `by` ("key", "status"), only those
    `only(table)` selects if given: summed in SQL from the kept roll-up and the units' own obligations."""
    totals: dict[tuple[Any, ...], int] = {}
    if not unit_ids:
        return totals
    # The units' own rows are found by unit: "+ 0" and a filter inside the sum, never in WHERE, keep SQLite from
    # walking the directive's million obligations in key order (or by status and deadline) instead.
    sources = ((RollupCountRow, RollupCountRow.n, RollupCountRow.directive_id),
               (ObligationRow, literal(1), ObligationRow.directive_id + 0))
    for table, one, directive in sources:
        measure = func.sum(case((and_(*only(table)), one), else_=0) if only else one)
        columns = [table.unit_id, *[getattr(table, name) for name in by]]
        for *group, n in session.execute(select(*columns, measure).where(
                table.unit_id.in_(unit_ids), directive == directive_id).group_by(*columns)):
            if n:
                totals[tuple(group)] = totals.get(tuple(group), 0) + int(n)
    return totals


def rollup(session: Session, number: str, unit_code: str, *, key: str | None = None) -> Rollup:
    """Roll up a subtree (the unit and everything under it) for a directive, optionally for one obligation, from
    the kept roll-up: the unit's own report where it gave one, else what was consolidated below it."""
    directive = find_directive(session, number)
    unit = find_unit(session, unit_code)
    counts = subtree_totals(session, directive.id, [unit.id], ("status",),
                            (lambda table: [table.key == key]) if key is not None else None)
    return Rollup(unit.code, unit.name, {Status(s).value: n for (_u, s), n in counts.items()},
                  _stored_sums(session, directive, unit, key))


def _stored_sums(session: Session, directive: DirectiveRow, unit: UnitRow, key: str | None) -> dict[str, float]:
    fields = {k: names for k, names in field_names(directive).items() if key is None or k == key}
    sums = dict.fromkeys(sorted({name for names in fields.values() for name in names}), 0.0)
    if not sums:
        return sums
    scope = [RollupFigureRow.directive_id == directive.id, RollupFigureRow.unit_id == unit.id]
    if key is not None:
        scope.append(RollupFigureRow.key == key)
    figures = {(k, p, f): v for k, p, f, v in session.execute(select(
        RollupFigureRow.key, RollupFigureRow.period, RollupFigureRow.field, RollupFigureRow.below).where(*scope))}
    for k, names in fields.items():
        if not names:
            continue
        for period, *values in session.execute(
            select(ObligationRow.period, *[report_figure(ObligationRow.data, f) for f in names])
            .where(ObligationRow.unit_id == unit.id, ObligationRow.directive_id == directive.id,
                   ObligationRow.key == k, ObligationRow.data.is_not(None))
        ):
            for name, value in zip(names, values, strict=True):
                if value is not None:  # the unit's own report replaces what lies below it
                    figures[(k, period, name)] = float(value)
    for (_k, _p, name), value in figures.items():
        if name in sums:
            sums[name] += value
    return sums


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
