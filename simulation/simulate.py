"""Rehearse a rollout on a simulated clock: the same use cases the scheduled flows call, day by day.

Each day: the reconciler runs at 08:00 (phases, deadlines, escalation ladder), units hand in what they
owe as their drawn behaviour says, the dispatcher sends at 09:00, and on Mondays at 07:00 the weekly
compliance run takes its snapshot and stores its report files in the database, as the scheduled run does, so
that the dashboard of the rehearsal's database shows every week's reports. Behaviour is drawn per obligation
from the seed, so a seed gives the same year every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import Engine, select

from compliance.run import run_compliance_detailed
from notifications.channels import Channel
from notifications.dispatch import dispatch
from plans.schema import Plan
from rollout import actions
from rollout.reconcile import advance
from rollout.status import Status
from rollout.stored_plan import field_specs, read_stored_plan
from schedules import WorkingCalendar
from schedules.render import local_datetime, to_local
from storage import UnitOfWork
from storage.models import DirectiveRow, ObligationRow, PhaseRow, UnitRow

__all__ = ["Behaviour", "SimulationResult", "simulate"]


@dataclass(frozen=True)
class Behaviour:
    """Shares of obligations handed in on time, late, or never (the rest of 1 is 'never')."""

    on_time: float = 0.65
    late: float = 0.2
    max_late_days: int = 25  # working days


@dataclass
class SimulationResult:
    """What happened over the simulated period."""

    days: int = 0
    submitted: int = 0
    messages_sent: int = 0
    snapshots: int = 0
    approvals: list[str] = field(default_factory=list)


def _draw(seed: int, obligation_id: int) -> float:
    """A number in [0, 1) fixed by the seed and the obligation: the same year for the same seed."""
    digest = hashlib.blake2b(f"{seed}:{obligation_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def hand_in_day(seed: int, obligation_id: int, opens: date, due: date, behaviour: Behaviour,
                calendar: WorkingCalendar) -> date | None:
    """The working day a unit hands in an obligation, or None for never."""
    x = _draw(seed, obligation_id)
    if x < behaviour.on_time:
        span = max(0, calendar.working_days_between(opens, due))
        return calendar.add_working_days(opens, int(x / behaviour.on_time * span)) if span else due
    if x < behaviour.on_time + behaviour.late:
        share = (x - behaviour.on_time) / behaviour.late
        return calendar.add_working_days(due, 1 + int(share * behaviour.max_late_days))
    return None


def simulate(
    engine: Engine,
    start: date,
    until: date,
    *,
    seed: int,
    calendar: WorkingCalendar,
    channel: Channel,
    behaviour: Behaviour = Behaviour(),
    approver: str = "mô phỏng:Văn phòng Tỉnh ủy",
    on_day: Callable[[date], None] | None = None,
) -> SimulationResult:
    """Run every day from `start` to `until` (inclusive) and return the totals."""
    result = SimulationResult()
    planned: dict[int, date | None] = {}  # obligation id -> its drawn hand-in day, drawn once
    day = start
    while day <= until:
        if day.weekday() == 0:
            run_compliance_detailed(engine, local_datetime(day, time(7, 0)), calendar=calendar)
            result.snapshots += 1
        with UnitOfWork(engine) as uow:
            advance(uow.session, local_datetime(day, time(8, 0)), calendar=calendar)
            uow.commit()
        if calendar.is_working_day(day):
            result.approvals += _approve_due_gates(engine, day, calendar, approver)
            result.submitted += _hand_in(engine, day, seed, behaviour, calendar, planned)
            sent = dispatch(engine, local_datetime(day, time(9, 0)), channel=channel, calendar=calendar).sent
            result.messages_sent += sent
        result.days += 1
        if on_day is not None:
            on_day(day)
        day += timedelta(days=1)
    return result


def _approve_due_gates(engine: Engine, day: date, calendar: WorkingCalendar, approver: str) -> list[str]:
    """The office approves a gate that needs it on the first working day its date has come."""
    approved = []
    now = local_datetime(day, time(10, 0))
    with UnitOfWork(engine) as uow:
        rows = uow.session.execute(
            select(DirectiveRow.number, PhaseRow.name).join(PhaseRow, PhaseRow.directive_id == DirectiveRow.id)
            .where(PhaseRow.gate_approval.is_(True), PhaseRow.approved_at.is_(None), PhaseRow.opens_at <= now)
        ).all()
        for number, phase in rows:
            actions.approve_gate(uow.session, number, phase, now=now, actor=approver,
                                 reason="Đã đánh giá kết quả chỉ đạo điểm")
            approved.append(f"{number}:{phase}:{day.isoformat()}")
        uow.commit()
    return approved


def _hand_in(engine: Engine, day: date, seed: int, behaviour: Behaviour, calendar: WorkingCalendar,
             planned: dict[int, date | None]) -> int:
    """Units hand in today whatever their drawn day says, at 14:00 local."""
    now = local_datetime(day, time(14, 0))
    count = 0
    with UnitOfWork(engine) as uow:
        owed = uow.session.execute(
            select(ObligationRow.id, ObligationRow.key, ObligationRow.period, ObligationRow.opens_at,
                   ObligationRow.due_at, UnitRow.code, DirectiveRow.number)
            .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
            .where(ObligationRow.status.in_([Status.OPEN.value, Status.OVERDUE.value]),
                   ObligationRow.due_at.is_not(None))
        ).all()
        plans = {number: read_stored_plan(number, data)
                 for number, data in uow.session.execute(select(DirectiveRow.number, DirectiveRow.plan)).all()}
        for obligation_id, key, period, opens_at, due_at, code, number in owed:
            if due_at is None:  # excluded by the query; the column is nullable
                continue
            if obligation_id not in planned:
                opens = to_local(opens_at).date() if opens_at else day
                planned[obligation_id] = hand_in_day(seed, obligation_id, opens, to_local(due_at).date(), behaviour,
                                                     calendar)
            when = planned[obligation_id]
            if when is not None and when <= day:
                data = _figures(seed, obligation_id, plans[number], key)
                actions.submit(uow.session, number, code, key, data=data, now=now, actor=f"mô phỏng:{code}",
                               period=period)
                count += 1
        uow.commit()
    return count


def _figures(seed: int, obligation_id: int, plan: Plan, key: str) -> dict[str, object]:
    """Plausible numbers for a report's declared numeric fields (forums held, members attending)."""
    x = _draw(seed + 1, obligation_id)
    data: dict[str, object] = {}
    for f in field_specs(plan, key):
        if f.type == "int":
            data[f.name] = 1 + int(x * 2) if "dien_dan" in f.name else 8 + int(x * 40)
    return data
