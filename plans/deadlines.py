"""A plan key's deadline text read against the plan: its issue day, the upper deadline, the event instant."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from plans.schema import Plan
    from schedules import Deadline, WorkingCalendar

__all__ = ["parse", "start"]


@overload
def parse(
    text: str, plan: Plan, calendar: WorkingCalendar, upper: datetime | None = None, *,
    event: datetime | None = None, where: str = "", warnings: list[str] | None = None,
) -> Deadline: ...


@overload
def parse(
    text: str | None, plan: Plan, calendar: WorkingCalendar, upper: datetime | None = None, *,
    event: datetime | None = None, where: str = "", warnings: list[str] | None = None,
) -> Deadline | None: ...


def parse(
    text: str | None, plan: Plan, calendar: WorkingCalendar, upper: datetime | None = None, *,
    event: datetime | None = None, where: str = "", warnings: list[str] | None = None,
) -> Deadline | None:
    """The deadline of a plan key; what looks misprinted goes to `warnings`, prefixed with where it is written."""
    if text is None:
        return None
    from schedules.expressions import parse_deadline

    found = parse_deadline(
        text, issued_on=plan.directive.issued_on, upper_deadline=upper, event=event, calendar=calendar
    )
    if warnings is not None:
        warnings += [f"{where}: {w}" for w in found.warnings]
    return found


def start(deadline: Deadline | None) -> datetime | None:
    """A window's start: the opening of "từ tháng 7/2017", else the instant of a plain date; None without one."""
    if deadline is None:
        return None
    return deadline.opens or deadline.due
