"""Deadline expressions: every supported form, its documented instant, and the errors a clerk sees."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, time

import pytest

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, occurrences, parse_deadline

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


# (text, kind, due, opens) — no anchor needed
FORMS = [
    ("16h00 ngày 19/6/2024", "instant", at(2024, 6, 19, 16), None),
    ("16 giờ 00 ngày 19/6/2024", "instant", at(2024, 6, 19, 16), None),
    ("13 giờ 30 phút, ngày 31/5/2021", "instant", at(2021, 5, 31, 13, 30), None),
    ("14h00, ngày 27/6/2024", "instant", at(2024, 6, 27, 14), None),
    ("ngày 19/6/2024 lúc 8h30", "instant", at(2024, 6, 19, 8, 30), None),
    ("2024-06-19T16:00", "instant", at(2024, 6, 19, 16), None),
    ("2024-06-19T09:00Z", "instant", at(2024, 6, 19, 16), None),
    ("16h00 ngày 23/6/2024", "instant", at(2024, 6, 23, 16), None),  # a written hour stays, even on Sunday
    ("ngày 22 tháng 3 năm 2017", "day", at(2017, 3, 22), None),
    ("22/3/2017", "day", at(2017, 3, 22), None),
    ("2017-03-22", "day", at(2017, 3, 22), None),
    ("chậm nhất ngày 12/6/2024", "day", at(2024, 6, 12), None),
    ("hạn chót 20/6/2024", "day", at(2024, 6, 20), None),
    ("Hạn chót: 22/6/2024", "day", at(2024, 6, 21), None),  # Saturday → Friday
    ("chậm nhất ngày 1/5/2024", "day", at(2024, 4, 26), None),  # 29/4–1/5/2024 off
    ("trước ngày 30/6/2017", "before_day", at(2017, 6, 29), None),
    ("trước ngày 15/2/2024", "before_day", at(2024, 2, 7), None),  # the day before is in Tết
    ("trước ngày 2/1/2018", "before_day", at(2017, 12, 29), None),
    ("trong tháng 6/2017", "month", at(2017, 6, 30), at(2017, 6, 1, 7, 30)),
    ("tháng 11/2020", "month", at(2020, 11, 30), at(2020, 11, 2, 7, 30)),
    ("trong tháng 2/2026", "month", at(2026, 2, 27), at(2026, 2, 2, 7, 30)),
    ("từ tháng 7/2017", "from_month", None, at(2017, 7, 3, 7, 30)),
    ("từ tháng 4/2017", "from_month", None, at(2017, 4, 3, 7, 30)),
    ("quý III/2024", "quarter", at(2024, 9, 30), at(2024, 7, 1, 7, 30)),
    ("quý I/2025", "quarter", at(2025, 3, 31), at(2025, 1, 2, 7, 30)),
    ("quý 2 năm 2024", "quarter", at(2024, 6, 28), at(2024, 4, 1, 7, 30)),
    ("6 tháng đầu năm 2024", "half_year", at(2024, 6, 28), at(2024, 1, 2, 7, 30)),
    ("6 tháng cuối năm 2024", "half_year", at(2024, 12, 31), at(2024, 7, 1, 7, 30)),
]


@pytest.mark.parametrize(("text", "kind", "due", "opens"), FORMS)
def test_each_form_means_its_documented_instant(text: str, kind: str, due, opens) -> None:
    d = parse_deadline(text, calendar=CAL)
    assert (d.kind, d.due, d.opens) == (kind, due, opens)
    assert d.source == text.strip()
    assert d.meaning and unicodedata.is_normalized("NFC", d.meaning)


@pytest.mark.parametrize(
    "text",
    ["  TRƯỚC   NGÀY 30/6/2017 ", unicodedata.normalize("NFD", "trước ngày 30/6/2017"), "Trước ngày 30.6.2017"],
)
def test_case_whitespace_and_unicode_form_do_not_matter(text: str) -> None:
    assert parse_deadline(text).due == at(2017, 6, 29)


def test_before_a_day_means_that_day_is_already_late() -> None:
    d = parse_deadline("trước ngày 30/6/2017")
    assert d.due < at(2017, 6, 30, 0, 0)
    assert "ngày 30/6/2017 đã là trễ hạn" in d.meaning
    assert "thứ Năm, ngày 29/6/2017" in d.meaning


def test_no_later_than_a_day_off_moves_back_and_says_so() -> None:
    d = parse_deadline("chậm nhất ngày 22/6/2024")
    assert d.due == at(2024, 6, 21)
    assert "ngày 22/6/2024 là ngày nghỉ" in d.meaning
    assert "thứ Sáu, ngày 21/6/2024" in d.meaning


def test_due_uses_the_configured_end_of_office_hours() -> None:
    cal = WorkingCalendar(office_end=time(16, 30))
    assert parse_deadline("chậm nhất ngày 12/6/2024", calendar=cal).due == at(2024, 6, 12, 16, 30)


# -- the seed plans --------------------------------------------------------------------------------

ISSUED_47 = date(2017, 3, 22)


def test_plan_47_kh_tu_report_before_30_6_2017() -> None:
    d = parse_deadline("trước ngày 30/6/2017", issued_on=ISSUED_47)
    assert d.due == at(2017, 6, 29)
    assert d.due.astimezone(UTC) == datetime(2017, 6, 29, 10, 0, tzinfo=UTC)


def test_plan_47_kh_tu_yearly_report_before_31_12() -> None:
    d = parse_deadline("hàng năm, trước ngày 31/12", issued_on=ISSUED_47)
    assert d.kind == "yearly"
    assert d.due == at(2017, 12, 29)  # 31/12/2017 is a Sunday, 30/12 a Saturday
    assert "Lần đầu" in d.meaning
    dues = occurrences(d.recurrence, ISSUED_47, date(2020, 12, 31), CAL)
    # 2018: 31/12 is itself a (swapped) day off, so the last working day before it is Friday 28/12
    assert dues == [at(2017, 12, 29), at(2018, 12, 28), at(2019, 12, 30), at(2020, 12, 30)]
    assert parse_deadline("trước ngày 31/12 hàng năm").recurrence == d.recurrence


def test_plan_47_kh_tu_phases() -> None:
    review = parse_deadline("trong tháng 6/2017", issued_on=ISSUED_47)
    rollout = parse_deadline("từ tháng 7/2017", issued_on=ISSUED_47)
    assert review.due == at(2017, 6, 30)
    assert rollout.opens == at(2017, 7, 3, 7, 30) and rollout.due is None
    assert review.due < rollout.opens


def test_seed_conference_of_31_5_2021() -> None:
    assert parse_deadline("13 giờ 30 phút, ngày 31/5/2021").due == at(2021, 5, 31, 13, 30)


def test_dialogue_conference_chain_2024_is_in_order() -> None:
    chain = [
        ("chậm nhất ngày 12/6/2024", at(2024, 6, 12)),
        ("chậm nhất ngày 18/6/2024", at(2024, 6, 18)),
        ("16h00 ngày 19/6/2024", at(2024, 6, 19, 16)),
        ("chậm nhất ngày 20/6/2024", at(2024, 6, 20)),
        ("ngày 21/6/2024", at(2024, 6, 21)),
        ("14 giờ 00, ngày 27/6/2024", at(2024, 6, 27, 14)),
    ]
    dues = [parse_deadline(text).due for text, _ in chain]
    assert dues == [expected for _, expected in chain]
    assert dues == sorted(dues)
    assert parse_deadline("14 giờ 00, ngày 27/6/2024").meaning == "Hạn là 14 giờ 00, thứ Năm, ngày 27/6/2024."


# -- recurring forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "first_due"),
    [
        ("hàng tháng", "monthly", at(2024, 6, 28)),
        ("hằng tháng", "monthly", at(2024, 6, 28)),
        ("hàng quý", "quarterly", at(2024, 6, 28)),
        ("6 tháng một lần", "half_yearly", at(2024, 6, 28)),
        ("hàng năm", "yearly", at(2024, 12, 31)),
        ("trước ngày 25 hàng tháng", "monthly", at(2024, 6, 24)),
        ("hàng năm, chậm nhất ngày 15/12", "yearly", at(2024, 12, 13)),  # 15/12/2024 is a Sunday
    ],
)
def test_recurring_forms_give_a_rule_and_the_first_due_after_issue(text: str, kind: str, first_due) -> None:
    d = parse_deadline(text, issued_on=date(2024, 6, 19))
    assert (d.kind, d.due) == (kind, first_due)
    assert d.recurrence and d.recurrence.startswith("FREQ=")
    assert parse_deadline(text).due is None  # without an issue day there is no first due


# -- relative forms --------------------------------------------------------------------------------


def test_working_days_before_the_upper_deadline() -> None:
    d = parse_deadline("5 ngày làm việc trước hạn của cấp trên", upper_deadline=at(2024, 6, 21))
    assert (d.kind, d.due) == ("relative", at(2024, 6, 14))
    across_tet = parse_deadline("2 ngày làm việc trước hạn của cấp trên", upper_deadline=at(2026, 2, 24, 9))
    assert across_tet.due == at(2026, 2, 13)


def test_calendar_days_after_issue_stay_on_their_day_even_off() -> None:
    # "ngày", not "ngày làm việc": counted on the calendar and not pulled to a working day.
    d = parse_deadline("sau 10 ngày kể từ ngày ban hành", issued_on=ISSUED_47)
    assert d.due == at(2017, 4, 1)  # a Saturday
    assert "không tính ngày ban hành" in d.meaning
    assert "tính theo ngày lịch" in d.meaning and "nên hạn không lùi về ngày làm việc" in d.meaning


def test_working_days_after_issue_skip_holidays() -> None:
    assert parse_deadline("trong 10 ngày làm việc kể từ ngày ban hành", issued_on=ISSUED_47).due == at(2017, 4, 5)
    d = parse_deadline("trong 5 ngày làm việc kể từ ngày ban hành", issued_on=date(2026, 2, 12))
    assert d.due == at(2026, 2, 26)


# -- inferring the year ----------------------------------------------------------------------------


def test_a_day_without_year_takes_the_next_one_after_issue_and_says_so() -> None:
    d = parse_deadline("trước ngày 30/6", issued_on=ISSUED_47)
    assert d.due == at(2017, 6, 29)
    assert "lấy năm 2017" in d.meaning
    assert parse_deadline("ngày 10/1", issued_on=ISSUED_47).due == at(2018, 1, 10)
    assert parse_deadline("trong tháng 2", issued_on=ISSUED_47).due == at(2018, 2, 28)
    assert parse_deadline("quý I", issued_on=ISSUED_47).due == at(2017, 3, 31)


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "says"),
    [
        ("xin chào", {}, "không phải là một cách ghi hạn"),
        ("31/2/2024", {}, "tháng 2/2024 có 29 ngày"),
        ("2024-02-30T10:00", {}, "ngày 30/2/2024 không có"),
        ("29/2/2023", {}, "tháng 2/2023 có 28 ngày"),
        ("25h00 ngày 1/1/2024", {}, "25 giờ không có"),
        ("16h75 ngày 1/1/2024", {}, "75 phút không có"),
        ("trong tháng 13/2024", {}, "tháng 13 không có"),
        ("trước ngày 30/6", {}, "không ghi năm"),
        ("5 ngày làm việc trước hạn của cấp trên", {}, "không có hạn của cấp trên"),
        ("sau 10 ngày kể từ ngày ban hành", {}, "không có ngày ban hành"),
        ("hàng năm, trước ngày 31/12/2017", {}, "sau “hàng năm” không đọc được"),
    ],
)
def test_unreadable_deadlines_say_what_was_read_what_is_wrong_and_what_is_valid(text, kwargs, says) -> None:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, **kwargs)
    message = str(caught.value)
    assert f"“{text}”" in message
    assert says in message
    assert "Các dạng hợp lệ" in message and "16h00 ngày 19/6/2024" in message
    assert len(caught.value.problems) == 1


def test_a_quarter_without_year_still_running_on_the_issue_day_is_this_year() -> None:
    assert parse_deadline("quý I", issued_on=date(2017, 3, 30)).due == at(2017, 3, 31)
    assert parse_deadline("6 tháng cuối năm", issued_on=date(2024, 12, 30)).due == at(2024, 12, 31)
