"""The parts of a month as Vietnamese offices count them: thượng tuần (days 1–10), trung tuần (11–20), hạ tuần
(21 to the end). "đầu tháng" is thượng tuần, "giữa tháng" trung tuần, "cuối tháng" the end of the month.

The functions take a match of `schedules.grammar` (groups part, m, y) and give a `Deadline`; the rules are in
the docstring of schedules.expressions.
"""

from __future__ import annotations

import re
from datetime import date

from schedules.calendar import WorkingCalendar
from schedules.meanings import Deadline, Unreadable, last_day, month_year, on_day, period
from schedules.render import format_day, format_instant

__all__ = ["before_part", "from_part", "month_end", "month_third"]

# part as the grammar reads it → (the third's name, its first day); the last day of a third is the next's first - 1.
_THIRDS = {"đầu": ("thượng tuần", 1), "giữa": ("trung tuần", 11), "cuối": ("hạ tuần", 21), "hạ tuần": ("hạ tuần", 21)}


def _month_or_issue(m: re.Match[str], issued_on: date | None) -> tuple[int, int, str]:
    """Month and year of groups m/y; no month written ("cuối tháng") is the issue month, and the note says so."""
    if m["m"] is not None:
        return month_year(m, issued_on)
    if issued_on is None:
        raise Unreadable(
            f"“{m['part']} tháng” không ghi tháng nào và không có ngày ban hành để biết là tháng nào; "
            f"hãy ghi tháng, ví dụ “{m['part']} tháng 6/2024”"
        )
    month, year = issued_on.month, issued_on.year
    return month, year, f" Văn bản không ghi tháng: lấy tháng ban hành, tháng {month}/{year}."


def month_end(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"cuối tháng M/Y" and "hạ tuần tháng M/Y" are due as "trong tháng M/Y", without an opening."""
    month, year, note = _month_or_issue(m, issued_on)
    first, last = date(year, month, 1), last_day(year, month)
    window = period(first, last, cal, f"tháng {month}/{year}", "", "month_end")
    assert window.due is not None
    lead = f"Cuối tháng {month}/{year}"
    if m["part"] == "hạ tuần":
        after = date(year + month // 12, month % 12 + 1, 1)
        lead = (
            f"Hạ tuần tháng {month}/{year} (từ ngày 21 đến ngày {format_day(last)}), "
            f"tức trước ngày {format_day(after)}"
        )
    meaning = (
        f"{lead}: hạn là hết giờ làm việc của ngày làm việc cuối cùng của tháng, "
        f"{format_instant(window.due)}.{note}"
    )
    return Deadline("month_end", window.due, None, None, meaning, "")


def month_third(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"đầu tháng" is due on the 10th, "giữa tháng" on the 20th (thượng / trung tuần), moved back off a day off."""
    month, year, note = _month_or_issue(m, issued_on)
    name, first = _THIRDS[m["part"]]
    day = date(year, month, first + 9)
    lead = (
        f"{m['part'].capitalize()} tháng {month}/{year} ({name} là ngày {first} đến ngày {first + 9}; "
        f"đọc theo {name}: hạn ngày {format_day(day)})"
    )
    return on_day(day, cal, "month_third", note, lead)


def before_part(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"trước trung tuần tháng M" is before its 11th (the third's first day is already late), as "trước ngày 11/M"."""
    month, year, note = _month_or_issue(m, issued_on)
    name, first = _THIRDS[m["part"]]
    day = date(year, month, first)
    read = on_day(day, cal, "before_day", note, "")
    meaning = f"Trước {name} tháng {month}/{year} ({name} bắt đầu từ ngày {format_day(day)}). {read.meaning}"
    return Deadline("before_day", read.due, None, None, meaning, "")


def from_part(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"từ cuối tháng M" opens on the first working day from the third's first day (21/M); it has no due."""
    month, year, note = _month_or_issue(m, issued_on)
    name, first = _THIRDS[m["part"]]
    day = date(year, month, first)
    opens = cal.start_of_office_hours(cal.working_day_on_or_after(day))
    meaning = (
        f"Từ {m['part']} tháng {month}/{year} ({name}, từ ngày {format_day(day)}): bắt đầu từ "
        f"{format_instant(opens)}, không có hạn kết thúc.{note}"
    )
    return Deadline("from_day", None, opens, None, meaning, "")
