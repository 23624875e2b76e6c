"""Cascading a deadline down the levels: working-day leads, the minimum time after issue, never silent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings, strategies as st

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, cascade, parse_deadline

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def test_plan_47_report_cascades_three_then_two_working_days() -> None:
    top = parse_deadline("trước ngày 30/6/2017").due
    levels = cascade(top, [3, 2], issued_at=at(2017, 3, 22, 9), calendar=CAL)
    assert [lv.level for lv in levels] == [0, 1, 2]
    assert [lv.due for lv in levels] == [at(2017, 6, 29), at(2017, 6, 26), at(2017, 6, 22)]
    assert all(lv.warnings == [] for lv in levels)


def test_leads_skip_tet() -> None:
    levels = cascade(at(2026, 2, 24), [2], issued_at=at(2026, 1, 5, 8), calendar=CAL)
    assert levels[1].due == at(2026, 2, 13)


def test_a_child_of_a_parent_due_at_16h_is_not_due_later_the_same_day() -> None:
    levels = cascade(at(2024, 6, 19, 16), [0, 1], issued_at=at(2024, 6, 1, 8), calendar=CAL)
    assert levels[1].due == at(2024, 6, 19, 16)
    assert levels[2].due == at(2024, 6, 18)


def test_too_early_level_is_clamped_with_a_warning() -> None:
    levels = cascade(at(2024, 6, 21), [1, 1, 3], issued_at=at(2024, 6, 14, 9), calendar=CAL)
    assert [lv.due for lv in levels] == [at(2024, 6, 21), at(2024, 6, 20), at(2024, 6, 19), at(2024, 6, 17)]
    assert levels[3].clamped and not levels[2].clamped
    (warning,) = levels[3].warnings
    assert warning.startswith("Cấp 3: hạn tính được là 17 giờ 00, thứ Sáu, ngày 14/6/2024")
    assert "đã dời hạn đến 17 giờ 00, thứ Hai, ngày 17/6/2024" in warning


def test_clamping_never_puts_a_child_after_its_parent() -> None:
    levels = cascade(at(2024, 6, 17, 12), [1], issued_at=at(2024, 6, 14, 9), calendar=CAL)
    assert levels[0].warnings and "Cấp 0" in levels[0].warnings[0]
    assert levels[1].due == at(2024, 6, 17, 12)
    assert levels[1].warnings


def test_error_policy_lists_every_level_at_fault() -> None:
    with pytest.raises(DeadlineError) as caught:
        cascade(at(2024, 6, 21), [5, 1], issued_at=at(2024, 6, 14, 9), calendar=CAL, policy="error")
    assert [p.field for p in caught.value.problems] == ["cấp 1", "cấp 2"]
    assert str(caught.value).startswith("Không thể chia hạn cho các cấp (2 lỗi):")


def test_negative_lead_is_refused() -> None:
    with pytest.raises(DeadlineError, match="cấp 2 là -1"):
        cascade(at(2024, 6, 21), [1, -1], issued_at=at(2024, 6, 1, 9), calendar=CAL)


@settings(max_examples=300, deadline=None)
@given(
    top_day=st.dates(min_value=date(2016, 1, 1), max_value=date(2029, 12, 31)),
    top_minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    leads=st.lists(st.integers(min_value=0, max_value=15), max_size=6),
    issued_before=st.integers(min_value=-5, max_value=90),
)
def test_a_child_is_never_due_after_its_parent(top_day, top_minute, leads, issued_before) -> None:
    top = datetime.combine(top_day, datetime.min.time(), tzinfo=LOCAL_TZ) + timedelta(minutes=top_minute)
    issued = top - timedelta(days=issued_before)
    levels = cascade(top, leads, issued_at=issued, calendar=CAL, policy="clamp")
    assert len(levels) == len(leads) + 1
    for parent, child in pairwise(levels):
        assert child.due <= parent.due
        assert child.due.tzinfo is not None
    earliest = CAL.end_of_office_hours(CAL.add_working_days(issued.date(), 1))
    for level in levels[1:]:
        assert level.due >= min(earliest, levels[0].due) or level.warnings
