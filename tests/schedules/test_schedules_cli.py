"""`trienkhai calendar …` as office staff use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import main
from errors import DeadlineError, InputError
from settings import get_settings


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TRIENKHAI_HOME", str(tmp_path))
    monkeypatch.setenv("TRIENKHAI_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("COLUMNS", "220")  # the table's source column is wide; keep each row on one line
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def invoke():
    runner = CliRunner()
    return lambda *args: runner.invoke(main.app, ["calendar", *args])


def test_workdays_shows_tet_2026_and_counts_working_days(invoke) -> None:
    result = invoke("workdays", "2026-02")
    assert result.exit_code == 0, result.output
    assert "Lịch làm việc tháng 2/2026" in result.output
    assert "Tết Nguyên đán (mùng 1 tháng Giêng)" in result.output
    assert "Tháng 2/2026 có 15 ngày làm việc." in result.output


def test_workdays_uses_local_working_days_from_settings(invoke, monkeypatch) -> None:
    monkeypatch.setenv("TRIENKHAI_EXTRA_WORKING_DAYS", '["2025-02-15"]')
    result = invoke("workdays", "2025-02")
    assert "Ngày làm việc theo lịch của địa phương" in result.output
    # 20 weekdays, the national make-up Saturday 8/2 and the province's own Saturday 15/2.
    assert "Tháng 2/2025 có 22 ngày làm việc." in result.output


def test_add_prints_the_day_in_both_forms(invoke) -> None:
    result = invoke("add", "2026-02-13", "5")
    assert result.exit_code == 0, result.output
    assert "5 ngày làm việc sau ngày 13/2/2026 là thứ Sáu, ngày 27/2/2026 (2026-02-27)." in result.output
    back = invoke("add", "2026-02-14", "--", "-1")
    assert "1 ngày làm việc trước ngày 14/2/2026 là thứ Sáu, ngày 13/2/2026 (2026-02-13)." in back.output
    assert "là ngày nghỉ" in back.output


def test_parse_prints_kind_instants_and_meaning(invoke) -> None:
    result = invoke("parse", "16h00 ngày 19/6/2024")
    assert result.exit_code == 0, result.output
    assert "Loại: thời điểm cụ thể" in result.output
    assert "Hạn: 16 giờ 00, thứ Tư, ngày 19/6/2024 (2024-06-19T09:00:00Z)" in result.output
    assert "Ý nghĩa: Hạn là 16 giờ 00, thứ Tư, ngày 19/6/2024." in result.output


def test_parse_with_an_issue_day_shows_opens_and_rules(invoke) -> None:
    opens = invoke("parse", "từ tháng 7/2017")
    assert "Bắt đầu: 7 giờ 30, thứ Hai, ngày 3/7/2017 (2017-07-03T00:30:00Z)" in opens.output
    yearly = invoke("parse", "hàng năm, trước ngày 31/12", "--issued-on", "2017-03-22")
    assert "Lặp lại: FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30" in yearly.output
    assert "Hạn: 17 giờ 00, thứ Sáu, ngày 29/12/2017" in yearly.output


def test_parse_names_ha_tuan_in_the_meaning(invoke) -> None:
    result = invoke("parse", "Hạ tuần tháng 9/2024", "--issued-on", "2024-08-15")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Ý nghĩa: Hạ tuần tháng 9/2024 (từ ngày 21 đến ngày 30/9/2024), tức trước ngày 1/10/2024:" in out


def test_an_unreadable_deadline_is_a_project_error(invoke) -> None:
    result = invoke("parse", "31/2/2024")
    assert isinstance(result.exception, DeadlineError)


def test_the_installed_command_turns_errors_into_a_message_and_exit_code(tmp_path: Path) -> None:
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "TRIENKHAI_CONFIG": str(tmp_path / "none.toml")}
    script = "from cli.main import run; run()"
    done = subprocess.run(
        [sys.executable, "-c", script, "calendar", "parse", "25h00 ngày 1/1/2024"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == DeadlineError.exit_code
    assert "25 giờ không có" in done.stderr
    bad_month = subprocess.run(
        [sys.executable, "-c", script, "calendar", "workdays", "2026-13"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert bad_month.returncode == InputError.exit_code
    assert "“2026-13” không phải là tháng hợp lệ" in bad_month.stderr
