"""`trienkhai hierarchy import` and `trienkhai plan check` on hostile files, run as office staff run them: exit code 2,
the Vietnamese message with the line, no traceback, within a time and memory bound, and the database unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from errors import HierarchyError, PlanError
from tests.hardening.cli import refused, trienkhai
from tests.hardening.test_hostile_hierarchy_files import billion_laughs, csv_row
from tests.hardening.test_hostile_plan_files import DUE, ISSUED, changed, plan_bomb

GOOD = ("ma,ten,loai,ma_cap_tren,so_dang_vien,email\n"
        "TU-X,Tỉnh ủy X,tinh_uy,,,tu@x.dcs.vn\n"
        "X-1,Đảng ủy xã Một,dang_uy_xa,TU-X,120,x1@x.dcs.vn\n")


def _big_line(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("ma,ten,loai\nTU,")
        block = "x" * 1_000_000
        for _ in range(size // len(block)):
            out.write(block)
        out.write(",tinh_uy\n")


def _write(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8", newline="")


HIERARCHY: list[tuple[str, Callable[[Path], None], tuple[str, ...]]] = [
    ("bom-bi-danh.yaml", _write(billion_laughs()), ("dòng 2", "bí danh YAML “*l0”")),
    ("long-5000-tang.yaml", _write("- ma: TU\n  ten: " + "[" * 5000 + "]" * 5000 + "\n  loai: tinh_uy\n"),
     ("dòng 2", "lồng nhau quá 50 tầng")),
    ("dong-100-MB.csv", lambda path: _big_line(path, 101_000_000), ("lớn hơn giới hạn 100 MB",)),
    ("dong-2-MB.csv", lambda path: _big_line(path, 2_000_000), ("dòng 2", "quá giới hạn 20.000 ký tự mỗi dòng")),
    ("dang-vien-10-mu-23.csv", _write(csv_row(so_dang_vien="1" + "0" * 23)),
     ("dòng 2, trường “so_dang_vien”", "từ 0 đến 10.000.000")),
    ("ngay-9999.csv", _write(csv_row(hieu_luc_den="9999-12-31")),
     ("dòng 2, trường “hieu_luc_den”", "từ 1/1/1930 đến 31/12/2100")),
    ("khoa-trung.yaml", _write("- ma: TU\n  ten: Tỉnh ủy\n  loai: tinh_uy\n  ten: Tỉnh ủy khác\n"),
     ("dòng 4, trường “ten”", "dòng 2 và dòng 4")),
    ("ten-dao-chieu.csv", _write(csv_row(ten="Tỉnh ủy \u202eXYZ")), ("trường “ten”", "ký tự đảo chiều văn bản U+202E")),
    ("ten-co-nul-tab.csv", _write(csv_row(ten="Tỉnh\x00ủy", dien_thoai="0233\t385")),
     ("trường “ten”", "ký tự NUL", "trường “dien_thoai”", "dấu tab")),
    ("ten-2000-ky-tu.csv", _write(csv_row(ten="Đ" * 2000)), ("quá giới hạn 300 ký tự",)),
    ("email-chen-bcc.csv", _write(csv_row(email="tu@x.dcs.vn\nBcc: attacker@evil.test")),
     ("dòng 2, trường “email”", "dấu xuống dòng")),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder whose database holds a small hierarchy imported from a good file."""
    folder = tmp_path_factory.mktemp("nha")
    good = folder / "tot.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert trienkhai("hierarchy", "import", str(good), home=folder).code == 0
    return folder


def _recorded(home: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(home / "trienkhai.db") as db:
        units = db.execute("SELECT code, name, member_count, email FROM units ORDER BY code").fetchall()
        audit = db.execute("SELECT count(*) FROM audit_log").fetchall()
    return [*units, *audit]


@pytest.mark.parametrize(("name", "make", "fragments"), HIERARCHY, ids=[c[0] for c in HIERARCHY])
def test_hierarchy_import_refuses_a_hostile_file_and_writes_nothing(
        home: Path, tmp_path: Path, name: str, make: Callable[[Path], None], fragments: tuple[str, ...]) -> None:
    before = _recorded(home)
    path = tmp_path / name
    make(path)
    refused(trienkhai("hierarchy", "import", str(path), home=home), HierarchyError, str(path), *fragments)
    assert _recorded(home) == before


PLANS: list[tuple[str, str, tuple[str, ...]]] = [
    ("bom-bi-danh.yaml", plan_bomb(), ("dòng 6", "mở ra quá 200.000 mục")),
    ("long-5000-tang.yaml", "x: " + "[" * 5000 + "]" * 5000 + "\n", ("dòng 1", "lồng nhau quá 50 tầng")),
    ("dong-100-MB.yaml", "x: " + "y" * 100_000_000 + "\n", ("lớn hơn giới hạn 5 MB",)),
    ("ngay-lam-viec-100-trieu.yaml", changed(DUE, "    within_working_days: 100000000\n"),
     ("dòng 68, trường “obligations[0].within_working_days”", "từ 1 đến 250")),
    ("ngay-ban-hanh-9999.yaml", changed(ISSUED, "  issued_on: 9999-12-31\n"),
     ("dòng 10, trường “directive.issued_on”", "từ 1/1/1930 đến 31/12/2100")),
    ("dai-bieu-10-mu-23.yaml", changed("delegates: 80", "delegates: 100000000000000000000000"),
     ("dòng 60, trường “event.delegates”", "từ 0 đến 100000")),
]


@pytest.mark.parametrize(("name", "text", "fragments"), PLANS, ids=[c[0] for c in PLANS])
def test_plan_check_refuses_a_hostile_plan(tmp_path: Path, name: str, text: str, fragments: tuple[str, ...]) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    refused(trienkhai("plan", "check", str(path), home=tmp_path), PlanError, str(path), *fragments)
