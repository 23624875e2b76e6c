"""Recurring obligations: RFC 5545 rules, each occurrence moved to a working day."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from errors import DeadlineError
from schedules import (
    LOCAL_TZ,
    WorkingCalendar,
    half_yearly_rule,
    monthly_rule,
    occurrences,
    quarterly_rule,
    rule_for,
    yearly_rule,
)

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def test_half_yearly_reports_fall_on_the_last_working_day() -> None:
    dues = occurrences(half_yearly_rule(), date(2024, 1, 1), date(2025, 12, 31), CAL)
    assert dues == [at(2024, 6, 28), at(2024, 12, 31), at(2025, 6, 30), at(2025, 12, 31)]


def test_monthly_around_tet_2025_rolls_back_out_of_the_holiday() -> None:
    dues = occurrences(monthly_rule(), date(2025, 1, 1), date(2025, 3, 31), CAL)
    assert dues == [at(2025, 1, 24), at(2025, 2, 28), at(2025, 3, 31)]


def test_quarterly_in_2026() -> None:
    dues = occurrences(quarterly_rule(), date(2026, 1, 1), date(2026, 12, 31), CAL)
    assert dues == [at(2026, 3, 31), at(2026, 6, 30), at(2026, 9, 30), at(2026, 12, 31)]


def test_roll_next_or_previous_around_new_year() -> None:
    rule = yearly_rule(1, 1)
    assert occurrences(rule, date(2024, 1, 1), date(2026, 1, 1), CAL, roll="next") == [
        at(2024, 1, 2),
        at(2025, 1, 2),
        at(2026, 1, 5),  # Friday 2/1/2026 was a day off (Văn bản 12729/VPCP-KGVX, swapped with Saturday 10/1)
    ]
    assert occurrences(rule, date(2024, 1, 1), date(2024, 12, 31), CAL, roll="previous") == [at(2023, 12, 29)]


def test_day_31_of_every_month_means_the_last_day_of_shorter_months() -> None:
    dues = occurrences(monthly_rule(31), date(2024, 1, 1), date(2024, 12, 31), CAL)
    assert len(dues) == 12
    assert dues[1] == at(2024, 2, 29)
    assert dues[3] == at(2024, 4, 26)  # 30/4 and the swapped 29/4 are off


def test_before_a_day_rules_land_strictly_before_that_day() -> None:
    dues = occurrences(yearly_rule(31, 12, before=True), date(2017, 1, 1), date(2019, 12, 31), CAL)
    assert dues == [at(2017, 12, 29), at(2018, 12, 28), at(2019, 12, 30)]
    assert occurrences(monthly_rule(1, before=True), date(2024, 6, 1), date(2024, 7, 31), CAL) == [
        at(2024, 6, 28),
        at(2024, 7, 31),
    ]
    assert yearly_rule(1, 3, before=True) == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("hàng tháng", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("hàng quý", "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"),
        ("6 tháng", "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=-1"),
        ("hàng năm trước ngày 31/12", "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30"),
    ],
)
def test_rule_strings_from_the_vietnamese_forms(text: str, rule: str) -> None:
    assert rule_for(text) == rule


def test_a_one_off_deadline_has_no_rule() -> None:
    with pytest.raises(DeadlineError, match="không lặp lại"):
        rule_for("16h00 ngày 19/6/2024")


def test_a_broken_rule_is_reported_in_vietnamese() -> None:
    with pytest.raises(DeadlineError, match="không đúng chuẩn RFC 5545"):
        occurrences("FREQ=SOMETIMES", date(2024, 1, 1), date(2024, 12, 31), CAL)


def test_an_empty_range_has_no_occurrences() -> None:
    assert occurrences(monthly_rule(), date(2024, 6, 1), date(2024, 5, 1), CAL) == []
