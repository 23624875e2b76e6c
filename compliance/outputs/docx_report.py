"""The consolidated report (báo cáo tổng hợp tình hình triển khai) as .docx in the Party document form."""

from __future__ import annotations

import io
import re
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph

from compliance.model import ComplianceReport, Counts
from compliance.outputs.text import percent, points, short_department
from notifications.docx_letter import _HEADER_LEFT, _PAGE_WIDTH, _borderless, _line, _paragraph, new_document
from rollout.status import Status
from schedules.render import format_day, format_day_long, format_time, local_date

__all__ = ["build_docx", "report_number"]


def report_number(report: ComplianceReport) -> str:
    """"Số      -BC/BTGTU": the serial is left blank for the office to fill in when it registers the report."""
    body = report.number.split("/")[-1] if "/" in report.number else ""
    department = short_department(report.department_name or "", report.issuer_name)
    initials = "".join(word[0].upper() for word in department.split()) if report.department_name else ""
    return f"Số       -BC/{initials}{body}"


def _text(paragraph: Paragraph, text: str, **kwargs: Any) -> None:
    _line(paragraph, text, **{"size": 14, **kwargs})


def _body_paragraph(doc: DocumentObject, text: str = "", *, bold: bool = False, indent: bool = True) -> Paragraph:
    paragraph = _paragraph(doc, WD_ALIGN_PARAGRAPH.JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Cm(1.0) if indent else None
    paragraph.paragraph_format.space_after = Pt(6)
    if text:
        _text(paragraph, text, bold=bold)
    return paragraph


def _repeat_header(row: _Row) -> None:
    # The header row repeats on each printed page of a long table.
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(element)


def _table(
    doc: DocumentObject, headers: list[str], rows: list[list[str]], widths: list[float], *, size: int = 11
) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _line(_paragraph(cell, first=True), text, size=size, bold=True)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER
            _line(_paragraph(cell, align, first=True), text, size=size)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _count_sentence(counts: Counts) -> str:
    labels = [(Status.DONE_ON_TIME, counts.done_on_time), (Status.DONE_LATE, counts.done_late),
              (Status.OVERDUE, counts.overdue), (Status.OPEN, counts.open), (Status.PENDING, counts.pending),
              (Status.WAIVED, counts.waived)]
    return "; ".join(f"{status.label} {n}" for status, n in labels)


def _header(doc: DocumentObject, report: ComplianceReport) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [_HEADER_LEFT, _PAGE_WIDTH - _HEADER_LEFT])
    left, right = table.cell(0, 0), table.cell(0, 1)
    if report.department_name:
        _text(_paragraph(left, first=True), report.issuer_name.upper())
        _text(_paragraph(left), short_department(report.department_name, report.issuer_name).upper(), bold=True)
    else:
        _text(_paragraph(left, first=True), report.issuer_name.upper(), bold=True)
    _text(_paragraph(left), "*")
    _text(_paragraph(left), report_number(report))
    _line(_paragraph(right, first=True), "ĐẢNG CỘNG SẢN VIỆT NAM", size=15, bold=True, underline=True)
    _paragraph(right)
    place = f"{report.place}, " if report.place else ""
    _text(_paragraph(right), f"{place}{format_day_long(local_date(report.as_of))}", italic=True)


def _title(doc: DocumentObject, report: ComplianceReport) -> None:
    heading = _paragraph(doc)
    heading.paragraph_format.space_before = Pt(24)
    _text(heading, "BÁO CÁO", size=15, bold=True)
    subject = report.title[:1].lower() + report.title[1:]
    _text(_paragraph(doc), f"tổng hợp tình hình triển khai Kế hoạch số {report.number} ngày "
          f"{format_day(report.issued_on)} của {report.issuer_name} về {subject}", bold=True)
    as_of = _paragraph(doc)
    _text(as_of, f"(số liệu đến {format_time(report.as_of)} ngày {format_day(local_date(report.as_of))})", italic=True)
    rule = _paragraph(doc)
    rule.paragraph_format.space_after = Pt(12)
    _text(rule, "-----")


def _general(doc: DocumentObject, report: ComplianceReport) -> None:
    _body_paragraph(doc, "I. TÌNH HÌNH CHUNG", bold=True, indent=False)
    units = sum(level.units for level in report.levels)
    totals = report.totals
    _body_paragraph(doc, f"Tính đến {format_time(report.as_of)} ngày {format_day(local_date(report.as_of))}, "
                    f"{units} tổ chức đảng thuộc phạm vi triển khai có {totals.total} nhiệm vụ phải thực hiện; "
                    f"trong đó: {_count_sentence(totals)}. Tỷ lệ hoàn thành đúng hạn trên số nhiệm vụ đã đến hạn "
                    f"đạt {percent(totals.share_on_time)}; tỷ lệ hoàn thành trên số nhiệm vụ đã triển khai đạt "
                    f"{percent(totals.completion)}.")
    if report.previous_week is not None:
        done = sum(d.done_change or 0 for d in report.districts)
        late = sum(d.overdue_change or 0 for d in report.districts)
        _body_paragraph(doc, f"So với kỳ tổng hợp trước (tuần từ ngày {format_day(report.previous_week)}): "
                        f"hoàn thành thêm {done} nhiệm vụ; số nhiệm vụ quá hạn chưa hoàn thành "
                        f"{'tăng' if late > 0 else 'giảm' if late < 0 else 'không đổi'}"
                        f"{f' {abs(late)}' if late else ''}.")
    _body_paragraph(doc, "Kết quả theo từng cấp:")
    _table(doc, ["Cấp", "Số tổ chức", "Đúng hạn", "Trễ hạn", "Quá hạn", "Đang làm", "Chưa đến hạn", "Tỷ lệ đúng hạn"],
           [[str(lv.level), str(lv.units), str(lv.counts.done_on_time), str(lv.counts.done_late),
             str(lv.counts.overdue), str(lv.counts.open), str(lv.counts.pending), percent(lv.counts.share_on_time)]
            for lv in report.levels],
           [1.2, 2.0, 1.9, 1.9, 1.9, 1.9, 2.2, 2.9])


def _districts(doc: DocumentObject, report: ComplianceReport, chart_png: bytes | None) -> None:
    _body_paragraph(doc, "II. KẾT QUẢ CỦA CÁC HUYỆN, THỊ, THÀNH ỦY, ĐẢNG ỦY TRỰC THUỘC", bold=True, indent=False)
    _table(doc, ["STT", "Đơn vị", "Đúng hạn", "Trễ hạn", "Quá hạn", "Đang làm", "Tỷ lệ đúng hạn", "So với tuần trước"],
           [[str(i), d.name, str(d.counts.done_on_time), str(d.counts.done_late), str(d.counts.overdue),
             str(d.counts.open), percent(d.counts.share_on_time), points(d.share_change)]
            for i, d in enumerate(report.districts, 1)],
           [1.1, 4.6, 1.6, 1.6, 1.6, 1.6, 2.0, 1.9], size=11)
    _body_paragraph(doc, "(Cột “So với tuần trước”: thay đổi của tỷ lệ đúng hạn, tính bằng điểm phần trăm.)")
    if chart_png:
        picture = _paragraph(doc)
        picture.add_run().add_picture(io.BytesIO(chart_png), width=_PAGE_WIDTH)
        caption = _paragraph(doc)
        caption.paragraph_format.space_after = Pt(12)
        _line(caption, "Biểu đồ: tỷ lệ hoàn thành nhiệm vụ theo tuần của từng đơn vị cấp huyện", size=12, italic=True)


def _overdue(doc: DocumentObject, report: ComplianceReport) -> None:
    _body_paragraph(doc, "III. CÁC TỔ CHỨC ĐẢNG QUÁ HẠN CHƯA HOÀN THÀNH", bold=True, indent=False)
    grouped = report.overdue_by_level()
    if not grouped:
        _body_paragraph(doc, "Không có tổ chức đảng nào quá hạn chưa hoàn thành.")
    for index, (level, units) in enumerate(grouped.items(), 1):
        _body_paragraph(doc, f"{index}. Cấp {level}: {len(units)} tổ chức đảng", bold=True)
        _table(doc, ["STT", "Tổ chức đảng", "Thuộc", "Số việc quá hạn", "Hạn từ ngày", "Số ngày làm việc quá hạn",
                     "Mức đôn đốc"],
               [[str(i), u.name, u.belongs_to, str(u.overdue), format_day(u.overdue_since), str(u.days_overdue),
                 str(u.escalation_step)] for i, u in enumerate(units, 1)],
               [1.0, 3.6, 4.4, 1.6, 2.2, 2.0, 1.6], size=11)


def _closing(doc: DocumentObject, report: ComplianceReport) -> None:
    _body_paragraph(doc, "IV. ĐỀ XUẤT", bold=True, indent=False)
    via = f" (qua {short_department(report.department_name, report.issuer_name)})" if report.department_name else ""
    _body_paragraph(doc, "Đề nghị các huyện, thị, thành ủy, đảng ủy trực thuộc chỉ đạo các tổ chức đảng quá hạn "
                    f"khẩn trương hoàn thành nhiệm vụ và báo cáo kết quả về Ban Thường vụ {report.issuer_name}{via} "
                    "theo đúng thời gian quy định.")
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [Cm(8.0), _PAGE_WIDTH - Cm(8.0)])
    left, right = table.cell(0, 0), table.cell(0, 1)
    _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT, first=True), "Nơi nhận:", size=12, bold=True, italic=True,
          underline=True)
    keeper = short_department(report.department_name, report.issuer_name) if report.department_name else "Văn phòng"
    initials = "".join(w[0].upper() for w in keeper.split())
    for text in (f"- Thường trực {report.issuer_name} (b/c),", "- Các huyện, thị, thành ủy, đảng ủy trực thuộc,",
                 f"- Lưu {initials}."):
        _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT), text, size=12)
    _text(_paragraph(right, first=True), "TRƯỞNG BAN" if report.department_name else "T/M BAN THƯỜNG VỤ", bold=True)
    for _ in range(5):  # room for the signature and the seal
        _paragraph(right)


def build_docx(report: ComplianceReport, chart_png: bytes | None = None) -> bytes:
    """The report as .docx bytes: A4, margins 2/2/3/2 cm, Times New Roman 14, tables in 11."""
    doc = new_document()
    doc.core_properties.title = re.sub(
        r"\s+", " ", f"Báo cáo tổng hợp tình hình triển khai Kế hoạch số {report.number}"
    )
    doc.core_properties.author = report.department_name or report.issuer_name
    doc.core_properties.language = "vi-VN"
    _header(doc, report)
    _title(doc, report)
    _general(doc, report)
    _districts(doc, report, chart_png)
    _overdue(doc, report)
    _closing(doc, report)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
