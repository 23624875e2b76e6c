"""The working calendar: Tết, observed and swapped days, year ends, 24/11, counting in working days."""

from __future__ import annotations

import time as _time
import unicodedata
from datetime import date, time

import pytest
from hypothesis import given, settings, strategies as st

from errors import ConfigError
from schedules import WorkingCalendar
from settings import Settings

CAL = WorkingCalendar()

# (day, is a working day) — Tết weeks as the government announced them for offices.
TET_WEEKS = [
    # 2017: off Thu 26/1 – Wed 1/2
    (date(2017, 1, 25), True),
    (date(2017, 1, 26), False),
    (date(2017, 1, 27), False),
    (date(2017, 1, 30), False),
    (date(2017, 2, 1), False),
    (date(2017, 2, 2), True),
    # 2024: off Thu 8/2 – Wed 14/2
    (date(2024, 2, 7), True),
    (date(2024, 2, 8), False),
    (date(2024, 2, 12), False),
    (date(2024, 2, 14), False),
    (date(2024, 2, 15), True),
    # 2025: off Mon 27/1 – Fri 31/1
    (date(2025, 1, 24), True),
    (date(2025, 1, 27), False),
    (date(2025, 1, 29), False),
    (date(2025, 1, 31), False),
    (date(2025, 2, 3), True),
    # 2026: off Mon 16/2 – Fri 20/2
    (date(2026, 2, 13), True),
    (date(2026, 2, 16), False),
    (date(2026, 2, 17), False),
    (date(2026, 2, 20), False),
    (date(2026, 2, 23), True),
]

OTHER_DAYS = [
    # holiday on a weekend: the next working day is off instead
    (date(2017, 1, 2), False),  # 1/1/2017 was a Sunday
    (date(2022, 5, 2), False),  # 30/4 Saturday and 1/5 Sunday 2022 → Mon and Tue off
    (date(2022, 5, 3), False),
    (date(2026, 4, 27), False),  # Giỗ Tổ on Sunday 26/4/2026
    (date(2023, 9, 4), False),  # Quốc khánh on Saturday 2/9/2023
    # swapped days: a Monday/Friday off, a Saturday worked instead
    (date(2024, 4, 29), False),
    (date(2024, 5, 4), True),
    (date(2025, 5, 2), False),
    (date(2025, 4, 26), True),
    (date(2026, 8, 31), False),
    (date(2026, 8, 22), True),
    (date(2018, 12, 31), False),
    (date(2019, 1, 5), True),  # swapped across the year end
    # year ends
    (date(2017, 12, 29), True),
    (date(2017, 12, 30), False),
    (date(2018, 1, 1), False),
    (date(2025, 12, 31), True),
    (date(2026, 1, 1), False),
    # Ngày Văn hóa Việt Nam 24/11 from 2026 only
    (date(2025, 11, 24), True),
    (date(2026, 11, 24), False),
    (date(2027, 11, 24), False),
    # ordinary days
    (date(2024, 6, 19), True),
    (date(2024, 6, 22), False),
    (date(2024, 6, 23), False),
]


@pytest.mark.parametrize(("day", "working"), TET_WEEKS + OTHER_DAYS)
def test_working_days_follow_the_official_calendar(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 13), 5, date(2026, 2, 27)),  # across Tết 2026
        (date(2024, 2, 7), 1, date(2024, 2, 15)),  # across Tết 2024
        (date(2024, 2, 15), -1, date(2024, 2, 7)),
        (date(2017, 1, 25), 1, date(2017, 2, 2)),
        (date(2025, 1, 24), 1, date(2025, 2, 3)),
        (date(2017, 12, 29), 1, date(2018, 1, 2)),  # year end with 1/1 off
        (date(2026, 1, 2), -1, date(2025, 12, 31)),
        (date(2024, 5, 3), 1, date(2024, 5, 4)),  # the swapped working Saturday counts
        (date(2024, 6, 22), 1, date(2024, 6, 24)),  # a Saturday start: Monday is +1 …
        (date(2024, 6, 22), -1, date(2024, 6, 21)),  # … and Friday is -1
        (date(2024, 6, 22), 0, date(2024, 6, 22)),  # 0 leaves the day as it is
        (date(2024, 6, 19), 0, date(2024, 6, 19)),
    ],
)
def test_add_working_days(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == expected


def test_next_and_previous_working_day_skip_tet() -> None:
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert CAL.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
    assert CAL.next_working_day(date(2024, 6, 19)) == date(2024, 6, 20)
    assert CAL.working_day_on_or_after(date(2024, 6, 22)) == date(2024, 6, 24)
    assert CAL.working_day_on_or_before(date(2024, 6, 22)) == date(2024, 6, 21)


def test_working_days_between_counts_february_2026() -> None:
    assert CAL.working_days_between(date(2026, 1, 31), date(2026, 2, 28)) == 15
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert CAL.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_holidays_in_2026_lists_tet_and_cultural_day_in_vietnamese() -> None:
    listed = dict(CAL.holidays_in(2026))
    assert listed[date(2026, 11, 24)] == "Ngày Văn hóa Việt Nam"
    assert listed[date(2026, 2, 17)] == "Tết Nguyên đán (mùng 1 tháng Giêng)"
    assert listed[date(2026, 9, 2)] == "Quốc khánh"
    assert all(unicodedata.is_normalized("NFC", name) for name in listed.values())
    assert [d for d, _ in CAL.holidays_in(2026)] == sorted(listed)
    assert date(2025, 11, 24) not in dict(CAL.holidays_in(2025))


def test_swapped_working_days_are_listed() -> None:
    assert CAL.swapped_working_days(2024) == [date(2024, 5, 4)]
    assert CAL.working_reason(date(2024, 5, 4)) == "Làm bù cho ngày nghỉ thứ Hai 29/4/2024"
    assert CAL.day_off_reason(date(2024, 4, 29)) == "Nghỉ hoán đổi dịp 30/4 và 1/5 (làm bù thứ Bảy 4/5/2024)"


def test_local_days_from_settings_override_the_national_calendar() -> None:
    # A province works Saturday 15/2/2025 of its own (8/2/2025, the national make-up day, is in the data file).
    s = Settings(
        extra_working_days=["2025-02-15"],
        extra_days_off=["2024-06-20"],
        office_hours_end=time(16, 30),
    )
    cal = WorkingCalendar.from_settings(s)
    assert cal.is_working_day(date(2025, 2, 15))
    assert not CAL.is_working_day(date(2025, 2, 15))
    assert not cal.is_working_day(date(2024, 6, 20))
    assert cal.day_off_reason(date(2024, 6, 20)) == "Ngày nghỉ theo lịch của địa phương"
    assert cal.add_working_days(date(2024, 6, 19), 1) == date(2024, 6, 21)
    assert cal.end_of_office_hours(date(2024, 6, 21)).time() == time(16, 30)


def test_conflicting_or_unreadable_local_days_are_refused() -> None:
    with pytest.raises(ConfigError, match="vừa là ngày nghỉ"):
        WorkingCalendar(extra_days_off=("2025-02-08",), extra_working_days=("2025-02-08",))
    with pytest.raises(ConfigError, match="“8/2/2025”"):
        WorkingCalendar(extra_days_off=("8/2/2025",))


def test_office_hours_are_aware_local_instants() -> None:
    end = CAL.end_of_office_hours(date(2024, 6, 19))
    start = CAL.start_of_office_hours(date(2024, 6, 19))
    assert end.isoformat() == "2024-06-19T17:00:00+07:00"
    assert start.isoformat() == "2024-06-19T07:30:00+07:00"


def test_small_steps_are_fast_enough_for_a_million_obligations() -> None:
    CAL.add_working_days(date(2024, 6, 19), -3)  # warm the year cache
    began = _time.perf_counter()
    for _ in range(20_000):
        CAL.add_working_days(date(2024, 6, 19), -3)
    per_call = (_time.perf_counter() - began) / 20_000
    assert per_call < 50e-6


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=60))
def test_add_then_subtract_returns_to_a_working_day_at_or_before_start(start: date, n: int) -> None:
    back = CAL.add_working_days(CAL.add_working_days(start, n), -n)
    assert CAL.is_working_day(back)
    assert back <= start
    if CAL.is_working_day(start):
        assert back == start


@settings(max_examples=300, deadline=None)
@given(a=days, b=days)
def test_counting_between_two_days_and_adding_it_back_agree(a: date, b: date) -> None:
    target = CAL.working_day_on_or_after(b)
    assert CAL.add_working_days(a, CAL.working_days_between(a, target)) == target
