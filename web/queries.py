"""What the pages and the API show, read in a few set-based queries and bounded to the account's subtree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer

from errors import Forbidden, NotFound
from hierarchy import Kind
from plans.peaks import title_of
from rollout.actions import find_directive
from rollout.event import EventView, QuotaLine, event_of, quota_lines
from rollout.rollup import Rollup, rollup, subtree_counts, subtree_totals
from rollout.status import Status, StatusCounts
from rollout.stored_plan import plan_of, titles as plan_titles
from storage.files import list_folders
from storage.models import DirectiveRow, ObligationRow, OutboxRow, PhaseRow, SubmissionRow, UnitRow
from storage.units import find_unit, subtree_bounds
from web.accounts import Principal

SEGMENT = 10  # a path segment: nine digits and '.'
OVERDUE_SHOWN = 20  # the page shows the most escalated; the full list is /list, paged
OPEN_STATES = (Status.PENDING.value, Status.OPEN.value)


class OutOfScope(Forbidden):
    """The account asked for something outside its subtree (or beyond its role); `subject` names it for the
    logs, the message says no more than that it is refused (an unknown code is refused the same way)."""

    def __init__(self, subject: str = "") -> None:
        self.subject = subject
        super().__init__("Tài khoản không có quyền với nội dung này "
                         "(ngoài phạm vi đơn vị được giao hoặc ngoài vai trò).")


def kind_label(kind: str) -> str:
    """The Vietnamese name of a unit kind, or the code when unknown."""
    try:
        return Kind(kind).label
    except ValueError:
        return kind


def unit_in_scope(session: Session, principal: Principal, code: str) -> UnitRow:
    """The unit `code` when the account sees it; else OutOfScope (unknown codes are refused the same way)."""
    try:
        unit = find_unit(session, code)
    except NotFound as exc:
        raise OutOfScope(code) from exc
    if not principal.sees(unit.path):
        raise OutOfScope(code)
    return unit


def directive_in_scope(session: Session, principal: Principal, number: str) -> tuple[DirectiveRow, UnitRow]:
    """The directive and its root unit when its tree meets the account's subtree; else OutOfScope."""
    try:
        directive = find_directive(session, number)
    except NotFound as exc:
        raise OutOfScope(number) from exc
    root = session.get(UnitRow, directive.root_id)
    if root is None or not concerns(session, principal, directive.id, root):
        raise OutOfScope(number)
    return directive, root


def concerns(session: Session, principal: Principal, directive_id: int, root: UnitRow) -> bool:
    """A directive concerns an account when its root and the account's subtree meet, or when a directive with
    several roots (a national plan) gives obligations to some unit of the account's subtree."""
    if principal.overlaps(root.path):
        return True
    lo, hi = subtree_bounds(principal.unit_path)
    return session.scalar(
        select(ObligationRow.id).where(ObligationRow.directive_id + 0 == directive_id,
                                       ObligationRow.unit_id == UnitRow.id,
                                       UnitRow.path >= lo, UnitRow.path < hi).limit(1)) is not None


def ancestors(session: Session, unit: UnitRow, floor_path: str) -> list[UnitRow]:
    """The chain from the highest unit at or below `floor_path` down to `unit`, for breadcrumbs."""
    ids = [int(unit.path[i:i + SEGMENT - 1]) for i in range(0, len(unit.path), SEGMENT)]
    rows = {u.id: u for u in session.scalars(select(UnitRow).where(UnitRow.id.in_(ids)))}
    return [rows[i] for i in ids if i in rows and rows[i].path.startswith(floor_path)]


@dataclass
class ChildRow(StatusCounts):
    """One line of the subtree table: a direct child and its whole subtree's counts by status."""

    code: str
    name: str
    kind: str
    counts: dict[str, int] = field(default_factory=dict)


def children_counts(session: Session, directive_id: int, anchor: UnitRow) -> list[ChildRow]:
    """Counts by status of each direct child's subtree, read from the kept roll-ups."""
    children = {u.id: u for u in session.scalars(select(UnitRow).where(UnitRow.parent_id == anchor.id))}
    by_id: dict[int, dict[str, int]] = {}
    for (unit_id, status), n in subtree_totals(session, directive_id, list(children), ("status",)).items():
        by_id.setdefault(unit_id, {})[status] = n
    out = [ChildRow(u.code, u.name, u.kind, by_id[u.id]) for u in children.values() if u.id in by_id]
    return sorted(out, key=lambda c: c.code)


def live_children_counts(session: Session, directive_id: int, anchor: UnitRow) -> list[ChildRow]:
    """`children_counts` computed in one grouped range scan of the anchor's subtree: the reference it is checked
    against."""
    lo, hi = subtree_bounds(anchor.path)
    prefix = func.substr(UnitRow.path, 1, len(anchor.path) + SEGMENT)
    rows = session.execute(
        select(prefix, ObligationRow.status, func.count())
        .where(ObligationRow.directive_id + 0 == directive_id, ObligationRow.unit_id == UnitRow.id,
               UnitRow.path > lo, UnitRow.path < hi)
        .group_by(prefix, ObligationRow.status)
    ).all()
    by_id: dict[int, dict[str, int]] = {}
    for path, status, n in rows:
        by_id.setdefault(int(path[-SEGMENT:-1]), {})[status] = n
    units = session.scalars(select(UnitRow).where(UnitRow.id.in_(list(by_id)))).all() if by_id else []
    out = [ChildRow(u.code, u.name, u.kind, by_id[u.id]) for u in units]
    return sorted(out, key=lambda c: c.code)


@dataclass(frozen=True)
class KeyLine:
    """An obligation of the plan as seen from a subtree: its earliest and latest deadlines, the next one to come."""

    key: str
    title: str
    kind: str
    first_due: datetime | None
    last_due: datetime | None
    next_due: datetime | None


def key_lines(session: Session, directive: DirectiveRow, anchor: UnitRow, now: datetime) -> list[KeyLine]:
    """Deadlines per obligation of the plan within the subtree (the timeline's milestones), from the kept roll-ups."""
    spans: dict[str, tuple[datetime | None, datetime | None, datetime | None]] = {}
    for line in subtree_counts(session, directive.id, [anchor.id]):
        first, last, upcoming = spans.get(line.key, (None, None, None))
        due = line.due_at
        if due is not None:
            first, last = min(first or due, due), max(last or due, due)
            if line.status in OPEN_STATES and due > now:
                upcoming = min(upcoming or due, due)
        spans[line.key] = (first, last, upcoming)
    return _key_lines_of(directive, [(key, *span) for key, span in spans.items()])


def live_key_lines(session: Session, directive: DirectiveRow, anchor: UnitRow, now: datetime) -> list[KeyLine]:
    """`key_lines` computed by scanning the subtree: the reference it is checked against."""
    lo, hi = subtree_bounds(anchor.path)
    upcoming = case((ObligationRow.status.in_(OPEN_STATES) & (ObligationRow.due_at > now), ObligationRow.due_at))
    rows = session.execute(
        select(ObligationRow.key, func.min(ObligationRow.due_at), func.max(ObligationRow.due_at), func.min(upcoming))
        .where(ObligationRow.directive_id + 0 == directive.id, ObligationRow.unit_id == UnitRow.id,
               UnitRow.path >= lo, UnitRow.path < hi)
        .group_by(ObligationRow.key)
    ).all()
    return _key_lines_of(directive, [tuple(row) for row in rows])


def _key_lines_of(directive: DirectiveRow, rows: list[tuple[Any, ...]]) -> list[KeyLine]:
    plan = plan_of(directive)
    specs = {o.key: o for o in plan.obligations}
    titles = plan_titles(plan)
    order = list(specs)
    lines = [
        KeyLine(key, title_of(titles, key), spec.kind if spec else "", _aware(first), _aware(last), _aware(nxt))
        for key, first, last, nxt in rows
        for spec in [specs.get(key)]
    ]
    return sorted(lines, key=lambda k: order.index(k.key) if k.key in order else len(order))


def _aware(value: Any) -> datetime | None:
    # Aggregates bypass the column type, so SQLite returns naive UTC (or text): make it an aware instant.
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def phases(session: Session, directive_id: int) -> list[PhaseRow]:
    """The phases of a directive in order."""
    return list(session.scalars(select(PhaseRow).where(PhaseRow.directive_id == directive_id).order_by(PhaseRow.seq)))


def next_step(phase_rows: list[PhaseRow], keys: list[KeyLine], now: datetime,
              event: EventView | None = None) -> tuple[str, datetime] | None:
    """What comes next: a phase opening (its gate), a phase's end, a report deadline or the plan's event — whichever
    is soonest."""
    candidates: list[tuple[datetime, str]] = []
    if event is not None and event.at is not None and event.at > now:
        candidates.append((event.at, event.title))
    for p in phase_rows:
        if p.state == "pending" and p.opens_at and p.opens_at > now:
            gate = " (cần phê duyệt)" if p.gate_approval and p.approved_at is None else ""
            candidates.append((p.opens_at, f"Mở giai đoạn “{p.label}”{gate}"))
        if p.state == "open" and p.due_at and p.due_at > now:
            candidates.append((p.due_at, f"Kết thúc giai đoạn “{p.label}”"))
    candidates += [(k.next_due, f"Hạn “{k.title}”") for k in keys if k.next_due]
    if not candidates:
        return None
    at, label = min(candidates)
    return label, at


def event_panel(session: Session, directive: DirectiveRow, anchor: UnitRow) -> tuple[EventView | None, list[QuotaLine]]:
    """The directive's event, and its quotas as allocated within the anchor's subtree."""
    return event_of(session, directive), quota_lines(session, directive, anchor)


def current_phase(phase_rows: list[PhaseRow]) -> PhaseRow | None:
    """The latest opened phase that is still open, else None."""
    open_rows = [p for p in phase_rows if p.state == "open"]
    return open_rows[-1] if open_rows else None


@dataclass(frozen=True)
class OverdueLine:
    """An overdue obligation, the unit that owes it, its escalation step and the letters sent about it."""

    obligation: ObligationRow
    unit: UnitRow
    letters: list[OutboxRow]


def overdue_lines(session: Session, directive_id: int, anchor: UnitRow) -> list[OverdueLine]:
    """The first overdue obligations of the subtree (most escalated first) with their letters."""
    lo, hi = subtree_bounds(anchor.path)
    rows = session.execute(
        select(ObligationRow, UnitRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
        .where(ObligationRow.directive_id + 0 == directive_id, ObligationRow.status == Status.OVERDUE.value,
               UnitRow.path >= lo, UnitRow.path < hi)
        .order_by(ObligationRow.escalation_step.desc(), ObligationRow.due_at, UnitRow.path)
        .limit(OVERDUE_SHOWN)
    ).all()
    unit_ids = list({u.id for _, u in rows})
    letters: dict[int, list[OutboxRow]] = {}
    if unit_ids:
        # The bodies of the letters as sent are read when a letter is opened, not for the list.
        for letter in session.scalars(select(OutboxRow).options(defer(OutboxRow.body_text), defer(OutboxRow.body_html))
                                      .where(OutboxRow.directive_id == directive_id, OutboxRow.unit_id.in_(unit_ids))
                                      .order_by(OutboxRow.created_at)):
            letters.setdefault(letter.unit_id or 0, []).append(letter)
    return [OverdueLine(o, u, letters.get(u.id, [])) for o, u in rows]


def own_obligations(
    session: Session, unit: UnitRow, directive_id: int | None = None
) -> list[tuple[ObligationRow, DirectiveRow]]:
    """A unit's own obligations (for one directive or all), by directive then deadline."""
    query = (select(ObligationRow, DirectiveRow).join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
             .where(ObligationRow.unit_id == unit.id))
    if directive_id is not None:
        query = query.where(ObligationRow.directive_id == directive_id)
    query = query.order_by(DirectiveRow.number, ObligationRow.due_at, ObligationRow.key)
    return [(o, d) for o, d in session.execute(query).all()]


def unit_submissions(
    session: Session, unit: UnitRow, limit: int = 100
) -> list[tuple[SubmissionRow, ObligationRow, DirectiveRow]]:
    """The latest reports and waivers recorded for a unit."""
    return [(s, o, d) for s, o, d in session.execute(
        select(SubmissionRow, ObligationRow, DirectiveRow)
        .join(ObligationRow, ObligationRow.id == SubmissionRow.obligation_id)
        .join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
        .where(ObligationRow.unit_id == unit.id).order_by(SubmissionRow.at.desc()).limit(limit)
    ).all()]


def corrected_history(session: Session, obligation_ids: list[int]) -> dict[int, list[SubmissionRow]]:
    """Every recorded version of each listed obligation that was corrected at least once, oldest first."""
    if not obligation_ids:
        return {}
    corrected = select(SubmissionRow.obligation_id).where(SubmissionRow.obligation_id.in_(obligation_ids),
                                                          SubmissionRow.action == "correct")
    out: dict[int, list[SubmissionRow]] = {}
    for row in session.scalars(select(SubmissionRow).where(SubmissionRow.obligation_id.in_(corrected))
                               .order_by(SubmissionRow.at, SubmissionRow.id)):
        out.setdefault(row.obligation_id, []).append(row)
    return out


def child_units(session: Session, unit: UnitRow) -> list[UnitRow]:
    """The direct children of a unit, by code."""
    return list(session.scalars(select(UnitRow).where(UnitRow.parent_id == unit.id).order_by(UnitRow.code)))


@dataclass(frozen=True)
class DirectiveSummary:
    """One line of the directives list, seen from the account's anchor unit."""

    directive: DirectiveRow
    anchor: UnitRow
    phase: PhaseRow | None
    next: tuple[str, datetime] | None
    rollup: Rollup


def anchor_for(session: Session, principal: Principal, root: UnitRow, unit_code: str | None) -> UnitRow:
    """The unit a directive is looked at from: the one asked for, else the deeper of the root and the account's unit."""
    if unit_code:
        return unit_in_scope(session, principal, unit_code)
    if root.path.startswith(principal.unit_path):
        return root
    return session.get_one(UnitRow, principal.unit_id)


def summaries(session: Session, principal: Principal, now: datetime) -> list[DirectiveSummary]:
    """Every directive whose tree meets the account's subtree, newest first."""
    out = []
    rows = session.execute(select(DirectiveRow, UnitRow).join(UnitRow, UnitRow.id == DirectiveRow.root_id)
                           .order_by(DirectiveRow.issued_at.desc())).all()
    for directive, root in rows:
        if not concerns(session, principal, directive.id, root):
            continue
        anchor = anchor_for(session, principal, root, None)
        phase_rows = phases(session, directive.id)
        keys = key_lines(session, directive, anchor, now)
        out.append(DirectiveSummary(directive, anchor, current_phase(phase_rows), next_step(phase_rows, keys, now),
                                    rollup(session, directive.number, anchor.code)))
    return out


def source_folder(directive_id: int) -> str:
    """The file store folder that keeps the document a directive was issued from (uploaded in the dashboard)."""
    return f"directives/{directive_id}"


def source_documents(session: Session, directive_id: int) -> list[str]:
    """Names of the documents kept with an issued directive."""
    folder = source_folder(directive_id)
    return [f.name for name, files in list_folders(session, folder) if name == folder for f in files]
