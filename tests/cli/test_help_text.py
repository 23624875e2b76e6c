"""Help screens are Vietnamese all through: Typer's own words around our texts too (cli/help_text.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_usage_errors import no_traceback, trienkhai

TYPER_WORDS = ("Usage", "Options", "Commands", "Arguments", "Show this message", "[default", "[required]",
               "completion")


@pytest.mark.parametrize(("args", "vietnamese"), [
    (["--help"], ["Cách dùng: trienkhai", "Tùy chọn", "Lệnh", "Hiện hướng dẫn này rồi thoát."]),
    (["plan", "check", "--help"], ["Cách dùng: trienkhai plan check", "Đối số", "[bắt buộc]"]),
    (["web", "--help"], ["[mặc định: 8000]", "Hiện hướng dẫn này rồi thoát."]),
    (["report", "--help"], ["Lệnh", "submit"]),
])
def test_a_help_screen_has_no_english_word_of_typer(tmp_path: Path, args: list[str], vietnamese: list[str]) -> None:
    shown = trienkhai(*args, home=tmp_path)
    no_traceback(shown)
    assert shown.returncode == 0
    for text in vietnamese:
        assert text in shown.stdout, (text, shown.stdout)
    for word in TYPER_WORDS:
        assert word not in shown.stdout, (word, shown.stdout)
