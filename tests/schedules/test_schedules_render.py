"""Dates and instants as Vietnamese documents write them; UTC in storage, local time on screen."""

from __future__ import annotations

from datetime import UTC, date, datetime

from schedules import (
    LOCAL_TZ,
    format_day,
    format_day_long,
    format_instant,
    format_short,
    to_local,
    to_utc,
    weekday_name,
)

AT_16H = datetime(2024, 6, 19, 16, 0, tzinfo=LOCAL_TZ)


def test_instant_forms() -> None:
    assert format_instant(AT_16H) == "16 giờ 00, thứ Tư, ngày 19/6/2024"
    assert format_short(AT_16H) == "16h00 ngày 19/6/2024"
    assert format_instant(datetime(2021, 5, 31, 13, 30, tzinfo=LOCAL_TZ)) == "13 giờ 30, thứ Hai, ngày 31/5/2021"


def test_day_forms() -> None:
    assert format_day(date(2024, 6, 19)) == "19/6/2024"
    assert format_day_long(date(2017, 6, 30)) == "ngày 30 tháng 6 năm 2017"


def test_weekday_names() -> None:
    week = [weekday_name(date(2024, 6, 17 + i)) for i in range(7)]
    assert week == ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def test_an_instant_stored_in_utc_is_shown_in_vietnam_time() -> None:
    stored = to_utc(AT_16H)
    assert stored == datetime(2024, 6, 19, 9, 0, tzinfo=UTC)
    assert stored.utcoffset().total_seconds() == 0
    assert to_local(stored).isoformat() == "2024-06-19T16:00:00+07:00"
    # the day changes across midnight: 20:00 UTC is 03:00 the next morning in Vietnam
    assert format_instant(datetime(2024, 6, 18, 20, 0, tzinfo=UTC)) == "3 giờ 00, thứ Tư, ngày 19/6/2024"


def test_naive_datetimes_are_taken_as_utc_as_storage_returns_them() -> None:
    naive = datetime(2024, 6, 19, 9, 0)
    assert to_utc(naive) == datetime(2024, 6, 19, 9, 0, tzinfo=UTC)
    assert format_short(naive) == "16h00 ngày 19/6/2024"
