"""The working calendar as dated official data: each decided day of 2025 and 2026 with the document it rests on
(schedules/data/vn_calendar.yaml), a province's own file on top, and one Vietnamese line for a bad file or setting."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import holidays
import pytest
import yaml
from typer.testing import CliRunner

from cli import main
from errors import ConfigError
from schedules import WorkingCalendar
from schedules.decisions import NATIONAL_FILE
from settings import get_settings

CAL = WorkingCalendar()
ROOT = Path(__file__).resolve().parents[2]

# (day, working, number of the document in the data file, its date): the decisions of 2025 and 2026.
DECIDED = [
    # Tết Nguyên đán 2025: Monday 27/1 off, worked back on Saturday 8/2 (Văn bản 8726/VPCP-KGVX, 26/11/2024).
    (date(2025, 1, 27), False, "8726/VPCP-KGVX", date(2024, 11, 26)),
    (date(2025, 1, 31), False, "8726/VPCP-KGVX", date(2024, 11, 26)),
    (date(2025, 2, 8), True, "8726/VPCP-KGVX", date(2024, 11, 26)),
    # 30/4–1/5/2025: Friday 2/5 off, Saturday 26/4 worked.
    (date(2025, 4, 26), True, "8726/VPCP-KGVX", date(2024, 11, 26)),
    (date(2025, 5, 2), False, "8726/VPCP-KGVX", date(2024, 11, 26)),
    # Quốc khánh 2025: Monday 1/9 and Tuesday 2/9.
    (date(2025, 9, 1), False, "8726/VPCP-KGVX", date(2024, 11, 26)),
    (date(2025, 9, 2), False, "8726/VPCP-KGVX", date(2024, 11, 26)),
    # Tết Dương lịch 2026: Friday 2/1 off, Saturday 10/1 worked (Văn bản 12729/VPCP-KGVX, 25/12/2025).
    (date(2026, 1, 2), False, "12729/VPCP-KGVX", date(2025, 12, 25)),
    (date(2026, 1, 10), True, "12729/VPCP-KGVX", date(2025, 12, 25)),
    # Tết Nguyên đán 2026: Monday 16/2 to Friday 20/2 (Thông báo 9441/TB-BNV, 16/10/2025).
    (date(2026, 2, 16), False, "9441/TB-BNV", date(2025, 10, 16)),
    (date(2026, 2, 20), False, "9441/TB-BNV", date(2025, 10, 16)),
    # Giỗ Tổ on Sunday 26/4/2026: Monday 27/4 off in its place (Bộ luật Lao động, khoản 3 Điều 111).
    (date(2026, 4, 27), False, "45/2019/QH14", date(2019, 11, 20)),
    # Quốc khánh 2026: Monday 31/8 off, Saturday 22/8 worked (Thông báo 9441/TB-BNV).
    (date(2026, 8, 22), True, "9441/TB-BNV", date(2025, 10, 16)),
    (date(2026, 8, 31), False, "9441/TB-BNV", date(2025, 10, 16)),
    (date(2026, 9, 2), False, "9441/TB-BNV", date(2025, 10, 16)),
]


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRIENKHAI_HOME", str(tmp_path))
    monkeypatch.setenv("TRIENKHAI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "220")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("day", "working", "number", "issued"), DECIDED)
def test_each_decided_day_follows_its_document(day: date, working: bool, number: str, issued: date) -> None:
    assert CAL.is_working_day(day) is working
    decision = CAL.decision(day)
    assert decision is not None
    assert (decision.source.number, decision.source.issued_on) == (number, issued)
    assert not decision.uncertain


def test_working_days_are_counted_across_the_decisions() -> None:
    # A deadline one working day after Friday 7/2/2025 is the make-up Saturday, not Monday 10/2.
    assert CAL.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    # Across the new year 2026: Thursday 1/1 and Friday 2/1 are off, the next working day is Monday 5/1.
    assert CAL.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    # Ten working days from 31/12/2025 count the make-up Saturday 10/1/2026.
    assert CAL.add_working_days(date(2025, 12, 31), 6) == date(2026, 1, 10)


def test_the_cultural_day_of_2026_is_marked_uncertain_with_its_reason() -> None:
    decision = CAL.decision(date(2026, 11, 24))
    assert decision is not None and decision.uncertain
    assert (decision.source.number, decision.source.issued_on) == ("80-NQ/TW", date(2026, 1, 7))
    assert "Điều 112" in (decision.note or "")
    assert "chưa chắc chắn" in (CAL.source_of(date(2026, 11, 24)) or "")


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_the_data_file_lists_every_day_the_package_knows_and_cites_a_document(year: int) -> None:
    package = holidays.country_holidays("VN", years=year)
    known = {d for d in package if d.year == year} | {d for d in package.weekend_workdays if d.year == year}
    shown = {d for d, _ in CAL.holidays_in(year)} | set(CAL.swapped_working_days(year))
    assert [d for d in sorted(known | shown) if CAL.decision(d) is None] == []
    data = yaml.safe_load(NATIONAL_FILE.read_text(encoding="utf-8"))
    for entry in data["days"][year]:
        source = data["sources"][entry["source"]]
        assert source["number"] and isinstance(source["date"], date)


def test_a_province_file_adds_its_days_over_the_national_ones(tmp_path: Path) -> None:
    own = tmp_path / "lich-tinh.yaml"
    own.write_text("""
sources:
  ubnd-12-2025:
    kind: Quyết định
    number: 12/QĐ-UBND
    date: 2025-01-06
    issuer: Ủy ban nhân dân tỉnh Quảng Trị
    title: Nghỉ lễ hội truyền thống của tỉnh
days:
  2025:
    - {day: 2025-03-14, kind: day_off, name: Lễ hội truyền thống của tỉnh, source: ubnd-12-2025}
  2026:
    - {day: 2026-11-24, kind: working_day, name: Ngày Văn hóa Việt Nam (làm việc), source: blld-2019}
""", encoding="utf-8")
    cal = WorkingCalendar(calendar_file=own)
    assert not cal.is_working_day(date(2025, 3, 14))
    assert cal.day_off_reason(date(2025, 3, 14)) == "Lễ hội truyền thống của tỉnh"
    assert cal.source_of(date(2025, 3, 14)) == ("Quyết định số 12/QĐ-UBND ngày 6/1/2025 của Ủy ban nhân dân tỉnh "
                                                "Quảng Trị")
    assert cal.is_working_day(date(2026, 11, 24))  # the province's file cites the Labour Code, a national document
    assert cal.is_working_day(date(2025, 2, 8))  # the national decisions stay


@pytest.mark.parametrize(("entry", "says"), [
    ("{day: 2025-02-30, kind: day_off, name: X, source: blld-2019}", "“2025-02-30” không phải là ngày năm-tháng-ngày"),
    ("{day: 2025-02-10, kind: nghi, name: X, source: blld-2019}", "kind “nghi” không hợp lệ"),
    ("{day: 2025-02-10, kind: day_off, name: X, source: qd-99}", "văn bản “qd-99” không có trong mục sources"),
    ("{day: 2024-02-10, kind: day_off, name: X, source: blld-2019}", "ngày 10/2/2024 không thuộc năm 2025"),
])
def test_a_bad_entry_of_a_province_file_is_one_line_naming_file_entry_and_example(
    tmp_path: Path, entry: str, says: str
) -> None:
    own = tmp_path / "lich-tinh.yaml"
    own.write_text(f"days:\n  2025:\n    - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        WorkingCalendar(calendar_file=own)
    message = str(refused.value)
    assert "\n" not in message
    assert str(own) in message and "năm 2025" in message and says in message
    assert "ví dụ: {day: 2025-02-08, kind: working_day" in message


def test_calendar_workdays_shows_the_document_of_each_decided_day() -> None:
    result = CliRunner().invoke(main.app, ["calendar", "workdays", "2025-02"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "8/2/2025" in line)
    assert "có" in row and "Làm bù cho ngày nghỉ thứ Hai 27/1/2025" in row
    assert "Văn bản số 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ" in row
    assert "Tháng 2/2025 có 21 ngày làm việc." in result.output
    november = CliRunner().invoke(main.app, ["calendar", "workdays", "2026-11"]).output
    assert "Nghị quyết số 80-NQ/TW ngày 7/1/2026 của Bộ Chính trị — chưa chắc chắn" in november
    assert "Lưu ý: ngày 24/11/2026 chưa chắc chắn" in november


@pytest.mark.parametrize(("name", "value", "says"), [
    ("TRIENKHAI_EXTRA_WORKING_DAYS", "2025-13-01",
     "“2025-13-01” trong thiết lập extra_working_days (TRIENKHAI_EXTRA_WORKING_DAYS) không phải là ngày hợp lệ"),
    ("TRIENKHAI_OFFICE_HOURS_END", "5 giờ chiều",
     "Thiết lập TRIENKHAI_OFFICE_HOURS_END"),
    ("TRIENKHAI_CALENDAR_FILE", "/khong/co/lich.yaml", "không đọc được tệp /khong/co/lich.yaml"),
])
def test_a_mistyped_calendar_setting_is_one_vietnamese_line(tmp_path: Path, name: str, value: str, says: str) -> None:
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "TRIENKHAI_CONFIG": str(tmp_path / "none.toml"),
           name: value, "COLUMNS": "400"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "calendar", "workdays", "2025-02"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == ConfigError.exit_code
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert says in lines[0] and "ví dụ" in lines[0]


def test_days_of_a_setting_may_be_separated_by_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIENKHAI_EXTRA_DAYS_OFF", "2025-03-14, 2025-03-17")
    cal = WorkingCalendar.from_settings(get_settings())
    assert not cal.is_working_day(date(2025, 3, 14)) and not cal.is_working_day(date(2025, 3, 17))
