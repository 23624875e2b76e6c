"""What each deadline or phase form means on the working calendar: its due instant and its opening.

schedules.expressions matches the wording; the functions here take its matches (named groups d, m, y for
a day, d1, m1, y1 for the start of a range, dow, dowa, dow1, dowa1 for weekdays written) and give a `Deadline`.
The rules are listed in the docstring of schedules.expressions.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from schedules.calendar import WorkingCalendar
from schedules.phrases import weekday_mismatch
from schedules.render import format_day, format_instant, local_date, to_local

__all__ = [
    "KIND_LABELS",
    "Deadline",
    "Unreadable",
    "check_weekday",
    "clock",
    "day_of",
    "day_range",
    "issue_day",
    "last_day",
    "make_date",
    "month_range",
    "month_window",
    "month_year",
    "on_day",
    "part_of_year",
    "period",
    "relative",
    "relative_day",
    "relative_event",
]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


@dataclass(frozen=True)
class Deadline:
    """A deadline read from text: what kind, when it is due / opens, how it recurs, and what it means."""

    kind: str
    due: datetime | None
    opens: datetime | None
    recurrence: str | None
    meaning: str
    source: str
    until: date | None = None  # a recurring deadline has no occurrence after this day (a bounded campaign)
    warnings: tuple[str, ...] = ()  # what looks misprinted, in Vietnamese; the deadline is still read


# What `calendar parse` calls each kind of deadline, for the clerk who reads it (the kinds stay code names).
KIND_LABELS = {
    "instant": "thời điểm cụ thể", "day": "ngày", "before_day": "trước một ngày", "day_range": "khoảng ngày",
    "from": "bắt đầu từ", "from_day": "bắt đầu từ ngày", "from_month": "bắt đầu từ tháng",
    "from_part": "bắt đầu từ một phần của tháng", "before_part": "trước một phần của tháng", "month": "tháng",
    "month_end": "cuối tháng", "month_range": "khoảng tháng", "month_third": "thượng, trung hoặc hạ tuần",
    "quarter": "quý", "half_year": "nửa năm", "yearly": "hằng năm", "monthly": "hằng tháng", "quarterly": "hằng quý",
    "half_yearly": "6 tháng một lần", "issue_day": "ngày ban hành", "relative": "tính từ một mốc",
    "relative_day": "tính từ một ngày", "relative_event": "tính từ sự kiện", "relative_issued": "tính từ ngày ban hành",
    "relative_upper": "tính từ hạn của cấp trên",
}


class Unreadable(Exception):
    """What is wrong with a phrase, in Vietnamese; parse_deadline quotes the phrase and the valid forms."""


# -- days, months and years ------------------------------------------------------------------------


def make_date(day: int, month: int, year: int) -> date:
    """The day, or Unreadable naming the month's length when it does not exist."""
    _check_month(month)
    last = _stdcal.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise Unreadable(f"ngày {day}/{month}/{year} không có (tháng {month}/{year} có {last} ngày)")
    return date(year, month, day)


def last_day(year: int, month: int) -> date:
    """The last calendar day of the month."""
    return date(year, month, _stdcal.monthrange(year, month)[1])


def _check_month(month: int) -> int:
    if not 1 <= month <= 12:
        raise Unreadable(f"tháng {month} không có (tháng phải từ 1 đến 12)")
    return month


def _infer_year(what: str, issued_on: date | None, fits: Callable[[int, date], bool]) -> tuple[int, str]:
    """The first year from issued_on's for which fits(year, issued_on) holds; also the sentence that says so."""
    if issued_on is None:
        raise Unreadable(f"{what} không ghi năm và không có ngày ban hành để suy ra năm; hãy ghi thêm năm")
    for year in range(issued_on.year, issued_on.year + 9):
        if fits(year, issued_on):
            note = f" Văn bản không ghi năm: lấy năm {year}, lần gần nhất kể từ ngày ban hành {format_day(issued_on)}."
            return year, note
    raise Unreadable(f"{what} không suy ra được năm")  # pragma: no cover - 29/2 recurs within 8 years


def day_of(m: re.Match[str], issued_on: date | None, prefix: str = "") -> tuple[date, str]:
    """The day of groups d/m/y; without a year, the first such day on or after issued_on (and the note saying so)."""
    day, month = int(m[f"d{prefix}"]), int(m[f"m{prefix}"])
    if m[f"y{prefix}"]:
        return make_date(day, month, int(m[f"y{prefix}"])), ""
    make_date(day, month, 2000)  # leap year: rejects 31/4 or 30/2 before inferring a year

    def fits(year: int, issued: date) -> bool:
        return _stdcal.monthrange(year, month)[1] >= day and date(year, month, day) >= issued

    year, note = _infer_year(f"Ngày {day}/{month}", issued_on, fits)
    return date(year, month, day), note


def month_year(m: re.Match[str], issued_on: date | None) -> tuple[int, int, str]:
    """Month and year of groups m/y; a missing year is the first whose month ends on or after issued_on."""
    month = _check_month(int(m["m"]))
    if m["y"]:
        return month, int(m["y"]), ""
    year, note = _infer_year(f"Tháng {month}", issued_on, lambda y, issued: last_day(y, month) >= issued)
    return month, year, note


def _start_year(start: tuple[int, int], end: tuple[int, int], written: str | None, end_year: int) -> int:
    """A range's first year: as written, else the end's, or the year before when (month, day) comes later."""
    if written:
        return int(written)
    return end_year - 1 if start > end else end_year


def check_weekday(m: re.Match[str], d: date, *groups: str) -> tuple[str, ...]:
    """A weekday written beside a day (in the named groups) that is not that day's: the warnings naming both.

    The date is kept (it is what the deadline is computed from); the mismatch is a misprint to check.
    """
    return tuple(problem for group in groups if (problem := weekday_mismatch(m[group], d)))


def clock(m: re.Match[str]) -> time:
    """The wall-clock time of groups hh/mm, 0:00 to 23:59."""
    hh, mm = int(m["hh"]), int(m["mm"] or 0)
    if hh > 23:
        raise Unreadable(f"{hh} giờ không có (giờ phải từ 0 đến 23; hết ngày thì ghi 23h59)")
    if mm > 59:
        raise Unreadable(f"{mm} phút không có (phút phải từ 0 đến 59)")
    return time(hh, mm)


# -- meanings --------------------------------------------------------------------------------------


def period(first: date, last: date, cal: WorkingCalendar, label: str, note: str, kind: str) -> Deadline:
    """The window of the working days from first to last: opens at the first's office hours, due at the last's end."""
    start, end = cal.first_working_day(first, last), cal.last_working_day(first, last)
    if start is None or end is None:
        raise Unreadable(f"{label} không có ngày làm việc nào")
    due, opens = cal.end_of_office_hours(end), cal.start_of_office_hours(start)
    meaning = (
        f"{label[0].upper()}{label[1:]}: bắt đầu từ {format_instant(opens)}; hạn là hết giờ làm việc "
        f"của ngày làm việc cuối cùng, {format_instant(due)}.{note}"
    )
    return Deadline(kind, due, opens, None, meaning, "")


def on_day(d: date, cal: WorkingCalendar, kind: str, note: str, lead: str) -> Deadline:
    """Due at the end of office hours on d, or of the previous working day if d is off; "before_day": before d."""
    if kind == "before_day":
        due = cal.end_of_office_hours(cal.previous_working_day(d))
        meaning = (
            f"Trước ngày {format_day(d)}: ngày {format_day(d)} đã là trễ hạn; hạn là hết giờ làm việc "
            f"của ngày làm việc liền trước, {format_instant(due)}."
        )
        return Deadline(kind, due, None, None, meaning + note, "")
    due = cal.end_of_office_hours(cal.working_day_on_or_before(d))
    meaning = f"{lead}: hạn là hết giờ làm việc, {format_instant(due)}."
    reason = cal.day_off_reason(d)
    if reason:
        meaning = (
            f"{lead}: ngày {format_day(d)} là ngày nghỉ ({reason}) nên hạn là hết giờ làm việc của "
            f"ngày làm việc liền trước, {format_instant(due)}."
        )
    return Deadline(kind, due, None, None, meaning + note, "")


def month_window(m: re.Match[str], pre: str, issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"trong tháng" is the month's working days, "trước tháng" is before its first day, "từ tháng" (pre "from")."""
    month, year, note = month_year(m, issued_on)
    first, last = date(year, month, 1), last_day(year, month)
    if pre == "from":
        opens = cal.start_of_office_hours(cal.working_day_on_or_after(first))
        meaning = (
            f"Từ tháng {month}/{year}: bắt đầu từ {format_instant(opens)} "
            f"(ngày làm việc đầu tiên của tháng), không có hạn kết thúc.{note}"
        )
        return Deadline("from_month", None, opens, None, meaning, "")
    if pre == "trước":
        return on_day(first, cal, "before_day", note, "")
    return period(first, last, cal, f"trong tháng {month}/{year}", note, "month")


def issue_day(issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"triển khai ngay" is due the issue day at the end of office hours, or the next working day when it is off."""
    if issued_on is None:
        raise Unreadable("“ngay” là ngay ngày ban hành, nhưng không có ngày ban hành; hãy ghi ngày ban hành")
    day = cal.working_day_on_or_after(issued_on)
    due = cal.end_of_office_hours(day)
    meaning = f"Triển khai ngay: hạn là hết giờ làm việc của ngày ban hành, {format_instant(due)}."
    if day != issued_on:
        reason = cal.day_off_reason(issued_on) or "ngày nghỉ"
        meaning = (
            f"Triển khai ngay: ngày ban hành {format_day(issued_on)} là ngày nghỉ ({reason}) nên hạn là hết giờ "
            f"làm việc của ngày làm việc kế tiếp, {format_instant(due)}."
        )
    return Deadline("issue_day", due, None, None, meaning, "")


def month_range(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"từ tháng M1 đến tháng M2/Y": from the first working day of M1 to the end of the last working day of M2."""
    month1, month2 = _check_month(int(m["m1"])), _check_month(int(m["m"]))
    if m["y"] is None and m["y1"]:
        year2, note = int(m["y1"]) + (month2 < month1), ""
    else:
        month2, year2, note = month_year(m, issued_on)
    year1 = _start_year((month1, 1), (month2, 1), m["y1"], year2)
    if (year1, month1) > (year2, month2):
        raise Unreadable(
            f"khoảng thời gian kết thúc (tháng {month2}/{year2}) trước khi bắt đầu (tháng {month1}/{year1}); "
            f"hãy sửa lại, ví dụ “từ tháng {month2}/{year2} đến tháng {month1}/{year1}”"
        )
    first, last = date(year1, month1, 1), last_day(year2, month2)
    return period(first, last, cal, f"từ tháng {month1}/{year1} đến tháng {month2}/{year2}", note, "month_range")


def day_range(m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"từ ngày D1 đến ngày D2": opens on the first working day from D1, due as "chậm nhất ngày D2"."""
    day1, month1 = int(m["d1"]), int(m["m1"])
    make_date(day1, month1, 2000)
    if m["y"] is None and m["y1"]:
        end, note = make_date(int(m["d"]), int(m["m"]), int(m["y1"])), ""
        if (end.month, end.day) < (month1, day1):
            end = make_date(end.day, end.month, end.year + 1)
    else:
        end, note = day_of(m, issued_on)
    start = make_date(day1, month1, _start_year((month1, day1), (end.month, end.day), m["y1"], end.year))
    warnings = check_weekday(m, start, "dow1", "dowa1") + check_weekday(m, end, "dow", "dowa")
    if start > end:
        raise Unreadable(
            f"khoảng thời gian kết thúc (ngày {format_day(end)}) trước khi bắt đầu (ngày {format_day(start)}); "
            f"hãy sửa lại, ví dụ “từ ngày {format_day(end)} đến ngày {format_day(start)}”"
        )
    opens = cal.start_of_office_hours(cal.working_day_on_or_after(start))
    lead = f"Từ ngày {format_day(start)} đến ngày {format_day(end)}"
    by = on_day(end, cal, "day_range", note, lead)
    if by.due is None or opens > by.due:
        raise Unreadable(f"từ ngày {format_day(start)} đến ngày {format_day(end)} không có ngày làm việc nào")
    meaning = by.meaning.replace(f"{lead}: ", f"{lead}: bắt đầu từ {format_instant(opens)}; ", 1)
    return Deadline("day_range", by.due, opens, None, meaning, "", warnings=warnings)


def part_of_year(name: str, m: re.Match[str], issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """A quarter ("quý III/2024") or a half-year ("6 tháng đầu năm 2024") is the window of its working days."""
    if name == "quarter":
        q = _ROMAN.get(m["q"]) or int(m["q"])
        months, label = (3 * q - 2, 3 * q), f"quý {('I', 'II', 'III', 'IV')[q - 1]}"
    else:
        months = (1, 6) if m["h"] == "đầu" else (7, 12)
        label = f"6 tháng {m['h']} năm"
    if m["y"]:
        year, note = int(m["y"]), ""
    else:
        year, note = _infer_year(label.capitalize(), issued_on, lambda y, issued: last_day(y, months[1]) >= issued)
    full = f"{label} {year}" if name == "half_year" else f"{label}/{year}"
    return period(date(year, months[0], 1), last_day(year, months[1]), cal, full, note, name)


def _counted(day: date, n: int, working: bool, lead: str, cal: WorkingCalendar) -> Deadline:
    """A counted deadline: N working days land on a working day; N calendar days ("ngày") stay on their day."""
    if working:
        return on_day(day, cal, "relative", "", lead)
    due = cal.end_of_office_hours(day)
    meaning = f"{lead}: tính theo ngày lịch; hạn là hết giờ làm việc, {format_instant(due)}."
    if reason := cal.day_off_reason(day):
        meaning += (
            f" Ngày {format_day(day)} là ngày nghỉ ({reason}) nhưng văn bản ghi “{n} ngày” chứ không phải "
            f"“{n} ngày làm việc”, nên hạn không lùi về ngày làm việc."
        )
    return Deadline("relative", due, None, None, meaning, "")


def relative(
    name: str, n: int, working: bool, issued_on: date | None, upper: datetime | None, cal: WorkingCalendar
) -> Deadline:
    """N working days (or N calendar days, "ngày") before the upper level's deadline, or after the issue day."""
    unit = "ngày làm việc" if working else "ngày"
    if name == "relative_upper":
        if upper is None:
            raise Unreadable("hạn tính lùi từ hạn của cấp trên, nhưng không có hạn của cấp trên")
        anchor = local_date(upper)
        day = cal.add_working_days(anchor, -n) if working else anchor - timedelta(days=n)
        lead = f"{n} {unit} trước hạn của cấp trên ({format_instant(to_local(upper))})"
    else:
        if issued_on is None:
            raise Unreadable("hạn tính từ ngày ban hành, nhưng không có ngày ban hành")
        day = cal.add_working_days(issued_on, n) if working else issued_on + timedelta(days=n)
        lead = f"{n} {unit} kể từ ngày ban hành {format_day(issued_on)} (không tính ngày ban hành)"
    return _counted(day, n, working, lead, cal)


def relative_day(n: int, working: bool, after: bool, anchor: date, what: str, cal: WorkingCalendar) -> Deadline:
    """N (working) days before or after a written day ("5 ngày làm việc sau ngày 10/6/2024"), the day not counted."""
    step = n if after else -n
    day = cal.add_working_days(anchor, step) if working else anchor + timedelta(days=step)
    unit = "ngày làm việc" if working else "ngày"
    return _counted(day, n, working, f"{n} {unit} {'sau' if after else 'trước'} {what}", cal)


def relative_event(
    n: int, working: bool, after: bool, what: str, event: datetime | None, cal: WorkingCalendar
) -> Deadline:
    """N (working) days before or after the day of the plan's event ("90 ngày trước ngày bầu cử")."""
    if event is None:
        raise Unreadable(
            f"hạn tính theo ngày {what}, nhưng không có thời điểm của sự kiện; trong kế hoạch hãy ghi khóa "
            "event.at (ví dụ “7h00 ngày 15/3/2026”), với lệnh calendar parse hãy thêm --event"
        )
    anchor = local_date(event)
    return relative_day(n, working, after, anchor, f"ngày {what} ({format_day(anchor)})", cal)
