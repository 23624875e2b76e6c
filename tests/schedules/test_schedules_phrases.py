"""Deadline and phase phrases as real plans print them: lead-in words, weekdays, "16g00", "tháng 5-2021",
month ranges, "cuối tháng"; each read to the instant a careful clerk would write, or refused with a reason."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, parse_deadline
from schedules.phrases import normalize

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def opening(y: int, m: int, d: int) -> datetime:
    return at(y, m, d, 7, 30)


def read(text: str, issued: date | None = None) -> tuple[str, datetime | None, datetime | None]:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert d.source == unicodedata.normalize("NFC", text).strip()
    assert d.meaning and unicodedata.is_normalized("NFC", d.meaning)
    return d.kind, d.due, d.opens


def refusal(text: str, issued: date | None = None) -> str:
    with pytest.raises(DeadlineError) as caught:
        parse_deadline(text, issued_on=issued, calendar=CAL)
    assert len(caught.value.problems) == 1
    message = str(caught.value)
    assert f"Không đọc được hạn “{unicodedata.normalize('NFC', text).strip()}”" in message
    assert "Các dạng hợp lệ" in message and "16h00 ngày 19/6/2024" in message
    assert unicodedata.is_normalized("NFC", message)
    return message


# -- one test per kind of wording ------------------------------------------------------------------


def test_lead_in_words_before_a_day_are_peeled_and_mean_no_later_than() -> None:
    text = "Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021"
    assert read(text, date(2021, 10, 25)) == ("day", at(2021, 11, 15), None)
    assert parse_deadline(text).meaning == (
        "Chậm nhất ngày 15/11/2021: hạn là hết giờ làm việc, 17 giờ 00, thứ Hai, ngày 15/11/2021."
    )
    assert read("đến hết ngày 30/11/2022") == ("day", at(2022, 11, 30), None)
    assert read("chậm nhất đến ngày 15/10/2023") == ("day", at(2023, 10, 13), None)  # Sunday → Friday


def test_done_before_a_day_keeps_the_meaning_of_before() -> None:
    assert read("hoàn thành trước ngày 20-10-2023", date(2023, 9, 28)) == ("before_day", at(2023, 10, 19), None)
    assert read("Thời gian hoàn thành: trước ngày 30/9/2023") == ("before_day", at(2023, 9, 29), None)


def test_from_now_until_a_day_takes_the_year_of_issue_or_the_next_one() -> None:
    # 25/2/2024 is a Sunday: the office that receives the report is closed, so Friday 23/2.
    d = parse_deadline("từ nay đến 25/2", issued_on=date(2024, 1, 15))
    assert (d.kind, d.due) == ("day", at(2024, 2, 23))
    assert "lấy năm 2024" in d.meaning and "ngày 25/2/2024 là ngày nghỉ" in d.meaning
    # Issued after 25/2: the next 25/2.
    later = parse_deadline("từ nay đến 25/2", issued_on=date(2024, 3, 1))
    assert later.due == at(2025, 2, 25) and "lấy năm 2025" in later.meaning
    assert read("từ nay đến ngày 25/2", date(2024, 2, 25)) == ("day", at(2024, 2, 23), None)


def test_deadline_words_and_an_hour_give_that_instant() -> None:
    assert read("hạn chót nộp 10h00 ngày 5/8/2024", date(2024, 7, 22)) == ("instant", at(2024, 8, 5, 10), None)
    assert read("Chậm nhất vào lúc 17 giờ 00, thứ Sáu, ngày 15/3/2024") == ("instant", at(2024, 3, 15), None)
    assert read("Dự kiến lúc 13 giờ 30 phút, ngày 31/5/2021") == ("instant", at(2021, 5, 31, 13, 30), None)
    assert read("vào hồi 14h00 ngày 27/6/2024") == ("instant", at(2024, 6, 27, 14), None)


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("8h00, thứ hai, ngày 12/8/2024", at(2024, 8, 12, 8)),
        ("8h00, thứ 2, ngày 12/8/2024", at(2024, 8, 12, 8)),
        ("8h00 Thứ Hai 12/8/2024", at(2024, 8, 12, 8)),
        ("thứ Hai, ngày 12/8/2024, lúc 8h00", at(2024, 8, 12, 8)),
        ("ngày 12/8/2024 (thứ Hai) lúc 8 giờ", at(2024, 8, 12, 8)),
        ("Thời gian: 07h30, Chủ nhật, ngày 26/3/2023", at(2023, 3, 26, 7, 30)),  # an hour on a Sunday stays
        ("trước 17h00 ngày 20/10/2023 (thứ Sáu)", at(2023, 10, 20)),
    ],
)
def test_a_weekday_that_agrees_with_its_day_is_accepted(text: str, due: datetime) -> None:
    assert read(text) == ("instant", due, None)


def test_a_weekday_on_a_day_without_hour_is_checked_too() -> None:
    assert read("hạn chót: thứ Sáu, 16/8/2024") == ("day", at(2024, 8, 16), None)
    # Without a year the weekday is checked against the year inferred from the issue day.
    assert read("thứ Hai, ngày 12/8", date(2024, 7, 30)) == ("day", at(2024, 8, 12), None)
    assert read("thứ bảy, ngày 10/8/2024") == ("day", at(2024, 8, 9), None)  # Saturday: moves back to Friday


@pytest.mark.parametrize(
    "text", ["16g00 ngày 20/9/2023", "16g ngày 20/9/2023", "16 g 00, ngày 20/9/2023", "16:00 20/9/2023"]
)
def test_an_hour_written_with_g_is_an_hour(text: str) -> None:
    assert read(text) == ("instant", at(2023, 9, 20, 16), None)
    assert read("trước 16g30' ngày 20/9/2023") == ("instant", at(2023, 9, 20, 16, 30), None)


@pytest.mark.parametrize(
    "text",
    [
        "tháng 5-2021",
        "tháng 5/2021",
        "tháng 5.2021",
        "tháng 05 năm 2021",
        "Trong tháng 5 - 2021",
        "hoàn thành trong tháng 5/2021.",
    ],
)
def test_a_month_with_its_year_however_written(text: str) -> None:
    # 3/5/2021 was the day off in lieu of Saturday 1/5, so the month's work starts on the 4th.
    assert read(text) == ("month", at(2021, 5, 31), opening(2021, 5, 4))


def test_a_month_written_with_leading_zero_and_the_word_year() -> None:
    assert read("tháng 02 năm 2020", date(2020, 1, 6)) == ("month", at(2020, 2, 28), opening(2020, 2, 3))


def test_a_month_range_opens_with_the_first_month_and_is_due_with_the_last() -> None:
    assert read("từ tháng 3 đến tháng 8-2022", date(2022, 2, 21)) == (
        "month_range", at(2022, 8, 31), opening(2022, 3, 1)
    )
    d = parse_deadline("từ tháng 02 đến cuối tháng 04 năm 2020", issued_on=date(2020, 1, 6))
    assert (d.kind, d.due, d.opens) == ("month_range", at(2020, 4, 29), opening(2020, 2, 3))  # 30/4 is a holiday
    assert d.meaning.startswith("Từ tháng 2/2020 đến tháng 4/2020: bắt đầu từ 7 giờ 30, thứ Hai, ngày 3/2/2020")


@pytest.mark.parametrize(
    "text",
    [
        "từ tháng 9 đến tháng 10/2023",
        "trong tháng 9-10/2023",
        "tháng 9 - tháng 10 năm 2023",
        "Thời gian: từ tháng 9/2023 đến hết tháng 10/2023",
        "trong thời gian từ tháng 9 tới tháng 10/2023",
        "từ tháng 9/2023 đến tháng 10",
    ],
)
def test_month_range_wordings(text: str) -> None:
    # 1/9 to 4/9/2023 were days off (Quốc khánh and the swapped days).
    assert read(text, date(2023, 8, 15)) == ("month_range", at(2023, 10, 31), opening(2023, 9, 5))


def test_a_month_range_across_new_year_puts_the_first_month_in_the_year_before() -> None:
    d = parse_deadline("Thời gian thực hiện: từ tháng 10 đến tháng 3/2024", issued_on=date(2023, 9, 20))
    assert (d.kind, d.due, d.opens) == ("month_range", at(2024, 3, 29), opening(2023, 10, 2))
    assert "Từ tháng 10/2023 đến tháng 3/2024" in d.meaning
    assert read("từ tháng 11/2023 đến tháng 2") == ("month_range", at(2024, 2, 29), opening(2023, 11, 1))


def test_a_month_range_without_years_takes_them_from_the_issue_day() -> None:
    d = parse_deadline("từ tháng 3 đến tháng 8", issued_on=date(2022, 2, 21))
    assert (d.due, d.opens) == (at(2022, 8, 31), opening(2022, 3, 1))
    assert "lấy năm 2022" in d.meaning


def test_end_of_month_is_the_due_of_within_the_month_without_an_opening() -> None:
    for text in ("cuối tháng 6/2024", "Hạn chót: cuối tháng 6 năm 2024", "từ nay đến cuối tháng 6-2024"):
        d = parse_deadline(text, issued_on=date(2024, 5, 20))
        assert (d.kind, d.due, d.opens) == ("month_end", at(2024, 6, 28), None)
        assert d.due == parse_deadline("trong tháng 6/2024").due
    assert parse_deadline("cuối tháng 6/2024").meaning == (
        "Cuối tháng 6/2024: hạn là hết giờ làm việc của ngày làm việc cuối cùng của tháng, "
        "17 giờ 00, thứ Sáu, ngày 28/6/2024."
    )
    # Over a holiday: 30/4/2025 and 1/5/2025 are off, so "cuối tháng 4/2025" is Tuesday 29/4.
    assert read("cuối tháng 4/2025") == ("month_end", at(2025, 4, 29), None)


def test_end_of_month_without_a_month_is_the_issue_month() -> None:
    d = parse_deadline("từ nay đến cuối tháng", issued_on=date(2024, 5, 10))
    assert (d.kind, d.due) == ("month_end", at(2024, 5, 31))
    assert "lấy tháng ban hành, tháng 5/2024" in d.meaning
    assert parse_deadline("cuối tháng này", issued_on=date(2024, 2, 1)).due == at(2024, 2, 29)
    assert parse_deadline("cuối tháng 6", issued_on=date(2024, 7, 2)).due == at(2025, 6, 30)


def test_a_day_range_opens_on_its_first_working_day_and_is_due_by_its_last() -> None:
    # Tháng Thanh niên 2023: 26/3 is a Sunday; 29/4–3/5/2023 are days off.
    d = parse_deadline("từ ngày 26/3 đến hết ngày 30/4/2023", issued_on=date(2023, 3, 1))
    assert (d.kind, d.due, d.opens) == ("day_range", at(2023, 4, 28), opening(2023, 3, 27))
    assert d.meaning.startswith("Từ ngày 26/3/2023 đến ngày 30/4/2023: bắt đầu từ 7 giờ 30, thứ Hai, ngày 27/3/2023;")
    assert read("từ 1/3 đến 31/3", date(2023, 2, 20)) == ("day_range", at(2023, 3, 31), opening(2023, 3, 1))
    assert read("từ ngày 15/12/2023 đến ngày 15/1") == ("day_range", at(2024, 1, 15), opening(2023, 12, 15))


@pytest.mark.parametrize(
    "text", ["ngày 05/08/2024", "5-8-2024", "5.8.2024", "05/8/2024", "5/08/2024", "ngày 5 tháng 8 năm 2024"]
)
def test_separators_and_leading_zeros_do_not_matter(text: str) -> None:
    assert read(text) == ("day", at(2024, 8, 5), None)
    assert read(f"chậm nhất là {text}") == ("day", at(2024, 8, 5), None)


def test_the_word_ngay_is_optional() -> None:
    assert read("trước 20/10/2023") == read("trước ngày 20/10/2023") == ("before_day", at(2023, 10, 19), None)
    assert read("hạn chót 5/8/2024") == read("hạn chót ngày 5/8/2024")


def test_trailing_punctuation_and_the_closing_mark_are_ignored() -> None:
    assert read("trước ngày 30/6/2017./.") == ("before_day", at(2017, 6, 29), None)
    assert read("chậm nhất ngày 15/11/2021;") == ("day", at(2021, 11, 15), None)


def test_existing_forms_are_unchanged_by_the_lead_in_words() -> None:
    issued = date(2017, 3, 22)
    assert parse_deadline("báo cáo kết quả hàng năm, trước ngày 31/12", issued_on=issued).recurrence == (
        parse_deadline("hàng năm, trước ngày 31/12", issued_on=issued).recurrence
    )
    assert read("chậm nhất là 5 ngày kể từ ngày ban hành", issued)[1] == at(2017, 3, 27)
    assert read("6 tháng 1 lần", issued)[0] == "half_yearly"


def test_normalize_only_rewrites_wording() -> None:
    assert normalize("Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021") == "chậm nhất ngày 15/11/2021"
    assert normalize("hoàn thành trước ngày 20-10-2023") == "trước ngày 20-10-2023"
    assert normalize("hạn chót nộp 16g00 ngày 5/8/2024") == "chậm nhất 16h00 ngày 5/8/2024"
    assert normalize("tháng 02 năm 2020") == "tháng 02/2020"
    assert normalize("trong tháng 9-10/2023") == "từ tháng 9 đến tháng 10/2023"
    assert normalize("gửi về Ban Tuyên giáo trước ngày 30/6/2017") == "về ban tuyên giáo trước ngày 30/6/2017"


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "issued", "says"),
    [
        ("từ nay đến 25/2", None, "Ngày 25/2 không ghi năm và không có ngày ban hành để suy ra năm; hãy ghi thêm năm"),
        ("cuối tháng", None, "“cuối tháng” không ghi tháng nào và không có ngày ban hành"),
        ("cuối tháng 13/2024", None, "tháng 13 không có (tháng phải từ 1 đến 12)"),
        (
            "từ tháng 10/2024 đến tháng 3/2024",
            None,
            "khoảng thời gian kết thúc (tháng 3/2024) trước khi bắt đầu (tháng 10/2024); "
            "hãy sửa lại, ví dụ “từ tháng 3/2024 đến tháng 10/2024”",
        ),
        ("từ tháng 3 đến tháng 14/2024", None, "tháng 14 không có"),
        ("từ ngày 30/4/2023 đến ngày 1/3/2023", None, "khoảng thời gian kết thúc (ngày 1/3/2023) trước khi bắt đầu"),
        ("từ tháng 3 đến ngày 15/8/2022", None, "không phải là một tháng hay một khoảng tháng"),
        ("đầu tháng 7", None, "Tháng 7 không ghi năm và không có ngày ban hành để suy ra năm"),
        ("giữa tháng", None, "“giữa tháng” không ghi tháng nào và không có ngày ban hành"),
        ("thượng tuần", date(2024, 6, 1), "“thượng tuần” không chỉ một ngày cụ thể"),
        ("triển khai ngay", None, "“ngay” là ngay ngày ban hành, nhưng không có ngày ban hành"),
        ("cuối năm 2024", None, "“cuối năm” không chỉ một ngày cụ thể"),
        ("hạn chót nộp", None, "chỉ có lời dẫn, không có ngày, tháng hay giờ nào"),
        ("25/2/24", None, "năm “24” trong “25/2/24” chỉ có 2 chữ số; hãy ghi đủ 4 chữ số"),
        (
            "Gửi về Ban Tuyên giáo trước ngày 30/6/2017",
            None,
            "không hiểu “về Ban Tuyên giáo” đứng trước “trước ngày 30/6/2017”: đó không phải là từ chỉ thời hạn; "
            "hãy bỏ phần đó, ví dụ hợp lệ: “trước ngày 30/6/2017”",
        ),
        ("ngày 30/6/2017 để tổng hợp", None, "không hiểu “để tổng hợp” đứng sau “ngày 30/6/2017”"),
        ("xin chào", None, "đây không phải là một cách ghi hạn"),
        ("16g75 ngày 20/9/2023", None, "75 phút không có"),
        ("trước ngày 31/4/2024", None, "ngày 31/4/2024 không có (tháng 4/2024 có 30 ngày)"),
    ],
)
def test_refusals_show_the_phrase_what_is_wrong_and_a_valid_example(text: str, issued: date | None, says: str) -> None:
    assert says in refusal(text, issued)


@pytest.mark.parametrize(
    ("text", "issued", "due", "says"),
    [
        (
            "8h00, thứ ba, ngày 12/8/2024",
            None,
            at(2024, 8, 12, 8),
            "“8h00, thứ ba, ngày 12/8/2024” (hiểu là 8 giờ 00, thứ Hai, ngày 12/8/2024): văn bản ghi thứ Ba nhưng "
            "ngày 12/8/2024 là thứ Hai; hãy sửa thứ hoặc ngày cho khớp (ví dụ hợp lệ: “thứ Hai, ngày 12/8/2024”)",
        ),
        ("Chủ nhật, ngày 12/8/2024", None, at(2024, 8, 12), "văn bản ghi Chủ nhật nhưng ngày 12/8/2024 là thứ Hai"),
        ("thứ Hai, ngày 12/8", date(2025, 7, 1), at(2025, 8, 12), "văn bản ghi thứ Hai nhưng ngày 12/8/2025 là thứ Ba"),
        ("từ ngày 5/8 (thứ hai) đến ngày 9/8/2024 (thứ năm)", None, at(2024, 8, 9), "ngày 9/8/2024 là thứ Sáu"),
        ("hạn chót 16h00, thứ Năm, ngày 15/8/2025", None, at(2025, 8, 15, 16), "ghi thứ Năm nhưng ngày 15/8/2025"),
    ],
)
def test_a_mismatched_weekday_keeps_the_date_and_warns_naming_both(
    text: str, issued: date | None, due: datetime, says: str
) -> None:
    # The number of the day is what every deadline is computed from; the weekday beside it is a check, so a
    # mismatch is a misprint to verify, not a phrase to refuse.
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert d.due == due
    assert len(d.warnings) == 1 and says in d.warnings[0]


# -- phrases of real plans, each against its document date -----------------------------------------

# (phrase, document date, kind, due, opens). The shapes are those of the plans tried in issue 13; the
# seed plans give their own phrases, with the issue dates of examples/ (47-KH/TU of 22/3/2017, the Trà Vinh
# forum plan of 15/10/2020, 89-KHPH of 10/5/2021).
Row = tuple[str, date, str, datetime | None, datetime | None]
REAL_DEADLINES: list[Row] = [
    ("Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021", date(2021, 10, 25), "day", at(2021, 11, 15), None),
    ("hoàn thành trước ngày 20-10-2023", date(2023, 9, 28), "before_day", at(2023, 10, 19), None),
    ("từ nay đến 25/2", date(2024, 1, 15), "day", at(2024, 2, 23), None),
    ("hạn chót nộp 10h00 ngày 5/8/2024", date(2024, 7, 22), "instant", at(2024, 8, 5, 10), None),
    ("8h00, thứ hai, ngày 12/8/2024", date(2024, 7, 30), "instant", at(2024, 8, 12, 8), None),
    ("16g00 ngày 20/9/2023", date(2023, 9, 5), "instant", at(2023, 9, 20, 16), None),
    ("cuối tháng 6/2024", date(2024, 5, 20), "month_end", at(2024, 6, 28), None),
    ("từ nay đến cuối tháng", date(2024, 5, 10), "month_end", at(2024, 5, 31), None),
    ("Chậm nhất vào lúc 17 giờ 00, thứ Sáu, ngày 15/3/2024", date(2024, 3, 1), "instant", at(2024, 3, 15), None),
    ("Thời gian: 07h30, Chủ nhật, ngày 26/3/2023", date(2023, 3, 1), "instant", at(2023, 3, 26, 7, 30), None),
    ("đến hết ngày 30/11/2022", date(2022, 10, 10), "day", at(2022, 11, 30), None),
    ("trước 17h00 ngày 20/10/2023 (thứ Sáu)", date(2023, 10, 2), "instant", at(2023, 10, 20), None),
    ("trước ngày 30/6/2017", date(2017, 3, 22), "before_day", at(2017, 6, 29), None),
    ("hàng năm, trước ngày 31/12", date(2017, 3, 22), "yearly", at(2017, 12, 29), None),
    ("Dự kiến lúc 13 giờ 30 phút, ngày 31/5/2021", date(2021, 5, 10), "instant", at(2021, 5, 31, 13, 30), None),
]
REAL_PHASES: list[Row] = [
    ("tháng 5-2021", date(2021, 4, 5), "month", at(2021, 5, 31), opening(2021, 5, 4)),
    ("tháng 02 năm 2020", date(2020, 1, 6), "month", at(2020, 2, 28), opening(2020, 2, 3)),
    ("tháng 5/2021", date(2021, 4, 5), "month", at(2021, 5, 31), opening(2021, 5, 4)),
    ("từ tháng 3 đến tháng 8-2022", date(2022, 2, 21), "month_range", at(2022, 8, 31), opening(2022, 3, 1)),
    ("từ tháng 02 đến cuối tháng 04 năm 2020", date(2020, 1, 6), "month_range", at(2020, 4, 29), opening(2020, 2, 3)),
    ("Thời gian: dự kiến trong tháng 11/2020", date(2020, 10, 15), "month", at(2020, 11, 30), opening(2020, 11, 2)),
    ("Bắt đầu từ tháng 4/2017", date(2017, 3, 22), "from_month", None, opening(2017, 4, 3)),
    ("hoàn thành trong tháng 6/2017", date(2017, 3, 22), "month", at(2017, 6, 30), opening(2017, 6, 1)),
    ("trong tháng 9-10/2023", date(2023, 8, 15), "month_range", at(2023, 10, 31), opening(2023, 9, 5)),
    (
        "Thời gian thực hiện: từ tháng 10/2023 đến tháng 3/2024",
        date(2023, 9, 20),
        "month_range",
        at(2024, 3, 29),
        opening(2023, 10, 2),
    ),
    ("từ ngày 26/3 đến hết ngày 30/4/2023", date(2023, 3, 1), "day_range", at(2023, 4, 28), opening(2023, 3, 27)),
]


@pytest.mark.parametrize(("text", "issued", "kind", "due", "opens"), REAL_DEADLINES + REAL_PHASES)
def test_phrases_of_real_plans_against_their_document_date(
    text: str, issued: date, kind: str, due: datetime | None, opens: datetime | None
) -> None:
    assert read(text, issued) == (kind, due, opens)


def test_the_table_has_the_phrases_of_the_issue() -> None:
    assert len(REAL_DEADLINES) >= 13 and len(REAL_PHASES) >= 9
    phrases = {row[0] for row in REAL_DEADLINES + REAL_PHASES}
    for example in (
        "Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021",
        "hoàn thành trước ngày 20-10-2023",
        "từ nay đến 25/2",
        "hạn chót nộp 10h00 ngày 5/8/2024",
        "8h00, thứ hai, ngày 12/8/2024",
        "tháng 5-2021",
        "từ tháng 3 đến tháng 8-2022",
        "từ tháng 02 đến cuối tháng 04 năm 2020",
    ):
        assert example in phrases
