"""`trienkhai calendar parse` on phrases as plans print them, end to end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli import main
from errors import DeadlineError
from settings import get_settings


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TRIENKHAI_HOME", str(tmp_path))
    monkeypatch.setenv("TRIENKHAI_CONFIG", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def invoke() -> Callable[..., Result]:
    runner = CliRunner()
    return lambda *args: runner.invoke(main.app, ["calendar", *args])


def test_parse_a_lead_in_phrase_against_its_issue_day(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021", "--issued-on", "2021-10-25")
    assert result.exit_code == 0, result.output
    assert "Loại: ngày" in result.output
    assert "Hạn: 17 giờ 00, thứ Hai, ngày 15/11/2021 (2021-11-15T10:00:00Z)" in result.output


def test_parse_from_now_until_a_day_without_year(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "từ nay đến 25/2", "--issued-on", "2024-01-15")
    assert result.exit_code == 0, result.output
    assert "Hạn: 17 giờ 00, thứ Sáu, ngày 23/2/2024 (2024-02-23T10:00:00Z)" in result.output
    assert "Văn bản không ghi năm: lấy năm 2024" in result.output


def test_parse_an_hour_with_a_weekday(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "8h00, thứ hai, ngày 12/8/2024", "--issued-on", "2024-07-30")
    assert result.exit_code == 0, result.output
    assert "Loại: thời điểm cụ thể" in result.output
    assert "Hạn: 8 giờ 00, thứ Hai, ngày 12/8/2024 (2024-08-12T01:00:00Z)" in result.output


def test_parse_a_month_range_prints_its_opening_and_its_due(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "từ tháng 02 đến cuối tháng 04 năm 2020", "--issued-on", "2020-01-06")
    assert result.exit_code == 0, result.output
    assert "Loại: khoảng tháng" in result.output
    assert "Hạn: 17 giờ 00, thứ Tư, ngày 29/4/2020 (2020-04-29T10:00:00Z)" in result.output
    assert "Bắt đầu: 7 giờ 30, thứ Hai, ngày 3/2/2020 (2020-02-03T00:30:00Z)" in result.output


def test_parse_end_of_month(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "cuối tháng 6/2024")
    assert result.exit_code == 0, result.output
    assert "Loại: cuối tháng" in result.output
    assert "Hạn: 17 giờ 00, thứ Sáu, ngày 28/6/2024 (2024-06-28T10:00:00Z)" in result.output
    assert "Bắt đầu:" not in result.output


def test_a_weekday_that_does_not_match_is_a_warning_naming_both(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "8h00, thứ ba, ngày 12/8/2024")
    assert result.exit_code == 0, result.output
    assert "Hạn: 8 giờ 00, thứ Hai, ngày 12/8/2024" in result.output
    assert "Cảnh báo: “8h00, thứ ba, ngày 12/8/2024” (hiểu là 8 giờ 00, thứ Hai, ngày 12/8/2024): văn bản ghi " \
        "thứ Ba nhưng ngày 12/8/2024 là thứ Hai" in " ".join(result.output.split())


def test_parse_a_deadline_counted_from_the_election_day(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "Chậm nhất 105 ngày trước ngày bầu cử", "--event", "2021-05-23T07:00")
    assert result.exit_code == 0, result.output
    assert "Hạn: 17 giờ 00, Chủ nhật, ngày 7/2/2021 (2021-02-07T10:00:00Z)" in result.output
    assert "văn bản ghi “105 ngày” chứ không phải “105 ngày làm việc”" in " ".join(result.output.split())
    bad = invoke("parse", "sau Đại hội 10 ngày", "--event", "ngày đại hội")
    assert bad.exit_code != 0 and "“ngày đại hội” không phải là thời điểm hợp lệ" in str(bad.exception)


def test_parse_a_bounded_monthly_campaign(invoke: Callable[..., Result]) -> None:
    result = invoke("parse", "từ tháng 5 đến tháng 9/2023 hằng tháng", "--issued-on", "2023-04-20")
    assert result.exit_code == 0, result.output
    assert "chỉ đến hết ngày 30/9/2023: 5 lần" in " ".join(result.output.split())


def test_the_installed_command_says_which_words_it_did_not_understand(tmp_path: Path) -> None:
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "TRIENKHAI_CONFIG": str(tmp_path / "none.toml")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cli.main import run; run()",
            "calendar",
            "parse",
            "Gửi về Ban Tuyên giáo trước ngày 30/6/2017",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == DeadlineError.exit_code
    said = " ".join(done.stderr.split())  # the console wraps long lines
    assert "Không đọc được hạn “Gửi về Ban Tuyên giáo trước ngày 30/6/2017”" in said
    assert "không hiểu “về Ban Tuyên giáo” đứng trước “trước ngày 30/6/2017”" in said


def test_every_kind_of_deadline_is_named_in_vietnamese() -> None:
    # `calendar parse` prints the kind for the clerk: no form of the grammar may fall back to a code name.
    from schedules.grammar import FORMS
    from schedules.meanings import KIND_LABELS

    kinds = {name for name, _ in FORMS} | {"from_day", "from_month", "issue_day", "relative", "before_day"}
    assert kinds <= KIND_LABELS.keys()
