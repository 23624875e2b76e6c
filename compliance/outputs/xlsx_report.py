"""The run's figures as a workbook: one summary sheet per directive, one sheet per level of each directive."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from compliance.model import ComplianceReport, Counts
from formats.spreadsheet import as_text
from notifications.forms import DOAN, PARTY
from schedules.render import format_day

__all__ = ["build_xlsx", "sheet_names"]

PERCENT = "0.0%"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
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


def _write(sheet: Worksheet, title: str, headers: list[str], rows: list[list[object]], widths: list[int],
           percent_columns: set[int]) -> None:
    sheet.append([title])
    as_text(sheet["A1"]).font = Font(bold=True, size=13)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for number, row in enumerate(rows, start=3):  # below the title and the header row
        sheet.append(row)
        for column, value in enumerate(row, start=1):  # by address: sheet[max_row] rescans the sheet each time
            if isinstance(value, str):
                as_text(sheet.cell(row=number, column=column))
    for column in percent_columns:
        for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
            cell.number_format = PERCENT
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "C3"  # title and header rows, and the unit's name, stay in view
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(sheet.max_row, 2)}"
    # Printed on A4 landscape, as wide as one page, the header rows on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "1:2"


def _summary(sheet: Worksheet, report: ComplianceReport) -> None:
    headers = ["STT", "Đơn vị cấp huyện", "Số tổ chức", *_COUNT_HEADERS, "Thay đổi tỷ lệ so với tuần trước",
               "Hoàn thành thêm", "Quá hạn tăng thêm"]
    rows = [[i, d.name, d.units, *_counts(d.counts), d.share_change, d.done_change, d.overdue_change]
            for i, d in enumerate(report.districts, 1)]
    whole = DOAN.whole if report.family == DOAN.key else PARTY.whole
    rows.append(["", whole, sum(lv.units for lv in report.levels), *_counts(report.totals), None, None, None])
    title = f"Kế hoạch số {report.number} – số liệu tuần {format_day(report.week)}"
    _write(sheet, title, headers, rows, [6, 36, 10, 10, 10, 10, 12, 12, 8, 10, 12, 14, 12, 12], {11, 12})
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT


def _level(sheet: Worksheet, report: ComplianceReport, level: int) -> None:
    units = report.units_by_level()[level]
    overdue = {u.code: u for u in report.overdue}
    headers = ["Mã", "Tên đơn vị", "Đơn vị cấp huyện", *_COUNT_HEADERS, "Mức đôn đốc", "Số ngày làm việc quá hạn"]
    rows = [[u.code, u.name, u.district or "", *_counts(u.counts), u.escalation_step,
             overdue[u.code].days_overdue if u.code in overdue else None] for u in units]
    words = DOAN if report.family == DOAN.key else PARTY
    title = f"Kế hoạch số {report.number} – {words.organisations} cấp {level}, tuần {format_day(report.week)}"
    _write(sheet, title, headers, rows, [26, 40, 30, 10, 10, 10, 12, 12, 8, 10, 12, 10, 12], {11})


def build_xlsx(reports: list[ComplianceReport]) -> bytes:
    """A workbook with, for each report, its summary per district and one sheet per level; percentages formatted."""
    book = Workbook()
    if book.active is not None:  # the empty sheet a new workbook starts with
        book.remove(book.active)
    for report in reports:
        names = sheet_names(report)
        _summary(book.create_sheet(names[0]), report)
        for name, level in zip(names[1:], report.units_by_level(), strict=True):
            _level(book.create_sheet(name), report, level)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
