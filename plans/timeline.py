"""The plan's own timeline: its phases (windows and gates), the event it organises and the milestones that prepare
it, each read from its deadline text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from errors import PlanError, Problem
from plans.compiled import EventSpec, GateSpec, MilestoneSpec, PhaseSpec
from plans.deadlines import parse, start
from plans.schema import PHASE_LABELS, Plan
from schedules.render import format_instant

if TYPE_CHECKING:
    from schedules import WorkingCalendar

__all__ = ["compile_event", "compile_milestones", "compile_phases"]


def compile_phases(plan: Plan, calendar: WorkingCalendar, warnings: list[str]) -> list[PhaseSpec]:
    """The plan's phases with their windows and gates; a phase that ends before it starts is a warning."""
    out = []
    for phase in plan.phases:
        gate = phase.gate
        where = f"Giai đoạn “{phase.name}”"
        after = parse(gate.after, plan, calendar, where=f"{where} (gate.after)", warnings=warnings)
        due = parse(phase.due, plan, calendar, where=f"{where} (due)", warnings=warnings)
        spec = PhaseSpec(
            name=phase.name,
            label_vi=phase.label or PHASE_LABELS[phase.name],
            opens=start(parse(phase.opens, plan, calendar, where=f"{where} (opens)", warnings=warnings)),
            due=due.due if due else None,
            gate=GateSpec(start(after), gate.share, gate.approval, gate.counts),
        )
        if spec.opens is not None and spec.due is not None and spec.due < spec.opens:
            warnings.append(f"{where}: kết thúc ({format_instant(spec.due)}) trước khi bắt đầu "
                            f"({format_instant(spec.opens)}); có thể in nhầm ngày")
        out.append(spec)
    return out


def compile_event(plan: Plan, calendar: WorkingCalendar) -> EventSpec | None:
    """The event the plan organises, at the instant its text names; refused when the text names none."""
    e = plan.event
    if e is None:
        return None
    at = parse(e.at, plan, calendar)
    when = at.due or at.opens
    if when is None:  # every deadline expression has a due or an opening instant
        raise PlanError([Problem(f"“{e.at}” không chỉ một thời điểm tổ chức", field="event.at")])
    return EventSpec(e.title, when, e.place, e.host, e.delegates, tuple(sorted(e.awards.items())))


def compile_milestones(
    plan: Plan, calendar: WorkingCalendar, event: EventSpec | None, warnings: list[str]
) -> list[MilestoneSpec]:
    """The chain of milestones, each with a deadline (counted from the event where it says so); one due before
    the milestone it follows, or after the event, is a warning."""
    out: list[MilestoneSpec] = []
    by_key: dict[str, MilestoneSpec] = {}
    for i, m in enumerate(plan.milestones):
        event_at = event.at if event else None
        due = parse(m.due, plan, calendar, upper=event_at, event=event_at,
                     where=f"Mốc “{m.key}” (due)", warnings=warnings).due
        if due is None:  # "từ tháng …" opens a window and names no deadline
            raise PlanError([Problem(f"mốc “{m.key}”: “{m.due}” không có hạn chót; hãy ghi hạn, "
                                     "ví dụ “chậm nhất ngày 21/5/2021”", field=f"milestones[{i}].due")])
        spec = MilestoneSpec(m.key, m.title, m.assignee, due, m.after)
        before = by_key.get(m.after) if m.after else None
        if before is not None and due < before.due:
            warnings.append(f"Mốc “{m.key}” có hạn trước mốc “{before.key}” mà nó phải làm sau")
        if event is not None and due > event.at:
            warnings.append(f"Mốc “{m.key}” có hạn sau thời điểm tổ chức {event.title}")
        out.append(spec)
        by_key[m.key] = spec
    return out
