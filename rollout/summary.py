"""Roll-ups kept per directive and subtree, refreshed in the transaction of every change that moves them.

Counts (`rollup_counts`) change by difference: whoever moves obligations to another status, adds or removes them,
first names the rows with the same WHERE clause as its own statement (`move`, `add`), and the difference is added
at every unit above them, read from the rows' paths: proportional to what changes, never a scan of the directive.
Figures (`rollup_figures`) follow the rule of `rollout.rollup`: a unit's report replaces the sum of its subtree,
never both; a report's change is carried up by difference too, to the first unit above that gave its own figure
(a figure removed by a correction consolidates the units above again from their children). `rebuild` counts a
whole directive again (issuing, amending, units moved to another parent).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Row, bindparam, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rollout.fields import figure_of, report_figure
from rollout.stored_plan import plan_of, summed_fields
from storage.base import table_of
from storage.models import DirectiveRow, ObligationRow, RollupCountRow, RollupFigureRow, UnitRow
from storage.units import PATH_DIGITS

__all__ = ["NO_DUE", "add", "apply", "field_names", "move", "moved", "rebuild", "rebuild_counts",
           "rebuild_figures", "rebuild_touching", "refresh_figures"]

NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)  # stands for "no deadline" in the key of rollup_counts
SEGMENT = PATH_DIGITS + 1
CountKey = tuple[int, int, str, str, datetime]  # directive, unit above, item, status, deadline
_COUNT_KEY = ["directive_id", "unit_id", "key", "status", "due_at"]
_FIGURE_KEY = ["directive_id", "unit_id", "key", "period", "field"]
_CHUNK = 500


def ids_of(path: str) -> list[int]:
    """The ids a materialised path is made of, from the top down."""
    return [int(path[i:i + PATH_DIGITS]) for i in range(0, len(path), SEGMENT)]


def _grouped(session: Session, where: ColumnElement[bool]) -> list[Row[Any]]:
    """The selected obligations grouped by the path of their unit's parent, item, status and deadline."""
    parent = func.substr(UnitRow.path, 1, func.length(UnitRow.path) - SEGMENT)
    columns = (ObligationRow.directive_id, ObligationRow.key, ObligationRow.status, ObligationRow.due_at)
    return list(session.execute(
        select(parent, *columns, func.count()).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
        .where(where).group_by(parent, *columns)
    ).all())


def _spread(rows: Iterable[Any], sign: int, target: str | None = None) -> Counter[CountKey]:
    """Each group counted at every unit above it: taken from its status, and given to `target` when it moves."""
    deltas: Counter[CountKey] = Counter()
    for parent, directive_id, key, status, due, n in rows:
        due = due or NO_DUE
        for above in ids_of(parent or ""):
            deltas[(directive_id, above, key, status, due)] += sign * n
            if target is not None:
                deltas[(directive_id, above, key, target, due)] -= sign * n
    return deltas


def add(session: Session, where: ColumnElement[bool], sign: int = 1) -> None:
    """Count the selected obligations as they stand (sign 1, after inserting them) or stop counting them (-1,
    before deleting them or changing their deadline)."""
    apply(session, _spread(_grouped(session, where), sign))


def move(session: Session, where: ColumnElement[bool], target: str | None) -> None:
    """Called before an UPDATE that sets `status = target` on the obligations `where` selects (the same clause);
    None moves nothing."""
    if target is not None:
        status = str(target)
        apply(session, _spread(_grouped(session, where & (ObligationRow.status != status)), -1, status))


def moved(row: ObligationRow, unit_path: str, target: str) -> Counter[CountKey]:
    """What `move` would add for one obligation already loaded (with its unit's path), without reading anything:
    changes of several obligations are summed and applied at once with `apply`."""
    if row.status == target:
        return Counter()
    parent = unit_path[:-SEGMENT]
    return _spread([(parent, row.directive_id, row.key, row.status, row.due_at, 1)], -1, target)


@lru_cache(maxsize=8)
def _upsert_statement(dialect_name: str, kept: str = "counts") -> Any:
    """Add `n` to the count under its key (`kept` "counts"), or set the figure under its key ("figures"); made
    once per dialect (building the statement costs more than running it for a report's few rows)."""
    table = table_of(RollupCountRow if kept == "counts" else RollupFigureRow)
    stmt = (postgresql if dialect_name == "postgresql" else sqlite).insert(table)
    if kept == "counts":
        return stmt.on_conflict_do_update(index_elements=_COUNT_KEY, set_={"n": table.c.n + stmt.excluded.n})
    return stmt.on_conflict_do_update(index_elements=_FIGURE_KEY, set_={"below": stmt.excluded.below})


def apply(session: Session, deltas: Counter[CountKey]) -> None:
    """Add count changes at the units above, in one upsert; counts that fall to zero are removed."""
    # Rows in key order: two transactions touching the same units lock them in the same order.
    rows = [dict(zip(_COUNT_KEY, k, strict=True), n=n) for k, n in sorted(deltas.items()) if n]
    if not rows:
        return
    session.execute(_upsert_statement(session.get_bind().dialect.name), rows)
    emptied: dict[int, set[int]] = defaultdict(set)
    for k, n in deltas.items():
        if n < 0:
            emptied[k[0]].add(k[1])
    for directive_id, units in emptied.items():
        ordered = sorted(units)
        for i in range(0, len(ordered), _CHUNK):
            session.execute(delete(RollupCountRow).where(
                RollupCountRow.directive_id == directive_id, RollupCountRow.unit_id.in_(ordered[i:i + _CHUNK]),
                RollupCountRow.n <= 0))


def field_names(directive: DirectiveRow) -> dict[str, list[str]]:
    """The summed report fields of each item of the directive's plan."""
    return {o.key: sorted({f.name for f in summed_fields(o)}) for o in plan_of(directive).obligations}


def rebuild(session: Session, directive_id: int) -> None:
    """Count a directive's roll-ups again from its obligations, in one grouped scan (issuing, amending, moves)."""
    rebuild_counts(session, directive_id)
    rebuild_figures(session, session.get_one(DirectiveRow, directive_id))


def rebuild_counts(session: Session, directive_id: int) -> None:
    """The counts part of `rebuild`, which needs no plan."""
    session.flush()
    session.execute(delete(RollupCountRow).where(RollupCountRow.directive_id == directive_id))
    deltas = _spread(_grouped(session, ObligationRow.directive_id == directive_id), 1)
    rows = [dict(zip(_COUNT_KEY, k, strict=True), n=n) for k, n in deltas.items() if n]
    if rows:
        session.execute(insert(table_of(RollupCountRow)), rows)


def rebuild_figures(session: Session, directive: DirectiveRow) -> None:
    """The figures part of `rebuild`: consolidated bottom-up from every report given, by the plan's summed fields."""
    session.execute(delete(RollupFigureRow).where(RollupFigureRow.directive_id == directive.id))
    reported: dict[tuple[str, int, str], dict[str, float]] = defaultdict(dict)
    for key, names in field_names(directive).items():
        if not names:
            continue
        query = (select(UnitRow.path, ObligationRow.period, *[report_figure(ObligationRow.data, f) for f in names])
                 .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                 .where(ObligationRow.directive_id == directive.id, ObligationRow.key == key,
                        ObligationRow.data.is_not(None)))
        for path, period, *values in session.execute(query):
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    reported[(key, period, name)][path] = float(value)
    rows = []
    for (key, period, name), own in reported.items():
        below: dict[str, float] = {}
        nodes = {path[:end] for path in own for end in range(SEGMENT, len(path) + 1, SEGMENT)}
        for path in sorted(nodes, key=len, reverse=True):  # children before their parents
            figure = own.get(path, below.get(path))
            if figure is not None and len(path) > SEGMENT:
                parent = path[:-SEGMENT]
                below[parent] = below.get(parent, 0.0) + figure
        rows += [{"directive_id": directive.id, "unit_id": ids_of(path)[-1], "key": key, "period": period,
                  "field": name, "below": value} for path, value in below.items()]
    if rows:
        session.execute(insert(table_of(RollupFigureRow)), rows)


@lru_cache(maxsize=64)
def _consolidation_statements(names: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """What `refresh_figures` reads and deletes, for one set of summed fields, made once: the own figures of some
    units (`units`, the children of the units above), the consolidations kept at those units, and the
    consolidations kept at the units above (`aboves`). Building them costs more than running them for one report.
    Each reads its rows by unit from its table's key: joined to the units, SQLite scanned every row of the item
    instead, once a few units above were asked for."""
    units: BindParameter[int] = bindparam("units", expanding=True)
    given = (select(ObligationRow.unit_id, *[report_figure(ObligationRow.data, f) for f in names])
             .where(ObligationRow.directive_id == bindparam("directive"), ObligationRow.key == bindparam("key"),
                    ObligationRow.unit_id.in_(units), ObligationRow.period == bindparam("period")))
    same = (RollupFigureRow.directive_id == bindparam("directive"), RollupFigureRow.key == bindparam("key"),
            RollupFigureRow.period == bindparam("period"))
    stored = (select(RollupFigureRow.unit_id, RollupFigureRow.field, RollupFigureRow.below)
              .where(*same, RollupFigureRow.unit_id.in_(units)))
    kept = (delete(RollupFigureRow).where(*same, RollupFigureRow.unit_id.in_(bindparam("aboves", expanding=True)))
            .execution_options(synchronize_session=False))  # no kept row is loaded as an object
    return given, stored, kept


Change = tuple[ObligationRow, dict[str, Any] | None]  # an obligation as it now stands, and its report before
_Moved = tuple[list[int], dict[str, Any] | None, dict[str, Any] | None]  # a unit's path of ids, report before, after


def refresh_figures(session: Session, directive: DirectiveRow, *changes: Change) -> None:
    """After reports changed: carry the change of each unit's figure (its own, or what lies below it where it gave
    none) up to the first unit above that gave its own, reading only the units above; where a figure was removed,
    consolidate the units above again from their children instead (whether anything remains below needs them)."""
    names = field_names(directive)
    grouped: dict[tuple[str, int], list[_Moved]] = defaultdict(list)  # by item and period
    for row, before in changes:
        if names.get(row.key):
            path = ids_of(session.get_one(UnitRow, row.unit_id).path)
            grouped[(row.key, row.period)].append((path, before, row.data))
    if grouped:
        session.flush()
    for (key, period), items in grouped.items():
        fields = tuple(names[key])
        if not _carry(session, directive.id, key, period, fields, items):
            aboves = {unit: (path[depth - 1] if depth else None, depth)
                      for path, *_ in items for depth, unit in enumerate(path[:-1])}
            _consolidate(session, directive.id, key, period, fields, aboves)


def _carry(session: Session, directive_id: int, key: str, period: int, names: tuple[str, ...],
           items: list[_Moved]) -> bool:
    """Carry each report's change up its chain of units (each given as its path of ids, and its report before and
    after), one report after the other; False, having written nothing, when a change removes a figure."""
    read_given, read_stored, _ = _consolidation_statements(names)
    aboves = {unit for path, *_ in items for unit in path[:-1]}
    params = {"directive": directive_id, "key": key, "period": period}
    own = {unit: {f: float(v) for f, v in zip(names, values, strict=True) if v is not None}
           for unit, *values in session.execute(read_given, {**params, "units": sorted(aboves)})}
    for path, before, _after in items:  # a reporting unit above another one starts from its report before
        own[path[-1]] = _figures(before, names)
    below: dict[int, dict[str, float]] = defaultdict(dict)
    for unit, name, value in session.execute(read_stored, {**params, "units": sorted(aboves | set(own))}):
        below[unit][name] = value
    touched: set[tuple[int, str]] = set()
    for path, before, after in items:
        unit, old, new = path[-1], _figures(before, names), _figures(after, names)
        own[unit] = new
        for name in names:
            was, now = old.get(name, below[unit].get(name)), new.get(name, below[unit].get(name))
            if was == now:
                continue
            if now is None:
                return False
            for above in reversed(path[:-1]):
                below[above][name] = below[above].get(name, 0.0) + now - (was or 0.0)
                touched.add((above, name))
                if name in own.get(above, {}):
                    break  # a unit's own figure replaces what lies below it: nothing changes further up
    rows = [{"directive_id": directive_id, "unit_id": unit, "key": key, "period": period, "field": name,
             "below": below[unit][name]} for unit, name in sorted(touched)]
    if rows:
        session.execute(_upsert_statement(session.get_bind().dialect.name, "figures"), rows)
    return True


def _figures(data: dict[str, Any] | None, names: tuple[str, ...]) -> dict[str, float]:
    figures = {name: figure_of(data, name) for name in names}
    return {name: value for name, value in figures.items() if value is not None}


def _consolidate(session: Session, directive_id: int, key: str, period: int, names: tuple[str, ...],
                 aboves: dict[int, tuple[int | None, int]]) -> None:
    """Consolidate again the units `aboves` names (each with its parent and depth), children before parents."""
    read_given, read_stored, delete_kept = _consolidation_statements(names)
    parent_of = {child: parent for child, parent in session.execute(
        select(UnitRow.id, UnitRow.parent_id).where(UnitRow.parent_id.in_(aboves))) if parent is not None}
    params = {"units": sorted(parent_of), "aboves": sorted(aboves), "directive": directive_id, "key": key,
              "period": period}
    # The children of every unit above, read at once: their own figures, then what lies below each of them,
    # except below the units consolidated again here, whose fresh totals are added as they are made.
    given: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))  # parent -> child -> field
    for child, *values in session.execute(read_given, params):
        given[parent_of[child]][child] = {f: float(v) for f, v in zip(names, values, strict=True) if v is not None}
    for child, name, value in session.execute(read_stored, params):
        if child not in aboves:
            given[parent_of[child]][child].setdefault(name, value)  # the child's own figure, when it gave one, wins
    rows: list[dict[str, Any]] = []
    for above in sorted(aboves, key=lambda unit: aboves[unit][1], reverse=True):
        totals: dict[str, float | None] = dict.fromkeys(names, None)
        for figures in given[above].values():
            for name, value in figures.items():
                if name in totals:
                    totals[name] = (totals[name] or 0.0) + value
        fresh = {name: value for name, value in totals.items() if value is not None}
        parent = aboves[above][0]
        if parent is not None:
            for name, value in fresh.items():
                given[parent][above].setdefault(name, value)
        rows += [{"directive_id": directive_id, "unit_id": above, "key": key, "period": period, "field": name,
                  "below": value} for name, value in fresh.items()]
    session.execute(delete_kept, params)
    if rows:
        session.execute(insert(table_of(RollupFigureRow)), rows)


def rebuild_touching(session: Session, unit_codes: Iterable[str]) -> None:
    """Rebuild every directive with obligations in the subtrees of these units (they moved to another parent)."""
    codes = list(unit_codes)
    if not codes:
        return
    session.flush()
    moved = session.scalars(select(UnitRow.path).where(UnitRow.code.in_(codes))).all()
    touched: set[int] = set()
    for path in moved:
        touched.update(session.scalars(
            select(ObligationRow.directive_id).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(UnitRow.path >= path, UnitRow.path < path[:-1] + "/").distinct()))
    for directive_id in sorted(touched):
        rebuild(session, directive_id)
