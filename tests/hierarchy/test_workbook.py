"""Unit lists as Excel workbooks, made the way an office makes them, and exported for editing and re-import."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from errors import HierarchyError
from hierarchy import Kind, small_quang_tri_2017
from hierarchy.files import diff_units
from hierarchy.workbook import is_workbook, read_workbook, write_workbook


def _with_cached_values(path: Path, values: dict[tuple[str, str], str]) -> None:
    """Store a computed value beside each formula, as Excel does on saving (openpyxl writes formulas only)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet_files = {"Chi bộ": "xl/worksheets/sheet2.xml"}
    for (sheet, ref), value in values.items():
        name = sheet_files[sheet]
        xml = parts[name].decode()
        xml, count = re.subn(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?', rf"\1<v>{value}</v>", xml)
        assert count == 1, xml
        parts[name] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _office_workbook(path: Path) -> Path:
    """Two sheets as a district office types them: a merged title row, a row-number column, Vietnamese headers,
    kinds by name, a count typed as text, a phone typed as a number, a date left as its serial, a formula,
    and a hidden sheet of workings."""
    book = openpyxl.Workbook()
    upper = book.active
    assert upper is not None
    upper.title = "Đảng ủy"
    upper["A1"] = "DANH SÁCH TỔ CHỨC ĐẢNG TRỰC THUỘC"
    upper.merge_cells("A1:G1")
    upper.append(["STT", "Mã đơn vị", "Tên đơn vị", "Loại", "Mã cấp trên", "Số đảng viên", "Điện thoại"])
    upper.append([1, "TU-QT", "Tỉnh ủy Quảng Trị", "Tỉnh ủy", None, None, None])
    upper.append([2, "XA-CT", "Đảng ủy xã Cam Thành", "Đảng ủy xã", "TU-QT", "1.234", 912345678])
    upper.append([3, "DUK", "Đảng ủy Khối các cơ quan tỉnh", "Đảng ủy khối", "TU-QT", " 56 ", "0233 3852 123"])
    cells = book.create_sheet("Chi bộ")
    cells.append(["Mã đơn vị", "Tên đơn vị", "Loại", "Mã cấp trên", "Số đảng viên", "Hiệu lực từ", "Email"])
    cells.append(["CB-1", "Chi bộ thôn 1", "Chi bộ", "XA-CT", 25, 45839, "cb1@quangtri.dcs.vn"])
    cells.append(["CB-2", "Chi bộ thôn 2", "chi bo", "XA-CT", "=20+5", datetime(2025, 7, 1), None])
    cells.append([None, None, None, None, None, None, None])
    cells.append(["CB-3", "Chi bộ thôn 3", "chi_bo", "XA-CT", 12.0, "1/7/2025", None])
    workings = book.create_sheet("Tính toán")
    workings.sheet_state = "hidden"
    workings.append(["Mã đơn vị", "Tên đơn vị", "Loại"])
    workings.append(["NHAP", "Bản nháp", "không phải loại nào"])
    book.save(path)
    _with_cached_values(path, {("Chi bộ", "E3"): "25"})
    return path


def test_a_workbook_made_by_an_office_is_read_as_the_office_means_it(tmp_path: Path) -> None:
    units, lines = read_workbook(_office_workbook(tmp_path / "don-vi.xlsx"))
    by_code = {u.code: u for u in units}
    assert list(by_code) == ["TU-QT", "XA-CT", "DUK", "CB-1", "CB-2", "CB-3"]  # the hidden sheet is left out
    assert by_code["XA-CT"].kind is Kind.DANG_UY_XA and by_code["XA-CT"].member_count == 1234
    assert by_code["XA-CT"].contacts.phone == "0912345678"  # the zero Excel dropped is back
    assert by_code["DUK"].member_count == 56 and by_code["DUK"].kind is Kind.DANG_UY_TRUC_THUOC
    assert by_code["CB-1"].valid_from == date(2025, 7, 1)  # serial 45839
    assert by_code["CB-2"].member_count == 25 and by_code["CB-2"].valid_from == date(2025, 7, 1)  # formula value
    assert by_code["CB-3"].member_count == 12 and by_code["CB-3"].kind is Kind.CHI_BO
    assert lines["TU-QT"] == 3 and lines["CB-1"] == 2 and lines["CB-3"] == 5


def test_every_mistake_is_named_by_sheet_row_and_column_with_a_valid_example(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sách"
    sheet["A1"] = "DANH SÁCH CHI BỘ"
    sheet.merge_cells("A1:F1")
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Loại", "Mã cấp trên", "Điện thoại", "Đơn vị cấp trên"])
    sheet.append(["TU", "Tỉnh ủy", "Tỉnh ủy", None, "12345", None])
    sheet.append(["CB-1", "Chi bộ 1", "Chi đội", "TU", None, None])
    sheet.append(["CB-2", "Chi bộ 2", "Chi bộ", "KHONG-CO", None, None])
    sheet.append(["CB-3", "Chi bộ 3", "Chi bộ cơ sở", "TU", "=1/0", None])
    path = tmp_path / "sai.xlsx"
    book.save(path)
    with pytest.raises(HierarchyError) as caught:
        read_workbook(path)
    text = str(caught.value)
    lines = text.splitlines()[1:]
    assert any("trang “Danh sách”, dòng 2, trường “Đơn vị cấp trên (cột F)”" in line and "“Mã cấp trên”" in line
               for line in lines), text
    assert any("dòng 3, trường “Điện thoại (cột E)”" in line and "0912 345 678" in line for line in lines), text
    assert any("dòng 4, trường “Loại (cột C)”" in line and "“Chi đội” không có" in line and "Chi bộ" in line
               for line in lines), text
    assert any("dòng 5, trường “Mã cấp trên (cột D)”" in line and "KHONG-CO" in line for line in lines), text
    assert any("dòng 6, trường “Điện thoại (cột E)”" in line and "công thức" in line for line in lines), text
    assert len(lines) == 5, text


def test_export_then_import_gives_the_same_units(tmp_path: Path) -> None:
    units = small_quang_tri_2017()
    path = tmp_path / "xuat.xlsx"
    write_workbook(units, path)
    again, _ = read_workbook(path)
    diff = diff_units({u.code: u for u in units}, again)
    assert not diff.added and not diff.changed and not diff.removed
    book = openpyxl.load_workbook(path)
    sheet = book["Đơn vị"]
    assert sheet["A1"].value == "DANH SÁCH ĐƠN VỊ" and "A1:M1" in {str(r) for r in sheet.merged_cells.ranges}
    assert [c.value for c in sheet[2]][:4] == ["Mã đơn vị", "Tên đơn vị", "Loại", "Mã cấp trên"]
    assert book["Danh mục"].sheet_state == "hidden"
    kinds = [v for v in sheet.data_validations.dataValidation if "C3" in str(v.sqref)]
    assert kinds and kinds[0].type == "list" and "Danh mục" in str(kinds[0].formula1)
    listed = [c.value for c in book["Danh mục"]["A"]]
    assert "Chi bộ" in listed and "Đảng bộ cơ sở" in listed


def test_a_workbook_is_known_by_its_content_and_an_old_xls_is_not_taken_for_one(tmp_path: Path) -> None:
    path = _office_workbook(tmp_path / "x.xlsx")
    assert is_workbook(path.read_bytes())
    assert not is_workbook(b"PK\x03\x04 not really a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert not is_workbook(buffer.getvalue())


def test_an_office_imports_its_workbook_exports_it_and_reimports_it_with_no_change(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path / "home"), "COLUMNS": "300"}
    env.pop("TRIENKHAI_DATABASE_URL", None)

    def trienkhai(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    # Saved under a .csv name by mistake: recognised as a workbook by its content.
    office = _office_workbook(tmp_path / "don-vi.csv")
    assert "thêm 6" in trienkhai("hierarchy", "import", str(office))
    exported = tmp_path / "xuat.xlsx"
    trienkhai("hierarchy", "export", "--format", "xlsx", "-o", str(exported))
    assert "Không có thay đổi" in trienkhai("hierarchy", "import", str(exported))
