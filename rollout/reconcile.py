"""The reconciler: `advance(now)` moves every active rollout to the state the clock and the gates call for.

Each step is a set-based statement guarded by the state it changes (WHERE status = 'open' AND due_at < now…),
and every event has a unique dedup key, so running it twice, or again after a crash, changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, Select, String, and_, cast, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rollout import summary
from rollout.escalate import escalate
from rollout.status import CLOSED_REASON, TRANSITIONS, Status, values
from schedules import WorkingCalendar
from schedules.render import to_local
from storage import UnitOfWork
from storage.db import rowcount
from storage.models import DirectiveRow, EventRow, ObligationRow, PhaseRow, SubmissionRow, UnitRow
from storage.units import active_clause

__all__ = ["AdvanceResult", "active_directive_ids", "advance", "advance_each", "insert_events"]


@dataclass
class AdvanceResult:
    """What one pass changed, per directive number."""

    phases_opened: list[str] = field(default_factory=list)
    opened: int = 0
    overdue: int = 0
    closed: int = 0  # obligations waived because their unit was closed
    messages: int = 0  # outbox rows written by the escalation ladder
    busy: list[str] = field(default_factory=list)  # directives another reconciler was working on: left to it

    @property
    def changed(self) -> bool:
        return bool(self.phases_opened or self.opened or self.overdue or self.closed or self.messages)


def insert_events(session: Session, rows: Select) -> None:
    """INSERT … SELECT events, skipping those already recorded (same dedup key)."""
    columns = ["directive_id", "obligation_id", "kind", "at", "dedup"]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(EventRow).from_select(columns, rows).on_conflict_do_nothing(index_elements=["dedup"])
    session.execute(stmt)


def active_directive_ids(session: Session) -> list[int]:
    """Ids of the directives the reconciler works on (held, aborted and closed ones are left alone)."""
    query = select(DirectiveRow.id).where(DirectiveRow.state == "active").order_by(DirectiveRow.id)
    return list(session.scalars(query))


def advance(session: Session, now: datetime, *, calendar: WorkingCalendar | None = None,
            directive_ids: list[int] | None = None) -> AdvanceResult:
    """Open phases whose gates hold, open obligations whose window started, mark overdue what passed its
    deadline, and climb the escalation ladder (writing reminders and letters to the outbox)."""
    calendar = calendar or WorkingCalendar()
    result = AdvanceResult()
    query = select(DirectiveRow).where(DirectiveRow.state == "active").order_by(DirectiveRow.id)
    if directive_ids is not None:
        query = query.where(DirectiveRow.id.in_(directive_ids))
    for directive in session.scalars(query):
        result.phases_opened += _open_phases(session, directive, now)
        # Obligations of a phase stay owed after the next phase opens: the pilot's report is still due in the review.
        open_phases = select(PhaseRow.name).where(
            PhaseRow.directive_id == directive.id, PhaseRow.opened_at.is_not(None)
        )
        result.opened += _open_obligations(session, directive.id, open_phases, now)
        result.closed += _waive_closed(session, directive.id, now)
        result.overdue += _mark_overdue(session, directive.id, now)
        result.messages += escalate(session, directive, now, calendar)
    session.flush()
    return result


def advance_each(engine: Engine, now: datetime, *, calendar: WorkingCalendar | None = None,
                 directive_ids: list[int] | None = None) -> AdvanceResult:
    """Advance each active directive in its own transaction, holding that directive while it works: a second
    reconciler running at the same time takes the directives the first is not working on and skips the rest
    (PostgreSQL: row lock, SKIP LOCKED), or waits its turn (SQLite: one writer at a time), never both at once."""
    total = AdvanceResult()
    if directive_ids is None:
        with UnitOfWork(engine) as uow:
            directive_ids = active_directive_ids(uow.session)
    for directive_id in directive_ids:
        with UnitOfWork(engine, writer=True) as uow:
            held = uow.session.scalar(select(DirectiveRow).where(DirectiveRow.id == directive_id)
                                      .with_for_update(skip_locked=True))
            if held is None:  # held by another reconciler (SQLite never gets here: it waited for the lock)
                number = uow.session.scalar(select(DirectiveRow.number).where(DirectiveRow.id == directive_id))
                total.busy += [number] if number else []
                continue
            one = advance(uow.session, now, calendar=calendar, directive_ids=[directive_id])
            uow.commit()
        total.phases_opened += one.phases_opened
        total.opened += one.opened
        total.overdue += one.overdue
        total.messages += one.messages
    return total


def _gate_holds(session: Session, phase: PhaseRow, now: datetime) -> bool:
    if phase.opens_at is not None and phase.opens_at > now:
        return False
    if phase.gate_approval and phase.approved_at is None:
        return False
    if phase.gate_share is not None and phase.gate_counts:
        # Units closed by a re-import leave the count from their closing day.
        counts = dict(session.execute(
            select(ObligationRow.status, func.count())
            .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(ObligationRow.directive_id == phase.directive_id, ObligationRow.key == phase.gate_counts,
                   active_clause(to_local(now).date()))
            .group_by(ObligationRow.status)
        ).all())
        total = sum(counts.values())
        received = counts.get(Status.DONE_ON_TIME, 0) + counts.get(Status.DONE_LATE, 0) + counts.get(Status.WAIVED, 0)
        if total == 0 or received / total < phase.gate_share:
            return False
    return True


def _open_phases(session: Session, directive: DirectiveRow, now: datetime) -> list[str]:
    """Phases open in order: a phase opens when its gate holds and every earlier phase has opened."""
    opened = []
    phases = list(session.scalars(select(PhaseRow).where(PhaseRow.directive_id == directive.id).order_by(PhaseRow.seq)))
    for index, phase in enumerate(phases):
        if phase.state != "pending":
            continue
        if not _gate_holds(session, phase, now):
            break
        for earlier in phases[:index]:
            if earlier.state == "open":
                earlier.state, earlier.closed_at = "closed", now
        phase.state, phase.opened_at = "open", now
        session.add(EventRow(directive_id=directive.id, kind="phase_opened", at=now,
                             dedup=f"phase:{phase.id}", details={"phase": phase.name}))
        opened.append(f"{directive.number}:{phase.name}")
    session.flush()
    return opened


def _open_obligations(session: Session, directive_id: int, open_phases: Select, now: datetime) -> int:
    """Pending obligations of an opened phase (or of no phase) open when their window has started."""
    move = TRANSITIONS["open"]
    opened = 0
    # One statement per kind of window rather than `IS NULL OR <= now`, which SQLite cannot seek in the index:
    # each reads only the rows it opens (and those still waiting for their phase), not every pending period.
    for window_started in (ObligationRow.opens_at.is_(None), ObligationRow.opens_at <= now):
        due_to_open = and_(
            ObligationRow.directive_id == directive_id,
            ObligationRow.status.in_(values(move.sources)),
            or_(ObligationRow.phase.is_(None), ObligationRow.phase.in_(open_phases)),
            window_started,
        )
        summary.move(session, due_to_open, move.target)
        opened += rowcount(session.execute(
            update(ObligationRow).where(due_to_open).values(status=move.target)
            .execution_options(synchronize_session=False)
        ))
    return opened


def _waive_closed(session: Session, directive_id: int, now: datetime) -> int:
    """Unfinished obligations of units closed by a hierarchy re-import (valid_to on or before today) are waived
    with CLOSED_REASON, each with one event and its submission row: a unit that no longer exists is not chased."""
    today = to_local(now).date()
    closed_units = select(UnitRow.id).where(UnitRow.valid_to.is_not(None), UnitRow.valid_to <= today)
    if session.scalar(closed_units.limit(1)) is None:  # the usual case, read from the index of closed units
        return 0
    move = TRANSITIONS["waive"]
    owed = and_(ObligationRow.directive_id == directive_id, ObligationRow.status.in_(values(move.sources)),
                ObligationRow.unit_id.in_(closed_units))
    insert_events(session, select(
        ObligationRow.directive_id, ObligationRow.id, literal("waived"), literal(now, ObligationRow.due_at.type),
        literal("closed:") + cast(ObligationRow.id, String),
    ).where(owed))
    session.execute(insert(SubmissionRow).from_select(
        ["obligation_id", "at", "actor", "action", "reason"],
        select(ObligationRow.id, literal(now, ObligationRow.due_at.type), literal("advance"), literal("waive"),
               literal(CLOSED_REASON)).where(owed)))
    summary.move(session, owed, move.target)
    return rowcount(session.execute(
        update(ObligationRow).where(owed).values(status=move.target, note=CLOSED_REASON)
        .execution_options(synchronize_session=False)
    ))


def _mark_overdue(session: Session, directive_id: int, now: datetime) -> int:
    """Open obligations past their deadline become overdue, each with one 'overdue' event."""
    move = TRANSITIONS["overdue"]
    past_due = and_(
        ObligationRow.directive_id == directive_id,
        ObligationRow.status.in_(values(move.sources)),
        ObligationRow.due_at.is_not(None),
        ObligationRow.due_at < now,
    )
    insert_events(session, select(
        ObligationRow.directive_id, ObligationRow.id, literal("overdue"), literal(now, ObligationRow.due_at.type),
        literal("overdue:") + cast(ObligationRow.id, String),
    ).where(past_due))
    summary.move(session, past_due, move.target)
    return rowcount(session.execute(
        update(ObligationRow).where(past_due).values(status=move.target).execution_options(synchronize_session=False)
    ))
