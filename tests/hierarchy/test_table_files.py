"""Unit lists saved by Excel in whatever form an office has: Windows-1258 CSV, "Unicode Text", a workbook."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from errors import HierarchyError
from hierarchy import Kind, small_quang_tri_2017
from hierarchy.files import read_units
from hierarchy.workbook import write_workbook

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
TABLE = (
    "Mã đơn vị,Tên đơn vị,Loại,Mã cấp trên,Số đảng viên,Điện thoại\r\n"
    "TU-QT,Tỉnh ủy Quảng Trị,Tỉnh ủy,,,\r\n"
    "XA-CT,Đảng ủy xã Cam Thành,Đảng ủy xã,TU-QT,\"1.234\",0912 345 678\r\n"
    "CB-1,Chi bộ thôn Phường Cựu,Chi bộ,XA-CT,25,\r\n"
)


def windows_1258(text: str) -> bytes:
    """Text as Excel on Vietnamese Windows saves it: letters with â, ê, ô, ơ, ư, ă, đ whole, tone marks apart."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append((base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258"))
    return b"".join(out)


def _check(units: list) -> None:  # type: ignore[type-arg]
    by_code = {u.code: u for u in units}
    assert by_code["TU-QT"].name == "Tỉnh ủy Quảng Trị"
    assert unicodedata.is_normalized("NFC", by_code["CB-1"].name) and by_code["CB-1"].name == "Chi bộ thôn Phường Cựu"
    assert by_code["XA-CT"].kind is Kind.DANG_UY_XA and by_code["XA-CT"].member_count == 1234
    assert by_code["CB-1"].kind is Kind.CHI_BO and by_code["CB-1"].member_count == 25


def test_a_csv_saved_on_vietnamese_windows_is_read(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_bytes(windows_1258(TABLE))
    _check(read_units(path)[0])


def test_unicode_text_from_excel_is_read(tmp_path: Path) -> None:
    path = tmp_path / "donvi.txt"
    path.write_bytes(TABLE.replace(",", "\t").replace('"', "").encode("utf-16"))  # BOM, little-endian, tabs
    _check(read_units(path)[0])


def test_a_workbook_given_as_csv_is_known_by_its_content(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    units = small_quang_tri_2017()
    write_workbook(units, path)
    read, _ = read_units(path)
    assert [u.code for u in read] == [u.code for u in units]


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "donvi.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    assert "Excel 97" in str(caught.value) and ".xlsx" in str(caught.value)


def test_a_phone_not_in_vietnamese_form_is_refused_at_import(tmp_path: Path) -> None:
    path = tmp_path / "donvi.csv"
    path.write_text(TABLE.replace("0912 345 678", "12 34"), encoding="utf-8")
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    problem = caught.value.problems[0]
    assert problem.line == 3 and problem.field == "Điện thoại" and "0912 345 678" in problem.message
