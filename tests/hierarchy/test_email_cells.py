"""E-mail cells of a unit list, in each format an office sends (CSV, YAML, Excel): one address per cell, checked by
its syntax; a wrong one is refused naming the file, the row, the column and an address that would be valid, and
the whole file is refused (nothing imported)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from errors import HierarchyError
from hierarchy.files import read_units
from hierarchy.limits import email_problem
from tests.hardening.cli import refused, trienkhai

EXAMPLE = "cb01@quangtri.dcs.vn"
GOOD = "tu@quangtri.dcs.vn"
Writer = Callable[[Path, str], None]


@pytest.mark.parametrize("address", [
    "cb01@quangtri.dcs.vn", "van.phong-tu_2@quangtri.dcs.vn", "bcd+nhac-han@dcs.vn", "tu@xn--qung-tr-2ya.vn",
])
def test_addresses_offices_use_are_accepted(address: str) -> None:
    assert email_problem(address) is None


@pytest.mark.parametrize(("address", "said"), [
    ("cb01@quangtri..dcs.vn", "không phải một địa chỉ email hợp lệ"),
    ("cb01.@quangtri.dcs.vn", "không phải một địa chỉ email hợp lệ"),
    ("cb01@quangtri", "không phải một địa chỉ email hợp lệ"),
    ("cb01@-quangtri.vn", "không phải một địa chỉ email hợp lệ"),
    ("@quangtri.dcs.vn", "không phải một địa chỉ email hợp lệ"),
    ("cb01@[127.0.0.1]", "không phải một địa chỉ email hợp lệ"),
    ("x" * 65 + "@quangtri.dcs.vn", "không phải một địa chỉ email hợp lệ"),
    ("cb01@quangtri.dcs.vn;cb02@quangtri.dcs.vn", "đúng một địa chỉ email"),
    ("cb01@cb02@quangtri.dcs.vn", "đúng một địa chỉ email"),
    ("Chi bộ <cb01@quangtri.dcs.vn>", "đúng một địa chỉ email"),
    ("chibộ@quangtri.dcs.vn", "chữ có dấu"),
    ("cb01@quangtri.dcs.vn\nBcc: x@evil.test", "dấu xuống dòng"),
])
def test_a_wrong_address_says_what_is_wrong_and_shows_a_valid_one(address: str, said: str) -> None:
    problem = email_problem(address)
    assert problem is not None and said in problem
    assert EXAMPLE in problem or "xuống dòng" in said


def _csv(path: Path, bad: str) -> None:
    path.write_text("ma,ten,loai,ma_cap_tren,email\n"
                    f"TU,Tỉnh ủy,tinh_uy,,{GOOD}\n"
                    f"HU,Huyện ủy Hải Lăng,huyen_uy,TU,\"{bad}\"\n", encoding="utf-8")


def _yaml(path: Path, bad: str) -> None:
    path.write_text(f"- ma: TU\n  ten: Tỉnh ủy\n  loai: tinh_uy\n  email: {GOOD}\n  children:\n"
                    f"    - ma: HU\n      ten: Huyện ủy Hải Lăng\n      loai: huyen_uy\n      email: \"{bad}\"\n",
                    encoding="utf-8")


def _xlsx(path: Path, bad: str) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Đơn vị"
    sheet.append(["STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Mã cấp trên", "Thư điện tử"])
    sheet.append([1, "TU", "Tỉnh ủy", "Tỉnh ủy", None, GOOD])
    sheet.append([2, "HU", "Huyện ủy Hải Lăng", "Huyện ủy", "TU", bad])
    book.save(path)


# Format, writer, where the problem is said to be (source, row, column).
FORMATS = [
    ("csv", _csv, lambda path: (str(path), 3, "email")),
    ("yaml", _yaml, lambda path: (str(path), 9, "email")),
    ("xlsx", _xlsx, lambda path: (f"{path.name}, trang “Đơn vị”", 3, "Thư điện tử (cột F)")),
]


@pytest.mark.parametrize(("suffix", "write", "where"), FORMATS, ids=[f[0] for f in FORMATS])
@pytest.mark.parametrize("bad", ["tu-hailang@quangtri..dcs.vn", "hl@quangtri.dcs.vn, attacker@evil.test"])
def test_each_reader_refuses_a_wrong_address_with_file_row_and_column(
        tmp_path: Path, suffix: str, write: Writer, where: Callable[[Path], tuple[str, int, str]], bad: str
) -> None:
    path = tmp_path / f"don-vi.{suffix}"
    write(path, bad)
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    [problem] = caught.value.problems
    assert (problem.source, problem.line, problem.field) == where(path)
    assert EXAMPLE in problem.message and "email" in problem.message
    assert str(path.name) in str(caught.value)


@pytest.mark.parametrize(("suffix", "write"), [(f[0], f[1]) for f in FORMATS], ids=[f[0] for f in FORMATS])
def test_each_reader_keeps_a_good_address_as_written(tmp_path: Path, suffix: str, write: Writer) -> None:
    path = tmp_path / f"don-vi.{suffix}"
    write(path, "Hai.Lang@QuangTri.dcs.vn")
    units, _ = read_units(path)
    assert [u.contacts.email for u in units] == [GOOD, "Hai.Lang@QuangTri.dcs.vn"]


def test_import_with_one_wrong_address_imports_nothing(tmp_path: Path) -> None:
    first = tmp_path / "lan-1.csv"
    _csv(first, "hl@quangtri.dcs.vn")
    assert trienkhai("hierarchy", "import", str(first), home=tmp_path).code == 0
    # The second file renames the Tỉnh ủy, adds a chi bộ and gives the Huyện ủy a wrong address: all refused.
    second = tmp_path / "lan-2.csv"
    second.write_text("ma,ten,loai,ma_cap_tren,email\n"
                      f"TU,Tỉnh ủy Quảng Trị,tinh_uy,,{GOOD}\n"
                      "HU,Huyện ủy Hải Lăng,huyen_uy,TU,hl@quangtri..dcs.vn\n"
                      "DB,Đảng bộ xã Hải Phú,dang_bo_co_so,HU,hp@quangtri.dcs.vn\n", encoding="utf-8")
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        before = db.execute("SELECT code, name, email FROM units ORDER BY code").fetchall()
    refused(trienkhai("hierarchy", "import", str(second), home=tmp_path), HierarchyError,
            str(second), "dòng 3", "“email”", EXAMPLE)
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        assert db.execute("SELECT code, name, email FROM units ORDER BY code").fetchall() == before
    assert before == [("HU", "Huyện ủy Hải Lăng", "hl@quangtri.dcs.vn"), ("TU", "Tỉnh ủy", GOOD)]
