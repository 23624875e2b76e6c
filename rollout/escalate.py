"""Escalation inside the reconciler: climb each unfinished obligation's ladder and write the outbox rows.

The rung is recorded on the obligation (escalation_step) in the same transaction as the outbox rows, so a
re-run finds nothing new to send. Items are grouped per recipient: ten late items make one message.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, select, update
from sqlalchemy.orm import Session

from rollout.ladder import TEMPLATES, Step, ladder_from_plan, step_reached
from rollout.status import CHASED, values
from rollout.stored_plan import plan_of
from schedules import WorkingCalendar
from schedules.render import to_local
from storage.base import table_of
from storage.db import bulk_insert
from storage.models import DirectiveRow, ObligationRow, OutboxRow, UnitRow

__all__ = ["escalate", "next_office_instant", "queue_messages"]


def next_office_instant(now: datetime, calendar: WorkingCalendar) -> datetime:
    """`now` if offices are open, else the next opening: nothing is sent in quiet hours."""
    day = to_local(now).date()
    if calendar.is_working_day(day):
        opens, closes = calendar.start_of_office_hours(day), calendar.end_of_office_hours(day)
        if opens <= now < closes:
            return now
        if now < opens:
            return opens
    return calendar.start_of_office_hours(calendar.next_working_day(day))


def escalate(session: Session, directive: DirectiveRow, now: datetime, calendar: WorkingCalendar) -> int:
    """Move every unfinished obligation of a directive to the rung its deadline calls for; returns outbox rows
    written. Only the rows below their rung are read and written, each rung by one seek per deadline."""
    plan = plan_of(directive)
    ladder = ladder_from_plan(plan)
    # rung -> the deadlines that have reached it by now
    dues_by_rung: dict[int, list[datetime]] = defaultdict(list)
    for due in _chased_dues(session, directive.id):
        reached = step_reached(due, now, ladder, calendar)
        if reached:
            dues_by_rung[reached].append(due)
    # recipient unit id -> rung -> obligation ids, for one message per recipient and rung
    batches: dict[tuple[int, int], list[int]] = defaultdict(list)
    for reached, dues in sorted(dues_by_rung.items()):
        match = (
            (ObligationRow.directive_id == directive.id) & ObligationRow.status.in_(values(CHASED))
            & ObligationRow.due_at.in_(dues) & (ObligationRow.escalation_step < reached)
        )
        rows = session.execute(
            select(ObligationRow.id, ObligationRow.unit_id, UnitRow.parent_id, UnitRow.route_via, UnitRow.path)
            .join(UnitRow, UnitRow.id == ObligationRow.unit_id).where(match)
        ).all()
        if not rows:
            continue
        session.execute(update(ObligationRow).where(match).values(escalation_step=reached)
                        .execution_options(synchronize_session=False))
        step = ladder[reached - 1]
        offices = _unit_ids(session, {r.route_via for r in rows if r.route_via})
        heads = _line_heads(session, directive) if step.through_line(plan.chase_channel) else None
        for obligation_id, unit_id, parent_id, route_via, path in rows:
            recipient = _recipient(directive, step, unit_id, parent_id, offices.get(route_via) if route_via else None)
            if heads is not None:
                # Through the line: the issuer chases its direct child, which answers for its whole subtree.
                recipient = heads[1].get(path[: heads[0]], recipient)
            batches[(recipient, reached)].append(obligation_id)
    return _write_outbox(session, directive, batches, ladder, now, calendar)


def _chased_dues(session: Session, directive_id: int) -> list[datetime]:
    """The distinct deadlines of what a directive's units owe now, read by jumping from one deadline to the next
    along the index (one seek per deadline, whether a million rows share them or one)."""
    dues: set[datetime] = set()
    for status in values(CHASED):
        owed = (ObligationRow.directive_id == directive_id, ObligationRow.status == status)

        def after(*bound: ColumnElement[bool], owed: tuple[ColumnElement[bool], ...] = owed) -> ScalarSelect[Any]:
            return (select(ObligationRow.due_at).where(*owed, *bound)
                    .order_by(ObligationRow.due_at).limit(1).scalar_subquery())

        found = select(after(ObligationRow.due_at.is_not(None)).label("due")).cte("dues", recursive=True)
        found = found.union_all(select(after(ObligationRow.due_at > found.c.due)).where(found.c.due.is_not(None)))
        dues.update(due for due in session.scalars(select(found.c.due).where(found.c.due.is_not(None))) if due)
    return sorted(dues)


def _line_heads(session: Session, directive: DirectiveRow) -> tuple[int, dict[str, int]] | None:
    """The issuer's direct children by path, and the length of their paths."""
    issuer_path = session.scalar(select(UnitRow.path).where(UnitRow.id == directive.issuer_id))
    if issuer_path is None:
        return None
    children = dict(session.execute(
        select(UnitRow.path, UnitRow.id).where(UnitRow.parent_id == directive.issuer_id)).all())
    return len(issuer_path) + (len(next(iter(children))) - len(issuer_path) if children else 0), children


def _unit_ids(session: Session, codes: set[str]) -> dict[str, int]:
    if not codes:
        return {}
    return dict(session.execute(select(UnitRow.code, UnitRow.id).where(UnitRow.code.in_(codes))).all())


def _recipient(directive: DirectiveRow, step: Step, unit_id: int, parent_id: int | None, office_id: int | None) -> int:
    """Reminders and letters go to the unit; escalations to the superior's standing office (the department its
    reports are routed through), else the superior itself; the last rung goes to the issuing committee."""
    if step.action in ("remind", "chase"):
        return unit_id
    if step.action == "escalate_superior":
        return office_id or parent_id or directive.issuer_id
    return directive.issuer_id


def queue_messages(session: Session, directive_id: int | None, messages: Iterable[tuple[str, int, str, dict[str, Any]]],
                   now: datetime, calendar: WorkingCalendar) -> int:
    """Write messages (key, recipient unit id, template, context) to the outbox, to go out at the next office
    hour; they are part of the caller's transaction, so they exist exactly when the change that caused them
    does. A message whose key is already in the outbox is not written again; returns the messages written."""
    send_from = next_office_instant(now, calendar)
    columns = ("key", "directive_id", "unit_id", "template", "context", "recipients", "status", "attempts",
               "next_attempt_at", "created_at")
    rows: Iterable[tuple[Any, ...]] = (
        (key, directive_id, unit_id, template, {**context, "as_of": to_local(now).date().isoformat()},
         {"to": [], "cc": []}, "pending", 0, send_from, now)
        for key, unit_id, template, context in messages
    )
    return bulk_insert(session, table_of(OutboxRow), columns, rows, skip_existing="key")


def _write_outbox(
    session: Session,
    directive: DirectiveRow,
    batches: dict[tuple[int, int], list[int]],
    ladder: tuple[Step, ...],
    now: datetime,
    calendar: WorkingCalendar,
) -> int:
    messages: list[tuple[str, int, str, dict[str, Any]]] = []

    for (recipient, rung), obligation_ids in sorted(batches.items()):
        ids = sorted(obligation_ids)
        digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:12]
        step = ladder[rung - 1]
        context: dict[str, Any] = {"obligations": ids, "action": step.action, "rung": rung}
        if step.signer is not None:
            # Kept with the message, so that the letter is signed as the rung said when it was queued.
            context["signer"] = step.signer.model_dump(exclude_none=True)
        if step.channels is not None:
            # The rung's ladder of carriers travels with the row: the dispatcher tries them in this order.
            context["channels"] = list(step.channels)
        messages.append((f"d{directive.id}:r{rung}:u{recipient}:{digest}", recipient, TEMPLATES[step.action],
                         context))
    return queue_messages(session, directive.id, messages, now, calendar)
