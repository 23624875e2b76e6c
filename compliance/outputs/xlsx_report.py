"""The run's figures as a workbook: one summary sheet per directive, one sheet per level of each directive."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from compliance.model import ComplianceReport, Counts
from formats.spreadsheet import as_text, write_only
from notifications.forms import DOAN, PARTY
from schedules.render import format_day

__all__ = ["build_xlsx", "sheet_names"]

PERCENT = "0.0%"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
# A write-only worksheet; its type stub lacks what it copies from Worksheet (page_setup, auto_filter, …).
Sheet = Any
_COUNT_HEADERS = [
    "Đúng hạn", "Trễ hạn", "Quá hạn", "Đang thực hiện", "Chưa đến hạn", "Miễn", "Tổng số", "Tỷ lệ đúng hạn",
]


def _sheet_title(text: str) -> str:
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    return re.sub(r"[\[\]:*?/\\]", "-", text)[:31]


def sheet_names(report: ComplianceReport) -> list[str]:
    """The directive's summary sheet, then one sheet per level: "47-KH-TU", "47-KH-TU cấp 1", …"""
    base = _sheet_title(report.number)
    return [base, *(_sheet_title(f"{base[:24]} cấp {level}") for level in report.units_by_level())]


def _counts(counts: Counts) -> list[object]:
    return [counts.done_on_time, counts.done_late, counts.overdue, counts.open, counts.pending, counts.waived,
            counts.total, counts.share_on_time]


def _styled(sheet: Sheet, value: object, *, font: Font | None = None, fill: PatternFill | None = None,
            alignment: Alignment | None = None, number_format: str | None = None) -> object:
    """A cell that carries a style, or the value itself (a plain cell is written without an object of its own)."""
    if font is None and fill is None and alignment is None and number_format is None:
        return write_only(sheet, value)
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]  # a cell value, as append takes it
    as_text(cell)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _write(sheet: Sheet, title: str, headers: list[str], rows: list[list[object]], widths: list[int],
           percent_columns: set[int], *, bold_last: bool = False) -> None:
    """Rows streamed to a write-only sheet (a national directive has 300,000 units): what sits above the rows
    (widths, frozen panes, fit to page) is set before the first row, as the streaming writer requires."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C3"  # title and header rows, and the unit's name, stay in view
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.append([_styled(sheet, title, font=Font(bold=True, size=13))])
    header = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet.append([_styled(sheet, text, font=_HEADER_FONT, fill=_HEADER_FILL, alignment=header) for text in headers])
    last = len(rows) - 1
    for number, row in enumerate(rows):
        if bold_last and number == last:
            sheet.append([_styled(sheet, value, font=_HEADER_FONT, number_format=PERCENT
                                  if column in percent_columns else None) for column, value in enumerate(row, 1)])
            continue
        # Most cells are counts: only texts are checked for formulas and only shares carry a style.
        cells = [write_only(sheet, value) if isinstance(value, str) else value for value in row]
        for column in percent_columns:
            cells[column - 1] = _styled(sheet, row[column - 1], number_format=PERCENT)
        sheet.append(cells)
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{len(rows) + 2}"
    # Printed on A4 landscape, as wide as one page, the header rows on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.print_title_rows = "1:2"


def _summary(sheet: Sheet, report: ComplianceReport) -> None:
    headers = ["STT", "Đơn vị cấp huyện", "Số tổ chức", *_COUNT_HEADERS, "Thay đổi tỷ lệ so với tuần trước",
               "Hoàn thành thêm", "Quá hạn tăng thêm"]
    rows = [[i, d.name, d.units, *_counts(d.counts), d.share_change, d.done_change, d.overdue_change]
            for i, d in enumerate(report.districts, 1)]
    whole = DOAN.whole if report.family == DOAN.key else PARTY.whole
    rows.append(["", whole, sum(lv.units for lv in report.levels), *_counts(report.totals), None, None, None])
    title = f"{report.kind_name} số {report.number} – số liệu tuần {format_day(report.week)}"
    _write(sheet, title, headers, rows, [6, 36, 10, 10, 10, 10, 12, 12, 8, 10, 12, 14, 12, 12], {11, 12},
           bold_last=True)


def _level(sheet: Sheet, report: ComplianceReport, level: int) -> None:
    units = report.units_by_level()[level]
    overdue = {u.code: u for u in report.overdue}
    headers = ["Mã", "Tên đơn vị", "Đơn vị cấp huyện", *_COUNT_HEADERS, "Mức đôn đốc", "Số ngày làm việc quá hạn"]
    rows = [[u.code, u.name, u.district or "", *_counts(u.counts), u.escalation_step,
             overdue[u.code].days_overdue if u.code in overdue else None] for u in units]
    words = DOAN if report.family == DOAN.key else PARTY
    title = f"{report.kind_name} số {report.number} – {words.organisations} cấp {level}, tuần {format_day(report.week)}"
    _write(sheet, title, headers, rows, [26, 40, 30, 10, 10, 10, 12, 12, 8, 10, 12, 10, 12], {11})


def build_xlsx(reports: list[ComplianceReport]) -> bytes:
    """A workbook with, for each report, its summary per district and one sheet per level; percentages formatted."""
    book = Workbook(write_only=True)
    for report in reports:
        names = sheet_names(report)
        _summary(book.create_sheet(names[0]), report)
        for name, level in zip(names[1:], report.units_by_level(), strict=True):
            _level(book.create_sheet(name), report, level)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
