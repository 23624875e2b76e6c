"""The checked values of a plan file: days, deadline texts, codes, names, counts, e-mail addresses.

Each type is an `Annotated` alias whose validators refuse what a careful clerk would not write (control or bidi
characters, a day before 1930, a number outside its range) with a Vietnamese reason, for plans.schema's models.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

from hierarchy.limits import FIRST_DAY, LAST_DAY, MAX_MEMBERS, day_problem, email_problem, shown, text_problem
from plans.numbers import clean_number

__all__ = [
    "Code", "Count", "Day", "DeadlineText", "DirectiveNumber", "Email", "Key", "Label", "Members", "Name", "Phone",
    "Title", "WorkingDays", "between", "read_day",
]

_SLASH_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def read_day(value: object) -> object:
    """A calendar day may be written ISO (2017-03-22, read by YAML) or Vietnamese style (22/3/2017)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        match = _SLASH_DATE.match(value)
        if match:
            d, m, y = (int(g) for g in match.groups())
            try:
                return date(y, m, d)
            except ValueError as exc:
                raise ValueError(f"ngày “{value}” không tồn tại") from exc
    return value


def _in_years(day: date) -> date:
    """A written day lies between the founding of the Party (1930) and the end of the calendar's century (2100)."""
    trouble = day_problem(day)
    if trouble is not None:
        raise ValueError(f"ngày {day.day}/{day.month}/{day.year} {trouble}")
    return day


def _text(max_chars: int) -> AfterValidator:
    """Text on one line without control, invisible or bidi characters, at most `max_chars` characters."""

    def check(value: str) -> str:
        trouble = text_problem(value, max_chars=max_chars)
        if trouble is not None:
            hint = "; viết trên một dòng (dùng “>-” thay cho “>” hoặc “|”)" if "\n" in value else ""
            raise ValueError(f"{shown(value)} {trouble}{hint}")
        return value

    return AfterValidator(check)


def between(low: int, high: int) -> AfterValidator:
    """An integer from `low` to `high` inclusive."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"{shown(value)} nằm ngoài khoảng hợp lệ; ghi một số nguyên từ {low} đến {high}")
        return value

    return AfterValidator(check)


def _email(value: str) -> str:
    """Exactly one e-mail address (local@domain), nothing that could add a recipient or a header to a letter."""
    trouble = email_problem(value)
    if trouble is not None:
        raise ValueError(f"{shown(value)} {trouble}")
    return value


_YEAR = re.compile(r"\d{4,}")


def _deadline_years(value: str) -> str:
    """Every year written in a deadline expression lies within the years a plan may name (1930–2100)."""
    for match in _YEAR.finditer(value):
        year = int(match.group()) if len(match.group()) <= 6 else 0
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValueError(f"năm {shown(match.group())} trong {shown(value)} nằm ngoài khoảng hợp lệ; "
                             f"ghi năm từ {FIRST_DAY.year} đến {LAST_DAY.year}")
    return value


Day = Annotated[date, BeforeValidator(read_day), AfterValidator(_in_years)]
# A deadline expression read by schedules.parse_deadline ("trước ngày 30/6/2017", "từ tháng 7/2017"…).
DeadlineText = Annotated[
    str, BeforeValidator(lambda v: v.isoformat() if isinstance(v, date) else v), _text(300),
    AfterValidator(_deadline_years),
]
# Sizes follow the database columns: unit codes, directive numbers and keys 64, labels 200, titles 1000.
Code = Annotated[str, Field(min_length=1), _text(64)]
Key = Annotated[str, _text(64)]
# "47 - KH/TU " and "47–KH/TU" are read as "47-KH/TU" (plans.numbers), so the number is stored in one form.
DirectiveNumber = Annotated[str, BeforeValidator(lambda v: clean_number(v) if isinstance(v, str) else v), _text(64)]
Label = Annotated[str, _text(200)]
Name = Annotated[str, _text(300)]
Title = Annotated[str, _text(1000)]
Phone = Annotated[str, _text(50)]
Email = Annotated[str, AfterValidator(_email)]
WorkingDays = Annotated[int, between(0, 250)]
Members = Annotated[int, between(0, MAX_MEMBERS)]
Count = Annotated[int, between(0, 100_000)]
