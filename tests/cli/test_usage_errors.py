"""The installed `trienkhai` command as a clerk meets it: mistakes in the command line and every kind of project
error end in a Vietnamese line and their own exit code, never in a Python traceback."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import errors
from cli.usage import USAGE_EXIT_CODE

ENTRY_POINT = Path(sys.executable).with_name("trienkhai")


def trienkhai(*args: str, home: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the console script that `pip install` made, in an empty home with no configuration file."""
    command = str(ENTRY_POINT) if ENTRY_POINT.exists() else shutil.which("trienkhai")
    if command is None:
        pytest.fail("the trienkhai console script is not installed (pip install -e .)")
    environment = {**os.environ, "TRIENKHAI_HOME": str(home), "TRIENKHAI_CONFIG": str(home / "none.toml"),
                   "COLUMNS": "200"}
    environment.pop("TRIENKHAI_DATABASE_URL", None)
    environment.update(env)
    return subprocess.run([command, *args], env=environment, capture_output=True, text=True, input=stdin,
                          timeout=300, cwd=home)


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "line", "usage"),
    [
        (["--bogus"], "Lỗi: không có tùy chọn “--bogus”.", "Cách dùng: trienkhai [OPTIONS] COMMAND [ARGS]..."),
        (["plan", "check", "--nope", "x.yaml"], "Lỗi: không có tùy chọn “--nope”.", "Cách dùng: trienkhai plan check"),
        (["bogus-command"], "Lỗi: không có lệnh “bogus-command”; các lệnh có: ", "Cách dùng: trienkhai [OPTIONS]"),
        # "chek" is close to both "check" and "schema": each is named, the closest first.
        (["plan", "chek"], "Lỗi: không có lệnh “chek”; có phải ý bạn là “check” hoặc “schema”?",
         "Cách dùng: trienkhai plan"),
        (["calendar", "parse"], "Lỗi: thiếu đối số “text”.", "Cách dùng: trienkhai calendar parse [OPTIONS]"),
        (["notify", "list", "--limit", "abc"], "Lỗi: giá trị của “--limit” không hợp lệ: phải là một số nguyên",
         "Cách dùng: trienkhai notify list [OPTIONS]"),
    ],
    ids=["unknown-option", "unknown-option-of-a-command", "unknown-command", "misspelt-command",
         "missing-argument", "bad-value"],
)
def test_a_usage_error_is_one_vietnamese_line_and_the_usage(
    tmp_path: Path, args: list[str], line: str, usage: str
) -> None:
    result = trienkhai(*args, home=tmp_path)
    no_traceback(result)
    assert result.returncode == USAGE_EXIT_CODE, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(line), result.stderr
    assert lines[1].startswith(usage), result.stderr
    assert lines[2].startswith("Xem hướng dẫn: trienkhai"), result.stderr


def test_version_and_help_without_arguments(tmp_path: Path) -> None:
    from importlib.metadata import version

    shown = trienkhai("--version", home=tmp_path)
    assert (shown.returncode, shown.stdout.strip()) == (0, f"trienkhai {version('trienkhai')}")
    bare = trienkhai(home=tmp_path)
    no_traceback(bare)
    assert bare.returncode == 0 and "Triển khai văn bản chỉ đạo" in bare.stdout and "plan" in bare.stdout


def test_every_error_class_has_its_own_exit_code() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.TrienkhaiError)]
    codes = {c.__name__: c.exit_code for c in classes}
    assert len(set(codes.values())) == len(codes), codes
    assert not set(codes.values()) & {0, USAGE_EXIT_CODE, 130}, codes


def test_each_kind_of_error_reaches_the_clerk_with_its_exit_code(tmp_path: Path) -> None:
    bad_plan = tmp_path / "ke-hoach.yaml"
    bad_plan.write_text("directive: {}\n", encoding="utf-8")
    bad_units = tmp_path / "sai.csv"
    bad_units.write_text("ma,ten,loai,ma_cap_tren\nTU-X,,tinh_uy,\n", encoding="utf-8")
    units = tmp_path / "donvi.csv"
    units.write_text("ma,ten,loai,ma_cap_tren\nTU-X,Tỉnh ủy X,tinh_uy,\n", encoding="utf-8")
    cases = [
        (errors.DeadlineError, ["calendar", "parse", "25h00 ngày 1/1/2024"], {}, "25 giờ không có"),
        (errors.InputError, ["calendar", "workdays", "2026-13"], {}, "không phải là tháng hợp lệ"),
        (errors.PlanError, ["plan", "check", str(bad_plan)], {}, "không hợp lệ"),
        (errors.ConfigError, ["calendar", "workdays", "2026-02"], {"TRIENKHAI_EXTRA_DAYS_OFF": '["2026-02-30"]'},
         "không phải là ngày hợp lệ"),
        (errors.StorageError, ["plan", "list"], {"TRIENKHAI_DATABASE_URL": "postgresql+psycopg://x@127.0.0.1:1/x"},
         "Không kết nối được cơ sở dữ liệu"),
        (errors.HierarchyError, ["hierarchy", "import", str(bad_units)], {}, "dòng 2"),
        (errors.NotFound, ["report", "submit", "47-KH/TU", "TU-X", "bao-cao"], {}, "47-KH/TU"),
    ]
    for error, args, env, words in cases:
        result = trienkhai(*args, home=tmp_path, **env)
        no_traceback(result)
        assert result.returncode == error.exit_code, (error.__name__, result.stderr)
        assert result.stderr.startswith("Lỗi: ") and words in result.stderr, (error.__name__, result.stderr)

    assert trienkhai("hierarchy", "import", str(units), home=tmp_path).returncode == 0
    add = ("user", "add", "--username", "vp", "--role", "viewer", "--unit", "TU-X", "--password-stdin")
    assert trienkhai(*add, home=tmp_path, stdin="mat-khau-du-dai-2017\n").returncode == 0
    again = trienkhai(*add, home=tmp_path, stdin="mat-khau-du-dai-2017\n")
    no_traceback(again)
    assert again.returncode == errors.ConflictError.exit_code and "“vp” đã có" in again.stderr, again.stderr
