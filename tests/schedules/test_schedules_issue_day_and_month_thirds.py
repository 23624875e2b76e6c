"""Forms read since issue 13: "triển khai ngay" (the issue day), "N ngày (làm việc) trước/sau ngày D", a bare
month "6/2024", and the thirds of a month ("đầu tháng" / thượng tuần, "giữa tháng" / trung tuần, hạ tuần), with
the phrases of published plans (each with the address it was printed at)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from errors import DeadlineError
from schedules import LOCAL_TZ, WorkingCalendar, parse_deadline

CAL = WorkingCalendar()


def at(y: int, m: int, d: int, hh: int = 17, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("text", "issued", "due"),
    [
        ("triển khai ngay", date(2024, 6, 3), at(2024, 6, 3)),
        ("ngay", date(2024, 6, 3), at(2024, 6, 3)),
        ("Triển khai thực hiện ngay sau khi Kế hoạch được ban hành", date(2024, 6, 3), at(2024, 6, 3)),
        ("Thực hiện ngay sau khi ban hành", date(2024, 6, 1), at(2024, 6, 3)),  # a Saturday: next Monday
        # 30/4 and 1/5/2025 are holidays and 2/5/2025 a day off swapped with Saturday 26/4: the next is 5/5.
        ("ngay sau khi nhận được kế hoạch này", date(2025, 4, 30), at(2025, 5, 5)),
        ("triển khai ngay", date(2024, 9, 2), at(2024, 9, 4)),  # Quốc khánh 2024 is 2 and 3/9
    ],
)
def test_at_once_is_due_the_issue_day_or_the_next_working_day(text: str, issued: date, due: datetime) -> None:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert (d.kind, d.due, d.opens, d.warnings) == ("issue_day", due, None, ())


def test_at_once_on_a_holiday_says_why_the_deadline_moves_forward() -> None:
    d = parse_deadline("triển khai ngay", issued_on=date(2025, 4, 30), calendar=CAL)
    assert "ngày ban hành 30/4/2025 là ngày nghỉ" in d.meaning
    assert "ngày làm việc kế tiếp, 17 giờ 00, thứ Hai, ngày 5/5/2025" in d.meaning


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("5 ngày làm việc sau ngày 10/6/2024", at(2024, 6, 17)),
        ("3 ngày trước ngày 10/6/2024", at(2024, 6, 7)),
        ("chậm nhất 10 ngày làm việc trước ngày 2/9/2025", at(2025, 8, 18)),
        ("7 ngày sau ngày 24/4/2025", at(2025, 5, 1)),  # calendar days stay on the holiday
        ("15 ngày trước ngày 1/10/2024", at(2024, 9, 16)),
    ],
)
def test_days_counted_from_a_written_day(text: str, due: datetime) -> None:
    d = parse_deadline(text, calendar=CAL)
    assert (d.kind, d.due) == ("relative", due)


def test_calendar_days_landing_on_a_holiday_keep_it_and_say_so() -> None:
    d = parse_deadline("7 ngày sau ngày 24/4/2025", calendar=CAL)
    assert "Ngày 1/5/2025 là ngày nghỉ" in d.meaning and "nên hạn không lùi về ngày làm việc" in d.meaning


def test_a_day_without_year_takes_it_from_the_issue_day() -> None:
    d = parse_deadline("3 ngày trước ngày 10/6", issued_on=date(2024, 6, 3), calendar=CAL)
    assert d.due == at(2024, 6, 7) and "Văn bản không ghi năm: lấy năm 2024" in d.meaning


@pytest.mark.parametrize(
    ("text", "due", "opens"),
    [
        ("6/2024", at(2024, 6, 28), at(2024, 6, 3, 7, 30)),
        ("hoàn thành trong 12/2024", at(2024, 12, 31), at(2024, 12, 2, 7, 30)),
        ("chậm nhất 2/2024", at(2024, 2, 29), at(2024, 2, 1, 7, 30)),
    ],
)
def test_a_bare_month_is_the_month(text: str, due: datetime, opens: datetime) -> None:
    d = parse_deadline(text, calendar=CAL)
    assert (d.kind, d.due, d.opens) == ("month", due, opens)


def test_a_bare_month_does_not_change_days_or_quarters() -> None:
    assert parse_deadline("10/6/2024", calendar=CAL).kind == "day"
    assert parse_deadline("quý 3/2024", calendar=CAL).kind == "quarter"
    assert parse_deadline("trước 6/2024", calendar=CAL).due == at(2024, 5, 31)


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("đầu tháng 7/2024", "month_third", at(2024, 7, 10)),
        ("chậm nhất là đầu tháng 9/2024", "month_third", at(2024, 9, 10)),
        ("Thượng tuần tháng 2/2024", "month_third", at(2024, 2, 7)),  # 10/2/2024 is Tết: back to 7/2
        ("giữa tháng 7/2024", "month_third", at(2024, 7, 19)),  # 20/7/2024 is a Saturday
        ("trung tuần tháng 4/2025", "month_third", at(2025, 4, 18)),
        ("hạ tuần tháng 9/2024", "month_end", at(2024, 9, 30)),
    ],
)
def test_thirds_of_a_month(text: str, kind: str, due: datetime) -> None:
    d = parse_deadline(text, calendar=CAL)
    assert (d.kind, d.due, d.opens) == (kind, due, None)


def test_the_meaning_of_a_third_names_the_convention() -> None:
    d = parse_deadline("đầu tháng 7/2024", calendar=CAL)
    assert "đọc theo thượng tuần: hạn ngày 10/7/2024" in d.meaning
    mid = parse_deadline("giữa tháng 7/2024", calendar=CAL)
    assert "đọc theo trung tuần: hạn ngày 20/7/2024" in mid.meaning and "ngày 20/7/2024 là ngày nghỉ" in mid.meaning


def test_a_third_without_a_month_is_the_issue_month() -> None:
    d = parse_deadline("đầu tháng", issued_on=date(2024, 6, 3), calendar=CAL)
    assert d.due == at(2024, 6, 10) and "lấy tháng ban hành, tháng 6/2024" in d.meaning


def test_the_meaning_of_ha_tuan_names_it_and_the_day_it_ends_before() -> None:
    d = parse_deadline("hạ tuần tháng 9/2024", calendar=CAL)
    assert d.meaning.startswith("Hạ tuần tháng 9/2024 (từ ngày 21 đến ngày 30/9/2024), tức trước ngày 1/10/2024: ")
    assert "17 giờ 00, thứ Hai, ngày 30/9/2024" in d.meaning
    december = parse_deadline("chậm nhất hạ tuần tháng 12/2024", calendar=CAL)
    assert "tức trước ngày 1/1/2025" in december.meaning and december.due == at(2024, 12, 31)
    assert parse_deadline("cuối tháng 9/2024", calendar=CAL).meaning.startswith("Cuối tháng 9/2024: ")


@pytest.mark.parametrize(
    ("text", "issued", "due", "says"),
    [
        # https://hodovietnam.net/2022/09/09/hoi-dong-ho-do-dau-viet-nam-hop-chuan-bi-cho-dh-dai-bieu-hd-ho-do-dau-vn/
        # ("báo cáo danh sách nhân sự … trước trung tuần tháng 10/2022", meeting of 5/9/2022)
        ("trước trung tuần tháng 10/2022", date(2022, 9, 5), at(2022, 10, 10), "trung tuần bắt đầu từ ngày 11/10/2022"),
        ("trước hạ tuần tháng 9/2024", None, at(2024, 9, 20), "hạ tuần bắt đầu từ ngày 21/9/2024"),
        ("trước trung tuần tháng 5/2025", None, at(2025, 5, 9), "ngày 11/5/2025 đã là trễ hạn"),  # 10/5 a Saturday
    ],
)
def test_before_a_third_the_thirds_first_day_is_already_late(
    text: str, issued: date | None, due: datetime, says: str
) -> None:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert (d.kind, d.due, d.opens, d.warnings) == ("before_day", due, None, ())
    assert says in d.meaning


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        # http://www.trithuccuocsong.net/thoi-gian/ (Sóc Trăng, đại hội đại biểu các dân tộc thiểu số 2019)
        ("bắt đầu từ đầu tháng 5 năm 2019", at(2019, 5, 2, 7, 30)),  # 1/5 is a holiday
        ("từ cuối tháng 5 năm 2019 trở về sau", at(2019, 5, 21, 7, 30)),
        ("từ trung tuần tháng 3/2024", at(2024, 3, 11, 7, 30)),
        ("từ hạ tuần tháng 9/2024 trở đi", at(2024, 9, 23, 7, 30)),  # 21/9/2024 is a Saturday
    ],
)
def test_from_a_part_of_a_month_opens_on_its_first_working_day(text: str, opens: datetime) -> None:
    d = parse_deadline(text, calendar=CAL)
    assert (d.kind, d.due, d.opens) == ("from_day", None, opens)


@pytest.mark.parametrize(
    ("text", "issued", "kind", "due", "opens"),
    [
        # https://baoangiang.com.vn/thoai-son-trien-khai-cac-van-ban-ve-cong-tac-dai-hoi-a254394.html
        ("tháng 6 đến tháng 8-2020", date(2019, 9, 18), "month_range", at(2020, 8, 31), at(2020, 6, 1, 7, 30)),
        ("từ tháng 4 đến tháng 5-2020", date(2019, 9, 18), "month_range", at(2020, 5, 29), at(2020, 4, 1, 7, 30)),
        # http://ubmttq.camau.gov.vn/u-minh-hoi-nghi-trien-khai-ngay-hoi-dai-doan-ket-toan-dan-toc-nam-2019.507
        (
            "từ ngày 10/11/2019 đến ngày 18/11/2019 dứt điểm", date(2019, 10, 22), "day_range", at(2019, 11, 18),
            at(2019, 11, 11, 7, 30),
        ),
    ],
)
def test_published_ranges_with_their_wording(
    text: str, issued: date, kind: str, due: datetime, opens: datetime
) -> None:
    d = parse_deadline(text, issued_on=issued, calendar=CAL)
    assert (d.kind, d.due, d.opens, d.warnings) == (kind, due, opens, ())


def test_a_published_election_schedule_counts_calendar_days_onto_a_sunday() -> None:
    """Phú Thọ's 2021 election schedule: 105 days before the election of 23/5/2021 is "07/02/2021 (chủ Nhật)".

    https://phutho.gov.vn/vi/ke-hoach-trien-khai-cong-tac-bau-cu-dai-bieu-quoc-hoi-khoa-xv-va-bau-cu-dai-bieu-hdnd-cac-cap-nhiem
    """
    election = datetime(2021, 5, 23, 7, tzinfo=LOCAL_TZ)
    by_event = parse_deadline("chậm nhất 105 ngày trước ngày bầu cử", event=election, calendar=CAL)
    by_day = parse_deadline("105 ngày trước ngày 23/5/2021", calendar=CAL)
    assert by_event.due == by_day.due == at(2021, 2, 7)
    assert "Chủ nhật, ngày 7/2/2021" in by_day.meaning and "nên hạn không lùi về ngày làm việc" in by_day.meaning


def test_a_part_of_a_month_needs_a_month_or_an_issue_day() -> None:
    with pytest.raises(DeadlineError) as refused:
        parse_deadline("từ cuối tháng", calendar=CAL)
    assert "“cuối tháng” không ghi tháng nào" in str(refused.value)
