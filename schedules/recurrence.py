"""Recurring obligations (monthly, quarterly, half-yearly, yearly) as RFC 5545 rules.

A rule names anchor days; `occurrences` turns each anchor into a due instant at the end of office
hours, moved to a working day when the anchor is a day off ("previous" = the working day before,
"next" = the working day after). The rules built here are meant to be read with roll="previous":
"hàng tháng" / "hàng quý" / "6 tháng" anchor on the last day of the period, so rolling back gives the
last working day of the period, and "trước ngày D" anchors on the day before D, so rolling back gives
the last working day strictly before D.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from dateutil.rrule import rrulestr

from errors import DeadlineError, Problem
from schedules.calendar import WorkingCalendar

__all__ = [
    "HALF_YEARLY",
    "MONTHLY",
    "QUARTERLY",
    "half_yearly_rule",
    "monthly_rule",
    "occurrences",
    "quarterly_rule",
    "rule_for",
    "yearly_rule",
]

Roll = Literal["previous", "next"]

MONTHLY = "FREQ=MONTHLY;BYMONTHDAY=-1"
QUARTERLY = "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"
HALF_YEARLY = "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _bymonthday(day: int, month: int | None = None) -> str:
    # Day 29–31 does not exist in every month; take the last existing day up to it instead of skipping.
    shortest = 28 if month in (None, 2) else _DAYS_IN_MONTH[month - 1]
    if day <= shortest:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def monthly_rule(day: int | None = None, *, before: bool = False) -> str:
    """Every month: on the last day (day=None), on `day`, or (before=True) on the day before `day`."""
    if day is None:
        return MONTHLY
    if not 1 <= day <= 31:
        raise ValueError(f"day of month out of range: {day}")
    if before:
        return MONTHLY if day == 1 else f"FREQ=MONTHLY;{_bymonthday(day - 1)}"
    return f"FREQ=MONTHLY;{_bymonthday(day)}"


def quarterly_rule() -> str:
    """Every quarter, anchored on its last day (31/3, 30/6, 30/9, 31/12)."""
    return QUARTERLY


def half_yearly_rule() -> str:
    """Every half-year, anchored on 30/6 and 31/12."""
    return HALF_YEARLY


def yearly_rule(day: int | None = None, month: int | None = None, *, before: bool = False) -> str:
    """Every year: on 31/12 (no day given), on day/month, or (before=True) on the day before it."""
    if day is None or month is None:
        return "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31"
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        raise ValueError(f"no such day in a year: {day}/{month}")
    if before:
        if day == 1:
            month = 12 if month == 1 else month - 1
            return f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY=-1"
        day -= 1
    return f"FREQ=YEARLY;BYMONTH={month};{_bymonthday(day, month)}"


def rule_for(text: str) -> str:
    """The rule of a Vietnamese recurring form ("hàng tháng", "hàng quý", "6 tháng", "hàng năm, trước ngày 31/12")."""
    from schedules.expressions import parse_deadline

    deadline = parse_deadline(text)
    if deadline.recurrence is None:
        raise DeadlineError(
            [
                Problem(
                    f"“{text}” là một hạn một lần, không lặp lại; các dạng lặp lại hợp lệ: "
                    "“hàng tháng”, “hàng quý”, “6 tháng một lần”, “hàng năm, trước ngày 31/12”."
                )
            ]
        )
    return deadline.recurrence


def occurrences(
    rule: str,
    start: date,
    until: date,
    calendar: WorkingCalendar,
    roll: Roll = "previous",
) -> list[datetime]:
    """Due instants (end of office hours) of the rule's anchors in [start, until], rolled to working days."""
    if roll not in ("previous", "next"):
        raise ValueError(f"roll must be 'previous' or 'next', not {roll!r}")
    if until < start:
        return []
    try:
        recurrence = rrulestr(rule, dtstart=datetime.combine(start, time()))
    except (ValueError, TypeError) as exc:
        raise DeadlineError(
            [Problem(f"Quy tắc lặp lại “{rule}” không đúng chuẩn RFC 5545 (RRULE): {exc}.")]
        ) from None
    upper = datetime.combine(until, time()) + timedelta(days=1) - timedelta(microseconds=1)
    move = calendar.working_day_on_or_before if roll == "previous" else calendar.working_day_on_or_after
    out: list[datetime] = []
    for anchor in recurrence.between(datetime.combine(start, time()), upper, inc=True):
        due = calendar.end_of_office_hours(move(anchor.date()))
        if not out or out[-1] != due:
            out.append(due)
    return out
