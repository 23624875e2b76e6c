"""Peaks of a campaign ("tập trung cao điểm vào dịp 30/4, 19/5, 2/9") as obligations of their own.

A recurring activity with `peaks` keeps its monthly (or other) periods; each peak date inside the campaign
adds one obligation for the same units, which the office chases like any other:
- it opens PEAK_RUN_UP_DAYS calendar days before the occasion (at the start of office hours of the first
  working day from then): an occasion is prepared and celebrated over the weeks before it, not on the day;
- it is due at the end of office hours of the first working day after the occasion: the occasions are
  often days off (30/4, 2/9) and the units report what they did once offices reopen;
- it is an activity (done or not, recorded by each unit), whatever the campaign's kind: the office chases
  who held the peak; figures stay in the campaign's own reports, whose fields the plan file names; the
  same deadline on every level (the peak is one occasion for everyone);
- the campaign is [its opening or the issue day, its bound (`until`, the phase's end, a bounded due)];
  without a bound, the first occurrence of each occasion from the campaign's opening.
Keys are `<key>-cao-diem-<d>-<m>-<yyyy>`; `peak_title` gives their title wherever titles are read from
the plan file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from plans.compiled import ObligationSpec
from schedules import WorkingCalendar

__all__ = ["PEAK_RUN_UP_DAYS", "peak_obligations", "peak_title", "title_of"]

PEAK_RUN_UP_DAYS = 14
_DAY_MONTH = re.compile(r"(?:ngày )?(\d{1,2})[/.-](\d{1,2})")
_PEAK_KEY = re.compile(r"(?P<base>.+)-cao-diem-(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<y>\d{4})")
_KEY_ROOM = 64 - len("-cao-diem-30-12-2000")


def _occasion(label: str) -> tuple[int, int] | None:
    """Day and month of a peak written as a date ("30/4", "ngày 19/5", "2-9"); None for a named occasion."""
    m = _DAY_MONTH.fullmatch(label.strip().lower())
    if m is None:
        return None
    day, month = int(m[1]), int(m[2])
    try:
        date(2000, month, day)  # a leap year: 29/2 is a real occasion
    except ValueError:
        return None
    return day, month


def _dates(day: int, month: int, start: date, end: date | None) -> list[date]:
    """The occasion's dates from start to end (inclusive); without an end, only the first one."""
    out: list[date] = []
    for year in range(start.year, (end or start).year + 2):
        try:
            d = date(year, month, day)
        except ValueError:
            continue  # 29/2 in a common year
        if d >= start and (end is None or d <= end):
            out.append(d)
            if end is None:
                break
    return out


def peak_obligations(
    spec: ObligationSpec, start: date, levels: set[int], calendar: WorkingCalendar, warnings: list[str]
) -> list[ObligationSpec]:
    """One obligation per peak date of a campaign (for its units' levels); a peak that is not a date is warned of."""
    if not spec.peaks or not levels:
        return []
    out: list[ObligationSpec] = []
    dated = False
    for label in spec.peaks:
        occasion = _occasion(label)
        if occasion is None:
            warnings.append(
                f"Nghĩa vụ “{spec.key}”: cao điểm “{label}” không phải là một ngày (ví dụ hợp lệ: “30/4”, “19/5”, "
                "“2/9”), nên không lập được đợt cao điểm"
            )
            continue
        dated = True
        for d in _dates(*occasion, start, spec.until):
            opens = calendar.start_of_office_hours(
                calendar.working_day_on_or_after(d - timedelta(days=PEAK_RUN_UP_DAYS))
            )
            due = calendar.end_of_office_hours(calendar.add_working_days(d, 1))
            out.append(
                replace(
                    spec,
                    key=f"{spec.key[:_KEY_ROOM]}-cao-diem-{d.day}-{d.month}-{d.year}",
                    kind="activity",
                    fields=[],
                    route_via=None,
                    report_to=None,
                    title=peak_title(spec.title, d),
                    due_by_level=dict.fromkeys(sorted(levels), due),
                    opens=opens,
                    recurrence=None,
                    peaks=(),
                    peak=label,
                    until=None,
                    due_meaning=(
                        f"Đợt cao điểm dịp {d.day}/{d.month}/{d.year}: bắt đầu từ {PEAK_RUN_UP_DAYS} ngày trước "
                        "dịp đó, hạn là hết giờ làm việc của ngày làm việc đầu tiên sau dịp đó."
                    ),
                )
            )
    if dated and not out:
        warnings.append(f"Nghĩa vụ “{spec.key}”: không dịp cao điểm nào nằm trong thời gian thực hiện")
    return out


def peak_title(title: str, d: date) -> str:
    """The title of a peak obligation: the campaign's title and the occasion."""
    return f"{title} (đợt cao điểm dịp {d.day}/{d.month}/{d.year})"


def title_of(titles: dict[str, str], key: str) -> str:
    """The title of an obligation key from the plan file's titles, peak obligations included; else the key."""
    if key in titles:
        return titles[key]
    m = _PEAK_KEY.fullmatch(key)
    if m is not None:
        base = next((k for k in titles if k[:_KEY_ROOM] == m["base"]), None)
        if base is not None:
            return peak_title(titles[base], date(int(m["y"]), int(m["m"]), int(m["d"])))
    return key
