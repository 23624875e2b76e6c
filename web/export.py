"""A filtered list as a spreadsheet: .csv (UTF-8 with a byte-order mark, which Excel needs to read Vietnamese)
or .xlsx (openpyxl in write-only mode, a header row with an autofilter and frozen panes).

Both are produced row by row from a batched query, so a national list does not sit in memory: the CSV is
streamed as it is written; the workbook is written to a temporary file (a zip needs its directory at the
end) and then streamed from it.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from formats.spreadsheet import as_text, to_csv, write_only
from rollout.status import STATUS_LABELS
from schedules.render import format_short, to_local
from web.lists import Line
from web.queries import kind_label

HEADERS = ["STT", "Đơn vị", "Mã đơn vị", "Thuộc", "Loại đơn vị", "Nội dung", "Kỳ", "Hạn", "Số ngày quá hạn",
           "Trạng thái", "Bậc đôn đốc", "Thời điểm nộp"]
WIDTHS = [7, 40, 26, 30, 22, 46, 6, 18, 10, 24, 10, 18]
CHUNK = 64 * 1024


# Labels by code, looked up once per export rather than once per row (a province's list has tens of thousands).
_KIND_LABELS: dict[str, str] = {}
_STATUS_LABELS = {s.value: label for s, label in STATUS_LABELS.items()}


def _kind(kind: str) -> str:
    label = _KIND_LABELS.get(kind)
    if label is None:
        label = _KIND_LABELS[kind] = kind_label(kind)
    return label


def _values(rank: int, line: Line) -> list[object]:
    o, u = line.obligation, line.unit
    return [rank, u.name, u.code, line.area, _kind(u.kind), line.title, o.period or "", o.due_at,
            line.days_late if line.days_late is not None else "", _STATUS_LABELS[o.status], o.escalation_step,
            o.submitted_at]


def csv_chunks(lines: Iterable[Line]) -> Iterator[bytes]:
    """The list as CSV bytes, in chunks; instants as people write them, in Vietnam's time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    shown: dict[datetime, str] = {}  # deadlines repeat: one per level and period

    def cell(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, datetime):
            text = shown.get(value)
            if text is None:
                text = shown[value] = format_short(value)
            return text
        return to_csv(value)

    for rank, line in enumerate(lines, start=1):
        writer.writerow([cell(v) for v in _values(rank, line)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(lines: Iterable[Line], title: str) -> tempfile.SpooledTemporaryFile[bytes]:
    """The list as a workbook in a temporary file, rewound; dates are real dates in Vietnam's time."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Danh sách")
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    heading = as_text(WriteOnlyCell(sheet, value=title))
    heading.font = Font(bold=True, size=12)
    sheet.append([heading])
    header_cells = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E6EBF1")
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for count, line in enumerate(lines, start=1):
        row: list[object] = []
        for value in _values(count, line):
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=to_local(value).replace(tzinfo=None))
                cell.number_format = "dd/mm/yyyy hh:mm"
                row.append(cell)
            else:
                row.append(write_only(sheet, value))
        sheet.append(row)
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(HEADERS))}{count + 2}"
    # Handed to the caller, which streams it and closes it.
    out: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return out


def file_chunks(handle: tempfile.SpooledTemporaryFile[bytes]) -> Iterator[bytes]:
    """The file's bytes in chunks, closing it at the end."""
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
