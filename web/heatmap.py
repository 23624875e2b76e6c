"""The heat map of a directive seen from a unit: its direct children by the share overdue of what is due.

"What is due" is what had a deadline up to now (overdue, done on time, done late), not every period of a
yearly obligation: counting the periods still to come would wash every row out to pale colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from rollout.rollup import subtree_totals
from rollout.status import Status
from rollout.stored_plan import plan_of, titles
from storage.models import DirectiveRow, ObligationRow, UnitRow
from storage.units import subtree_bounds
from web.queries import SEGMENT

# Bins of the share overdue: upper bound (exclusive, but 1.0 inclusive), css class, legend text
BINS = [(1e-9, "h0", "0%"), (0.10, "h1", "dưới 10%"), (0.25, "h2", "10% – dưới 25%"),
        (0.50, "h3", "25% – dưới 50%"), (1.01, "h4", "từ 50% trở lên")]
DUE_STATES = (Status.OVERDUE.value, Status.DONE_ON_TIME.value, Status.DONE_LATE.value)


@dataclass(frozen=True)
class Cell:
    """Overdue and due counts of one child for one obligation (or all of them)."""

    overdue: int
    due: int

    @property
    def share(self) -> float | None:
        """Share overdue of what is due; None when nothing is due yet."""
        return self.overdue / self.due if self.due else None

    @property
    def css(self) -> str:
        """The colour bin of the share ('none' when nothing is due)."""
        share = self.share
        if share is None:
            return "none"
        return next(css for bound, css, _ in BINS if share < bound)


@dataclass
class HeatRow:
    """A child of the anchor: its cells by obligation key and its total."""

    code: str
    name: str
    cells: dict[str, Cell] = field(default_factory=dict)

    @property
    def total(self) -> Cell:
        """All obligations of the child together."""
        return Cell(sum(c.overdue for c in self.cells.values()), sum(c.due for c in self.cells.values()))


@dataclass(frozen=True)
class HeatMap:
    """Rows (children, worst first), columns (obligations with something due) and their titles."""

    rows: list[HeatRow]
    keys: list[str]
    titles: dict[str, str]
    legend: list[tuple[str, str]]


def heat_map(session: Session, directive: DirectiveRow, anchor: UnitRow, now: datetime) -> HeatMap:
    """Per child of the anchor and obligation, overdue and due counts, read from the kept roll-ups."""
    children = list(session.scalars(select(UnitRow.id).where(UnitRow.parent_id == anchor.id)))
    # Overdue as of `now` too: a dashboard pinned to an earlier day of a rehearsal's database sees rows marked
    # overdue later, which are not yet due on that day (their share would pass 100%).
    overdue = subtree_totals(session, directive.id, children, ("key",),
                             lambda table: [table.status == Status.OVERDUE.value, table.due_at <= now])
    due = subtree_totals(session, directive.id, children, ("key",),
                         lambda table: [table.status.in_(DUE_STATES), table.due_at <= now])
    cells: dict[int, dict[str, Cell]] = {}
    for (unit_id, key), n in due.items():
        cells.setdefault(unit_id, {})[key] = Cell(overdue.get((unit_id, key), 0), n)
    return _heat_of(session, directive, cells)


def live_heat_map(session: Session, directive: DirectiveRow, anchor: UnitRow, now: datetime) -> HeatMap:
    """`heat_map` in one grouped range scan of the anchor's subtree: the reference it is checked against."""
    lo, hi = subtree_bounds(anchor.path)
    prefix = func.substr(UnitRow.path, 1, len(anchor.path) + SEGMENT)
    is_due = ObligationRow.status.in_(DUE_STATES) & (ObligationRow.due_at <= now)
    rows = session.execute(
        select(prefix, ObligationRow.key,
               func.sum(case(((ObligationRow.status == Status.OVERDUE.value) & (ObligationRow.due_at <= now), 1),
                             else_=0)),
               func.sum(case((is_due, 1), else_=0)))
        .where(ObligationRow.directive_id + 0 == directive.id, ObligationRow.unit_id == UnitRow.id,
               UnitRow.path > lo, UnitRow.path < hi)
        .group_by(prefix, ObligationRow.key)
    ).all()
    cells: dict[int, dict[str, Cell]] = {}
    for path, key, overdue, due in rows:
        if due:
            cells.setdefault(int(path[-SEGMENT:-1]), {})[key] = Cell(int(overdue or 0), int(due))
    return _heat_of(session, directive, cells)


def _heat_of(session: Session, directive: DirectiveRow, cells: dict[int, dict[str, Cell]]) -> HeatMap:
    units = session.execute(select(UnitRow.id, UnitRow.code, UnitRow.name).where(UnitRow.id.in_(list(cells)))).all() \
        if cells else []
    heat_rows = [HeatRow(code, name, cells[uid]) for uid, code, name in units]
    heat_rows.sort(key=lambda r: (-(r.total.share or 0), r.name))
    plan = plan_of(directive)
    order = [o.key for o in plan.obligations]
    present = {k for r in heat_rows for k in r.cells}
    keys = [k for k in order if k in present] + sorted(present - set(order))
    return HeatMap(heat_rows, keys, titles(plan), [(css, text) for _, css, text in BINS] + [("none", "chưa đến hạn")])
