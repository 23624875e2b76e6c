"""The Vietnamese working calendar: which days offices work, and counting in working days.

Rules:
- A working day is Monday to Friday, minus the official holidays and substituted days off known to the
  `holidays` package (country "VN": Tết Dương lịch, the lunar Tết days, Giỗ Tổ Hùng Vương, 30/4, 1/5,
  Quốc khánh, and some days off moved by government decision), plus the Saturdays/Sundays the package marks
  as swapped working days.
- The days the State decided (schedules/data/vn_calendar.yaml, each with its document: swapped days off,
  make-up Saturdays; see schedules.decisions) win over the `holidays` package, and a province's own file of
  the same form (`calendar_file`) wins over them.
- A province's own calendar also comes from settings: `extra_days_off` are days off, `extra_working_days`
  are working days; both win over everything else (a date may not be in both).
- `add_working_days(d, n)` with n > 0 is the n-th working day strictly after d, with n < 0 the |n|-th
  working day strictly before d. d itself is never counted, so a day off as start behaves like the
  nearest working day on the other side: Saturday + 1 is the next Monday, Saturday - 1 the Friday.
  n = 0 returns d unchanged (even on a day off); use `working_day_on_or_after`/`_before` to roll.
- Nothing here reads the clock; holiday lookups are cached per year and calendar.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import holidays

from errors import ConfigError
from schedules.decisions import Decision, national_decisions, province_decisions
from schedules.render import format_day, local_datetime, weekday_name

if TYPE_CHECKING:
    from settings import Settings

__all__ = ["WorkingCalendar"]

_ONE_DAY = timedelta(days=1)
LOCAL_DAY_OFF = "Ngày nghỉ theo lịch của địa phương"
LOCAL_WORKING_DAY = "Ngày làm việc theo lịch của địa phương"
# Days the package computes from the Labour Code (Điều 112) with no decision listed in the data file.
PACKAGE_SOURCE = "Bộ luật Lao động, Điều 112 (lịch tính sẵn của thư viện holidays)"


@lru_cache(maxsize=256)
def _national(year: int) -> tuple[dict[date, str], frozenset[date]]:
    """Holidays of a year (with Vietnamese names) and the weekend days that are swapped working days."""
    vn = holidays.country_holidays("VN", years=year, language="vi")
    names = {d: name for d, name in vn.items() if d.year == year}
    swapped = frozenset(d for d in vn.weekend_workdays if d.year == year)
    return names, swapped


@dataclass(frozen=True, slots=True)
class _Year:
    off: frozenset[date]  # weekdays that are days off
    working: frozenset[date]  # weekend days that are working days


def _as_dates(values: Any, what: str) -> tuple[date, ...]:
    out = []
    for value in values:
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value).strip())
            except ValueError:
                raise ConfigError(
                    f"Lịch làm việc: “{value}” trong {what} không phải là ngày hợp lệ; "
                    "hãy ghi theo dạng năm-tháng-ngày, ví dụ 2025-02-08."
                ) from None
        out.append(value)
    return tuple(sorted(set(out)))


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and office hours in Vietnam, with a province's own extra days off / working days."""

    extra_days_off: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    office_end: time = time(17, 0)
    office_start: time = time(7, 30)
    calendar_file: Path | None = None  # a province's own days off / worked days with their documents
    _years: dict[int, _Year] = field(default_factory=dict, init=False, repr=False, compare=False)
    _decided: Mapping[date, Decision] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        off = _as_dates(self.extra_days_off, "extra_days_off")
        working = _as_dates(self.extra_working_days, "extra_working_days")
        both = sorted(set(off) & set(working))
        if both:
            listed = ", ".join(format_day(d) for d in both)
            raise ConfigError(
                f"Lịch làm việc: ngày {listed} vừa là ngày nghỉ (extra_days_off) vừa là ngày làm việc "
                "(extra_working_days); mỗi ngày chỉ được ở một danh sách."
            )
        if self.office_start >= self.office_end:
            raise ConfigError(
                f"Lịch làm việc: giờ bắt đầu {self.office_start:%H:%M} phải sớm hơn giờ kết thúc "
                f"{self.office_end:%H:%M}."
            )
        object.__setattr__(self, "extra_days_off", off)
        object.__setattr__(self, "extra_working_days", working)
        decided = province_decisions(Path(self.calendar_file)) if self.calendar_file else national_decisions()[0]
        object.__setattr__(self, "_decided", decided)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> WorkingCalendar:
        """The calendar configured in settings (extra days off / working days, office hours)."""
        if settings is None:
            from settings import get_settings

            settings = get_settings()
        return cls(
            extra_days_off=_as_dates(settings.extra_days_off, "thiết lập extra_days_off (TRIENKHAI_EXTRA_DAYS_OFF)"),
            extra_working_days=_as_dates(settings.extra_working_days,
                                         "thiết lập extra_working_days (TRIENKHAI_EXTRA_WORKING_DAYS)"),
            office_end=settings.office_hours_end,
            office_start=settings.office_hours_start,
            calendar_file=settings.calendar_file,
        )

    # -- per-year data -------------------------------------------------------------------------

    def _year(self, year: int) -> _Year:
        data = self._years.get(year)
        if data is None:
            names, swapped = _national(year)
            extra_off = {d for d in self.extra_days_off if d.year == year}
            extra_work = {d for d in self.extra_working_days if d.year == year}
            decided = [x for x in self._decided.values() if x.day.year == year]
            off = {d for d in names if d.weekday() < 5} - {x.day for x in decided if not x.off}
            off |= {x.day for x in decided if x.off and x.day.weekday() < 5}
            off |= {d for d in extra_off if d.weekday() < 5}
            working = set(swapped) - {x.day for x in decided if x.off}
            working |= {x.day for x in decided if not x.off and x.day.weekday() >= 5}
            working |= {d for d in extra_work if d.weekday() >= 5}
            data = _Year(
                off=frozenset(off - extra_work),
                working=frozenset(working - extra_off),
            )
            self._years[year] = data
        return data

    # -- single days ---------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True on Monday–Friday that is not a day off, and on a swapped working Saturday/Sunday."""
        data = self._years.get(d.year) or self._year(d.year)
        if d.weekday() >= 5:
            return d in data.working
        return d not in data.off

    def day_off_reason(self, d: date) -> str | None:
        """Why d is a day off (holiday name, local day off, or the weekend); None on a working day."""
        if self.is_working_day(d):
            return None
        if d in self.extra_days_off:
            return LOCAL_DAY_OFF
        decided = self._decided.get(d)
        name = decided.name if decided is not None and decided.off else _national(d.year)[0].get(d)
        if name:
            return name
        return weekday_name(d)[0].upper() + weekday_name(d)[1:]

    def working_reason(self, d: date) -> str | None:
        """Why a day works although it might not (a worked weekend day, a day decided to stay working); None
        otherwise."""
        if not self.is_working_day(d):
            return None
        if d in self.extra_working_days and d.weekday() >= 5:
            return LOCAL_WORKING_DAY
        decided = self._decided.get(d)
        if decided is not None and not decided.off:
            return decided.name
        return "Ngày làm việc bù" if d.weekday() >= 5 else None

    def decision(self, d: date) -> Decision | None:
        """The State's (or the province file's) decision that makes d a day off or a working day, if one is listed."""
        return self._decided.get(d)

    def source_of(self, d: date) -> str | None:
        """The document a day off or a worked day rests on, as people cite it; None for an ordinary weekday or
        weekend day."""
        if d in self.extra_days_off:
            return "thiết lập extra_days_off của địa phương"
        if d in self.extra_working_days:
            return "thiết lập extra_working_days của địa phương"
        decided = self._decided.get(d)
        if decided is not None:
            doubt = f" — chưa chắc chắn: {decided.note}" if decided.uncertain and decided.note else (
                " — chưa chắc chắn" if decided.uncertain else "")
            return f"{decided.source.cite()}{doubt}"
        if d in _national(d.year)[0] or d in _national(d.year)[1]:
            return PACKAGE_SOURCE
        return None

    def holidays_in(self, year: int) -> list[tuple[date, str]]:
        """Every holiday and local day off of a year, by date, with its Vietnamese name."""
        names = dict(_national(year)[0])
        for x in self._decided.values():
            if x.day.year == year:
                if x.off:
                    names[x.day] = x.name
                else:
                    names.pop(x.day, None)
        for d in self.extra_days_off:
            if d.year == year:
                names.setdefault(d, LOCAL_DAY_OFF)
        for d in self.extra_working_days:
            names.pop(d, None)
        return sorted(names.items())

    def swapped_working_days(self, year: int) -> list[date]:
        """Saturdays/Sundays of a year that are working days (swapped nationally or set locally)."""
        return sorted(self._year(year).working)

    # -- moving between days -------------------------------------------------------------------

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before d."""
        d -= _ONE_DAY
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def working_day_on_or_after(self, d: date) -> date:
        """d if it is a working day, else the next working day."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def working_day_on_or_before(self, d: date) -> date:
        """d if it is a working day, else the previous working day."""
        return d if self.is_working_day(d) else self.previous_working_day(d)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d (before d when n < 0); d is not counted; n = 0 returns d."""
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        is_working = self.is_working_day
        while remaining:
            d += step
            if is_working(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b] when a <= b, minus those in [b, a) when b < a.

        So that add_working_days(a, working_days_between(a, b)) == b for every working day b.
        """
        if a == b:
            return 0
        lo, hi, sign = (a + _ONE_DAY, b, 1) if a < b else (b, a - _ONE_DAY, -1)
        count = 0
        d = lo
        is_working = self.is_working_day
        while d <= hi:
            if is_working(d):
                count += 1
            d += _ONE_DAY
        return sign * count

    def first_working_day(self, start: date, end: date) -> date | None:
        """The first working day in [start, end], or None if there is none."""
        d = self.working_day_on_or_after(start)
        return d if d <= end else None

    def last_working_day(self, start: date, end: date) -> date | None:
        """The last working day in [start, end], or None if there is none."""
        d = self.working_day_on_or_before(end)
        return d if d >= start else None

    # -- office hours --------------------------------------------------------------------------

    def end_of_office_hours(self, d: date) -> datetime:
        """The aware local instant when offices close on day d."""
        return local_datetime(d, self.office_end)

    def start_of_office_hours(self, d: date) -> datetime:
        """The aware local instant when offices open on day d."""
        return local_datetime(d, self.office_start)
