"""Unit lists as Excel workbooks (.xlsx): read as an office fills them in, written so that it can edit and re-import.

Reading takes every visible sheet that has a header row (Vietnamese labels, code names or English keys) and
reads cells as a person means them: merged cells fill their whole range, formulas give their computed value,
dates may be Excel serials, numbers may be text and phone numbers may have lost their leading zero.
Every problem names its sheet, row and column.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import IO

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from errors import HierarchyError, Problem
from formats.spreadsheet import as_text
from hierarchy.columns import HEADERS, IGNORED, column_for, valid_headers
from hierarchy.fields import COLUMNS, REQUIRED, Row, parse_row
from hierarchy.graph import FIELD_NAMES, validate
from hierarchy.model import CATEGORY_LABELS, KIND_LABELS, Contacts, Kind, Unit
from hierarchy.naming import ascii_slug, gc_paused
from hierarchy.phone import phone_problem

__all__ = ["EXAMPLE_UNITS", "TITLE", "build_workbook", "is_old_excel", "is_workbook", "read_workbook", "write_workbook"]

TITLE = "DANH SÁCH ĐƠN VỊ"
_DATA_SHEET = "Đơn vị"
_LISTS_SHEET = "Danh mục"
_DATE_COLUMNS = frozenset({"hieu_luc_tu", "hieu_luc_den"})
_HEADER_SCAN_ROWS = 20
# A zip that inflates beyond this is not a unit list (the national hierarchy is about 40 MB unpacked).
_MAX_UNPACKED_BYTES = 400 * 1024 * 1024
_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"})
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The rows the blank template shows how to fill in; left in a file, they are refused rather than imported.
EXAMPLE_UNITS = (
    Unit("VD-TU", "Tỉnh ủy A (dòng ví dụ)", Kind.TINH_UY, contacts=Contacts(email="vanphong@tinhuy-a.dcs.vn")),
    Unit("VD-XA", "Đảng ủy xã B (dòng ví dụ)", Kind.DANG_UY_XA, "VD-TU", member_count=312,
         contacts=Contacts(email="danguyxab@tinhuy-a.dcs.vn", phone="0912 345 678"), valid_from=date(2025, 7, 1)),
)
# Rows of the data sheet that carry the kind list, beyond the exported ones, so that added rows get it too.
_SPARE_ROWS = 2000


def is_workbook(data: bytes) -> bool:
    """True when the bytes are an Office Open XML workbook (a zip holding xl/workbook.xml), whatever the name."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def is_old_excel(data: bytes) -> bool:
    """True for an Excel 97–2003 (.xls) file, which is read only after saving it again as .xlsx."""
    return data.startswith(_OLE2)


@dataclass
class _Sheet:
    """Where one sheet's rows are and how its columns are headed."""

    source: str
    shown: dict[str, str]


def read_workbook(path: str | Path, *, existing: Mapping[str, Unit] | None = None,
                  data: bytes | None = None) -> tuple[list[Unit], dict[str, int]]:
    """Units of every visible sheet with a header row and the row of each code; raises HierarchyError listing
    every problem by sheet, row and column."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    with gc_paused():
        return _read(path, data, existing)


def _read(path: Path, data: bytes, existing: Mapping[str, Unit] | None) -> tuple[list[Unit], dict[str, int]]:
    values_book, formula_book = _open(path, data)
    sheets: list[_Sheet] = []
    rows: list[tuple[int, Row]] = []
    problems: list[Problem] = []
    skipped: list[str] = []
    for name in values_book.sheetnames:
        sheet = values_book[name]
        if sheet.sheet_state != "visible":
            continue  # hidden sheets hold lists and workings, not units
        source = f"{path.name}, trang “{name}”"
        found = _sheet_rows(sheet, formula_book[name], source)
        if found is None:
            skipped.append(name)
            continue
        shown, sheet_rows, sheet_problems = found
        sheets.append(_Sheet(source, shown))
        rows += [(len(sheets) - 1, row) for row in sheet_rows]
        problems += sheet_problems
    if not sheets:
        raise HierarchyError([Problem(
            f"Không trang nào có dòng tiêu đề của danh sách đơn vị (đã xem: {', '.join(skipped) or 'không có'}). "
            f"Dòng tiêu đề phải có ít nhất các cột “Mã đơn vị”, “Tên đơn vị”, “Loại”; các cột hợp lệ: "
            f"{valid_headers()}.", source=path.name)])
    units, lines = _units(rows, sheets, existing, problems)
    if problems:
        order = {sheet.source: index for index, sheet in enumerate(sheets)}
        problems.sort(key=lambda p: (order.get(p.source or "", -1), p.line or 0))
        raise HierarchyError(problems, title=f"Tệp {path.name} có lỗi")
    return units, lines


def _open(path: Path, data: bytes) -> tuple[Workbook, Workbook]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > _MAX_UNPACKED_BYTES:
            raise HierarchyError([Problem(
                f"Tệp giải nén ra {unpacked // 2**20} MB, quá giới hạn {_MAX_UNPACKED_BYTES // 2**20} MB của một "
                "danh sách đơn vị; hãy kiểm tra lại tệp hoặc chia thành nhiều tệp.", source=path.name)])
        # Computed values are what a person sees; the formulas are read only to tell an uncomputed one.
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise HierarchyError([Problem(
            f"Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx ({type(exc).__name__}); hãy mở tệp trong Excel "
            "và lưu lại với kiểu “Sổ làm việc Excel (.xlsx)”.", source=path.name)]) from None
    return values, formulas


def _merged_values(sheet: Worksheet) -> dict[tuple[int, int], object]:
    """The value of each cell inside a merged range: the value of its top-left cell."""
    filled: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for col in range(merged.min_col, merged.max_col + 1):
                filled[(row, col)] = value
    return filled


def _header_row(grid: list[list[object]]) -> int | None:
    """Index of the row, among the first ones, that names the most known columns (at least two): title rows
    above it and a group row over a two-row header are skipped."""
    best, best_count = None, 1
    for index, cells in enumerate(grid[:_HEADER_SCAN_ROWS]):
        count = sum(1 for c in cells if isinstance(c, str) and column_for(c) is not None)
        if count > best_count:
            best, best_count = index, count
    return best


def _sheet_rows(sheet: Worksheet, formulas: Worksheet, source: str
                ) -> tuple[dict[str, str], list[Row], list[Problem]] | None:
    merged = _merged_values(sheet)
    grid: list[list[object]] = []
    for r, cells in enumerate(sheet.iter_rows(), start=1):
        grid.append([merged.get((r, c), cell.value) for c, cell in enumerate(cells, start=1)])
    header_index = _header_row(grid)
    if header_index is None:
        return None
    header_row = header_index + 1
    problems: list[Problem] = []
    columns: dict[int, str] = {}
    shown: dict[str, str] = {col: col for col in COLUMNS}
    for c, cell in enumerate(grid[header_index], start=1):
        if cell is None or not str(cell).strip():
            continue
        text = unicodedata.normalize("NFC", str(cell)).strip()
        letter = get_column_letter(c)
        col = column_for(text)
        if col is None:
            if ascii_slug(text) not in IGNORED:
                problems.append(Problem(f"Cột “{text}” không có; các cột hợp lệ: {valid_headers()} (cột “STT”, "
                                        "“Ghi chú” được bỏ qua).", source=source, line=header_row,
                                        field=f"{text} (cột {letter})"))
            continue
        if col in columns.values():
            problems.append(Problem(f"Cột “{text}” trùng nghĩa với cột {shown[col]}; mỗi thông tin chỉ ghi ở "
                                    "một cột, hãy xóa hoặc đổi tên một trong hai.", source=source,
                                    line=header_row, field=f"{text} (cột {letter})"))
            continue
        columns[c] = col
        shown[col] = f"{text} (cột {letter})"
    missing = [HEADERS[col] for col in REQUIRED if col not in columns.values()]
    if missing:
        problems.append(Problem(f"Thiếu cột {', '.join(f'“{m}”' for m in missing)}; dòng tiêu đề phải có ít nhất "
                                "các cột “Mã đơn vị”, “Tên đơn vị”, “Loại”.", source=source, line=header_row))
        return shown, [], problems
    rows: list[Row] = []
    for r in range(header_row + 1, len(grid) + 1):
        values: dict[str, str | None] = {}
        for c, col in columns.items():
            raw = grid[r - 1][c - 1] if c <= len(grid[r - 1]) else None
            value, trouble = _cell_text(raw, col, sheet.cell(r, c), formulas.cell(r, c))
            if trouble is not None:
                problems.append(Problem(trouble, source=source, line=r, field=shown[col]))
            values[col] = value
        if any(v for v in values.values()):
            rows.append(Row(line=r, values=values, value_lines={}))
    return shown, rows, problems


def _cell_text(raw: object, col: str, cell: Cell | MergedCell, formula: Cell | MergedCell
               ) -> tuple[str | None, str | None]:
    """The text a cell means for column `col`, and what is wrong with it when it cannot be read."""
    if raw is None:
        if formula.data_type == "f":
            return None, (f"Ô có công thức {str(formula.value)[:60]} nhưng chưa có giá trị đã tính (tệp chưa được "
                          "Excel tính lại); hãy mở tệp trong Excel, lưu lại rồi nhập lại.")
        return None, None
    if isinstance(raw, str) and raw.strip() in _EXCEL_ERRORS:
        return None, (f"Ô có lỗi công thức {raw.strip()}; hãy sửa công thức hoặc ghi thẳng giá trị, "
                      f"ví dụ {_EXAMPLES[col]}.")
    if col in _DATE_COLUMNS:
        return _date_text(raw)
    if isinstance(raw, bool):
        return None, f"Ô ghi giá trị đúng/sai; hãy ghi {_EXAMPLES[col]}."
    if isinstance(raw, (int, float)):
        return _number_text(raw, col, cell.number_format), None
    if isinstance(raw, (datetime, date, time)):
        return None, (f"Excel đã đổi giá trị thành ngày {raw}; hãy định dạng ô là Văn bản (Text) rồi ghi lại, "
                      f"ví dụ {_EXAMPLES[col]}.")
    return str(raw), None


def _date_text(raw: object) -> tuple[str | None, str | None]:
    if isinstance(raw, datetime):
        return raw.date().isoformat(), None
    if isinstance(raw, date):
        return raw.isoformat(), None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # A date cell formatted as General shows its serial number (45839 is 1/7/2025).
        if 1 <= raw < 2958466:
            serial = from_excel(raw)
            if isinstance(serial, datetime):
                return serial.date().isoformat(), None
        return None, f"Số {raw} không phải một ngày; hãy ghi ngày dạng 1/7/2025 hoặc 2025-07-01."
    return str(raw), None


def _number_text(raw: int | float, col: str, number_format: str) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if not isinstance(raw, int):
        return repr(raw)
    text = str(raw)
    # A format of zeros ("000") shows a code with its leading zeros; the person reads it that way.
    zeros = number_format.strip()
    if zeros and set(zeros) == {"0"} and len(zeros) > len(text) >= 1:
        text = text.zfill(len(zeros))
    # A phone typed into a number cell loses its leading zero (912345678 for 0912345678).
    if col == "dien_thoai" and len(text) in (9, 10) and not text.startswith(("0", "84")):
        text = "0" + text
    return text


_EXAMPLES: dict[str, str] = {
    "ma": "“CB-THON1”", "ten": "“Chi bộ thôn 1”", "loai": "“Chi bộ”", "ma_cap_tren": "“DB-XA”",
    "loai_hinh": "“nông thôn”", "so_dang_vien": "25", "email": "cb01@quangtri.dcs.vn",
    "dien_thoai": "0912 345 678", "webhook": "“tgram://…”", "bao_cao_qua": "“TU-QT-BTG”",
    "dang_uy_lanh_dao": "“TU-QT”", "hieu_luc_tu": "1/7/2025", "hieu_luc_den": "30/6/2030",
}


def _units(rows: list[tuple[int, Row]], sheets: list[_Sheet], existing: Mapping[str, Unit] | None,
           problems: list[Problem]) -> tuple[list[Unit], dict[str, int]]:
    units: list[Unit] = []
    lines: dict[str, int] = {}
    # The graph check knows only one line per code; an index into `places` gives back the sheet as well.
    places: list[tuple[int, int]] = []
    index_of: dict[str, int] = {}
    for sheet_index, row in rows:
        sheet = sheets[sheet_index]
        code = unicodedata.normalize("NFC", row.values.get("ma") or "").strip()
        if code and code in index_of:
            first_sheet, first_row = places[index_of[code]]
            where = f"dòng {first_row}" + ("" if first_sheet == sheet_index else
                                           f" trang “{sheets[first_sheet].source.split('“', 1)[1]}")
            problems.append(Problem(f"Mã “{code}” đã dùng ở {where}; mỗi đơn vị phải có một mã riêng.",
                                    source=sheet.source, line=row.line, field=sheet.shown["ma"]))
            continue
        unit, row_problems = parse_row(row, sheet.source, sheet.shown)
        problems += row_problems
        if unit is not None and any((unit.code, unit.name) == (e.code, e.name) for e in EXAMPLE_UNITS):
            problems.append(Problem(f"Dòng “{unit.name}” là dòng ví dụ của tệp mẫu; hãy ghi đè bằng đơn vị của mình "
                                    "hoặc xóa dòng này.", source=sheet.source, line=row.line, field=sheet.shown["ma"]))
            continue
        phone = row.values.get("dien_thoai")
        if phone and phone.strip() and (trouble := phone_problem(phone)) is not None:
            problems.append(Problem(f"Số “{phone.strip()}” {trouble}.", source=sheet.source, line=row.line,
                                    field=sheet.shown["dien_thoai"]))
        if unit is not None:
            index_of[unit.code] = len(places)
            places.append((sheet_index, row.line))
            lines[unit.code] = row.line
            units.append(unit)
    graph_problems = validate(units, existing=existing, lines=index_of, fields=FIELD_NAMES)
    for problem in graph_problems:
        if problem.line is None:
            problems.append(problem)
            continue
        sheet_index, line = places[problem.line]
        sheet = sheets[sheet_index]
        problems.append(replace(problem, source=sheet.source, line=line,
                                field=sheet.shown.get(problem.field or "", problem.field)))
    return units, lines


def write_workbook(units: Iterable[Unit], path: str | Path | IO[bytes]) -> None:
    """Write units as the workbook an office fills in: a title row, Vietnamese headers, kinds and categories by
    their names with drop-down lists, dates as dates; reading it back gives the same units."""
    build_workbook(units).save(path)


def build_workbook(units: Iterable[Unit]) -> Workbook:
    """The workbook `write_workbook` saves, for a caller that adds sheets of its own (the blank template)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _DATA_SHEET
    columns = list(COLUMNS)
    width = len(columns)
    sheet.cell(1, 1, TITLE).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for c, col in enumerate(columns, start=1):
        cell = sheet.cell(2, c, HEADERS[col])
        cell.font = Font(bold=True)
        cell.fill = header_fill
        sheet.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(col, 16)
    sheet.freeze_panes = "A3"
    count = 0
    for r, unit in enumerate(units, start=3):
        count += 1
        for c, value in enumerate(_row(unit), start=1):
            if value is None:
                continue
            cell = as_text(sheet.cell(r, c, value))
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(value, str):
                cell.number_format = "@"  # text: codes like "01" keep their zero, phones stay as typed
    _add_lists(book, sheet, columns, last_row=count + 2 + _SPARE_ROWS)
    return book


_WIDTHS = {"ma": 18, "ten": 40, "loai": 20, "ma_cap_tren": 18, "loai_hinh": 18, "email": 30, "dien_thoai": 16}


def _row(unit: Unit) -> list[str | int | date | None]:
    return [
        unit.code, unit.name, KIND_LABELS[unit.kind], unit.parent_code,
        CATEGORY_LABELS[unit.category] if unit.category else None, unit.member_count,
        unit.contacts.email, unit.contacts.phone, unit.contacts.webhook, unit.route_via, unit.led_by,
        unit.valid_from, unit.valid_to,
    ]


def _add_lists(book: Workbook, sheet: Worksheet, columns: list[str], last_row: int) -> None:
    """Drop-down lists for the kind and category columns, from a hidden sheet (a list written inline is limited
    to 255 characters)."""
    lists = book.create_sheet(_LISTS_SHEET)
    lists.sheet_state = "hidden"
    for r, label in enumerate(KIND_LABELS.values(), start=1):
        lists.cell(r, 1, label)
    for r, label in enumerate(CATEGORY_LABELS.values(), start=1):
        lists.cell(r, 2, label)
    for col, letter_in_lists, size, what in (("loai", "A", len(KIND_LABELS), "loại đơn vị"),
                                              ("loai_hinh", "B", len(CATEGORY_LABELS), "loại hình")):
        letter = get_column_letter(columns.index(col) + 1)
        rule = DataValidation(type="list", formula1=f"'{_LISTS_SHEET}'!${letter_in_lists}$1:${letter_in_lists}${size}",
                              allow_blank=True, showErrorMessage=True, errorTitle="Giá trị không có trong danh sách",
                              error=f"Hãy chọn một {what} trong danh sách.")
        sheet.add_data_validation(rule)
        rule.add(f"{letter}3:{letter}{last_row}")
