"""The blank unit list downloaded from the dashboard, filled in as an office does and imported with the CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from errors import HierarchyError
from hierarchy.columns import HEADERS
from hierarchy.files import read_units
from hierarchy.model import KIND_LABELS
from tests.web.conftest import Site, login


def _import(path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cli.main", "hierarchy", "import", str(path)], env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_template_is_downloaded_filled_in_and_imported(site: Site, tmp_path: Path) -> None:
    with login(site, "vp") as client:
        page = client.get("/units/TU-QT").text
        assert 'href="/mau/mau-danh-sach-don-vi.xlsx"' in page and "Tải tệp mẫu danh sách đơn vị" in page
        response = client.get("/mau/mau-danh-sach-don-vi.xlsx")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="mau-danh-sach-don-vi.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [s.title for s in book.worksheets if s.sheet_state == "visible"] == ["Đơn vị", "Hướng dẫn"]
    sheet = book["Đơn vị"]
    assert [c.value for c in sheet[2]] == list(HEADERS.values())
    assert sheet["C2"].value == "Loại" and "(dòng ví dụ)" in str(sheet["B3"].value)
    kind_rule = next(v for v in sheet.data_validations.dataValidation if "C3" in str(v.sqref))
    assert kind_rule.type == "list"
    listed = [c.value for c in book["Danh mục"]["A"]]
    assert listed == list(KIND_LABELS.values()) and "Chi bộ" in listed and "Đảng ủy xã/phường" in listed
    guide = " ".join(str(c.value or "") for c in book["Hướng dẫn"]["A"])
    assert "trienkhai hierarchy import" in guide and "Đảng bộ cơ sở" in guide

    # Imported untouched, the example rows are refused by row rather than written as units.
    untouched = tmp_path / "chua-sua.xlsx"
    untouched.write_bytes(response.content)
    with pytest.raises(HierarchyError) as refused:
        read_units(untouched)
    assert [p.line for p in refused.value.problems] == [3, 4]
    assert "dòng ví dụ của tệp mẫu" in str(refused.value)

    # An office types its own two units over the examples, choosing kinds from the list by their names.
    for row in (3, 4):
        for cell in sheet[row]:
            cell.value = None
    for column, value in zip("ABCG", ("TU-QT", "Tỉnh ủy Quảng Trị", "Tỉnh ủy", "vanphong@quangtri.dcs.vn"),
                             strict=True):
        sheet[f"{column}3"] = value
    for column, value in zip("ABCDFH", ("DU-CAMHIEU", "Đảng ủy xã Cam Hiếu", "Đảng ủy xã/phường", "TU-QT", 215,
                                        "0912345678"), strict=True):
        sheet[f"{column}4"] = value
    filled = tmp_path / "danh-sach-don-vi.xlsx"
    book.save(filled)

    done = _import(filled, tmp_path / "home")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "thêm 2" in done.stdout
    again = _import(filled, tmp_path / "home")
    assert again.returncode == 0 and "Không có thay đổi" in again.stdout
