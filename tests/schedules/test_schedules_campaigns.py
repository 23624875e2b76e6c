"""Bounded recurrences, deadlines counted from the event, calendar days and misprint warnings."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, occurrences, parse_deadline

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, h: int = 17, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("text", "issued", "first", "last", "count", "opens"),
    [
        ("hằng tháng, đến tháng 9/2023", date(2023, 4, 20), at(2023, 4, 28), at(2023, 9, 29), 6, None),
        ("hàng tháng đến hết tháng 9/2023", date(2023, 4, 20), at(2023, 4, 28), at(2023, 9, 29), 6, None),
        ("từ tháng 5 đến tháng 9/2023 hằng tháng", date(2023, 4, 20), at(2023, 5, 31), at(2023, 9, 29), 5,
         at(2023, 5, 4, 7, 30)),
        ("hằng tháng từ tháng 5 đến tháng 9/2023", date(2023, 4, 20), at(2023, 5, 31), at(2023, 9, 29), 5,
         at(2023, 5, 4, 7, 30)),
        ("trước ngày 25 hằng tháng, đến tháng 12/2024", date(2024, 6, 3), at(2024, 6, 24), at(2024, 12, 24), 7, None),
        ("hàng quý đến hết tháng 12/2025", date(2025, 2, 10), at(2025, 3, 31), at(2025, 12, 31), 4, None),
    ],
)
def test_a_recurrence_bounded_by_a_window_has_no_occurrence_after_it(
    text: str, issued: date, first: datetime, last: datetime, count: int, opens: datetime | None
) -> None:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert d.recurrence is not None and d.until is not None
    dues = occurrences(d.recurrence, max(issued, (d.opens or at(1, 1, 1)).date()), d.until, CAL)
    assert (d.due, dues[-1], len(dues), d.opens) == (first, last, count, opens)
    assert f"{count} lần" in d.meaning


@pytest.mark.parametrize(
    ("text", "event", "due", "says"),
    [
        # The 2021 general election was on Sunday 23/5/2021; 105 days before is Sunday 7/2/2021.
        ("Chậm nhất 105 ngày trước ngày bầu cử", at(2021, 5, 23, 7), at(2021, 2, 7), "Ngày 7/2/2021 là ngày nghỉ"),
        ("chậm nhất là 90 ngày trước ngày bầu cử", at(2026, 3, 15, 7), at(2025, 12, 15), "15/3/2026"),
        ("trước ngày bầu cử 20 ngày", at(2026, 3, 15, 7), at(2026, 2, 23), "20 ngày trước ngày bầu cử"),
        ("sau Đại hội 10 ngày", at(2025, 9, 20, 8), at(2025, 9, 30), "10 ngày sau ngày đại hội (20/9/2025)"),
        ("trong vòng 15 ngày sau khi kết thúc đại hội", at(2025, 9, 20, 8), at(2025, 10, 5), "ngày lịch"),
        ("5 ngày làm việc trước ngày khai mạc hội nghị", at(2024, 6, 27, 14), at(2024, 6, 20), "ngày làm việc"),
    ],
)
def test_deadlines_count_from_the_event(text: str, event: datetime, due: datetime, says: str) -> None:
    d = parse_deadline(text, event=event, calendar=CAL)
    assert (d.kind, d.due) == ("relative", due)
    assert says in d.meaning


def test_an_event_relative_deadline_without_an_event_says_which_key_to_write() -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline("90 ngày trước ngày bầu cử", calendar=CAL)
    assert "không có thời điểm của sự kiện" in str(caught.value) and "event.at" in str(caught.value)


def test_calendar_days_are_not_pulled_to_a_working_day_but_working_days_are() -> None:
    calendar_days = parse_deadline("trong 15 ngày", issued_on=date(2024, 6, 1), calendar=CAL)
    assert calendar_days.due == at(2024, 6, 16)  # a Sunday
    assert "văn bản ghi “15 ngày” chứ không phải “15 ngày làm việc”" in calendar_days.meaning
    working = parse_deadline("trong 15 ngày làm việc", issued_on=date(2024, 6, 1), calendar=CAL)
    assert working.due == at(2024, 6, 21)


@pytest.mark.parametrize(
    ("text", "issued", "says"),
    [
        ("trước ngày 30/6/2022", date(2022, 11, 1),
         "“trước ngày 30/6/2022” (hiểu là 17 giờ 00, thứ Tư, ngày 29/6/2022): hạn ngày 29/6/2022 trước ngày "
         "ban hành 1/11/2022; có thể in nhầm ngày, tháng hoặc năm"),
        ("Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2012", date(2021, 10, 25), "trước ngày ban hành 25/10/2021"),
        ("trong tháng 6/2032", date(2022, 3, 1), "năm 2032 cách năm ban hành 2022 hơn 5 năm; có thể in nhầm năm"),
        ("8h00, thứ ba, ngày 12/8/2024", date(2024, 7, 30), "văn bản ghi thứ Ba nhưng ngày 12/8/2024 là thứ Hai"),
    ],
)
def test_misprints_are_read_and_warned_about(text: str, issued: date, says: str) -> None:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert d.due is not None
    assert len(d.warnings) == 1 and says in d.warnings[0]


def test_a_plausible_deadline_has_no_warning() -> None:
    assert parse_deadline("trước ngày 30/6/2017", issued_on=date(2017, 3, 22), calendar=CAL).warnings == ()


def test_a_day_that_does_not_exist_is_still_refused() -> None:
    with pytest.raises(DeadlineError, match=r"ngày 31/4/2024 không có \(tháng 4/2024 có 30 ngày\)"):
        parse_deadline("chậm nhất ngày 31/4/2024", calendar=CAL)
