"""The consolidated report (báo cáo tổng hợp tình hình triển khai) as .docx in the Party document form."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph

from compliance.model import ComplianceReport, Counts, OverdueUnit
from compliance.outputs.text import short_department
from formats import number, percent, points
from notifications.docx_letter import _HEADER_LEFT, _PAGE_WIDTH, _borderless, _line, _paragraph, new_document
from notifications.forms import DOAN, PARTY, Family, about
from rollout.status import Status
from schedules.render import format_day, format_day_long, format_time, local_date

__all__ = ["build_docx", "report_number"]


def report_number(report: ComplianceReport) -> str:
    """"Số      -BC/BTGTU" (a Party department joins its initials to the committee's code), "Số      -BC/TĐTN-BPT"
    (the Đoàn puts the department after a hyphen); the serial is left blank for the office to fill in."""
    body = report.number.split("/")[-1] if "/" in report.number else ""
    department = short_department(report.department_name or "", report.issuer_name)
    initials = "".join(word[0].upper() for word in department.split()) if report.department_name else ""
    if report.family == DOAN.key:
        issuer = body.split("-")[0]
        return f"Số       -BC/{issuer}" + (f"-{initials}" if initials else "")
    return f"Số       -BC/{initials}{body}"


def _text(paragraph: Paragraph, text: str, **kwargs: Any) -> None:
    _line(paragraph, text, **{"size": 14, **kwargs})


def _body_paragraph(doc: DocumentObject, text: str = "", *, bold: bool = False, indent: bool = True) -> Paragraph:
    # A section heading that wraps is not stretched across the line as body text is.
    paragraph = _paragraph(doc, WD_ALIGN_PARAGRAPH.LEFT if bold else WD_ALIGN_PARAGRAPH.JUSTIFY)
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
    doc: DocumentObject, headers: list[str], rows: list[list[str]], widths: list[float], *, size: int = 11,
    names: int | None = 1,
) -> None:
    """A grid table; the column of names (`names`, none if None) is aligned left, figures are centred."""
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
            align = WD_ALIGN_PARAGRAPH.LEFT if index == names else WD_ALIGN_PARAGRAPH.CENTER
            _line(_paragraph(cell, align, first=True), text, size=size)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _words(report: ComplianceReport) -> Family:
    return DOAN if report.family == DOAN.key else PARTY


def _count_sentence(counts: Counts) -> str:
    labels = [(Status.DONE_ON_TIME, counts.done_on_time), (Status.DONE_LATE, counts.done_late),
              (Status.OVERDUE, counts.overdue), (Status.OPEN, counts.open), (Status.PENDING, counts.pending),
              (Status.WAIVED, counts.waived)]
    # Nothing waived and nothing not yet due are left out: a clerk would strike "miễn 0" from the draft.
    return "; ".join(f"{status.label} {number(n)}" for status, n in labels
                     if n or status not in (Status.WAIVED, Status.PENDING))


def _header(doc: DocumentObject, report: ComplianceReport) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [_HEADER_LEFT, _PAGE_WIDTH - _HEADER_LEFT])
    left, right = table.cell(0, 0), table.cell(0, 1)
    words = _words(report)
    if report.department_name:
        above = report.header_name or report.issuer_name.upper()
        _text(_paragraph(left, first=True), above)
        _text(_paragraph(left), short_department(report.department_name, report.issuer_name).upper(), bold=True)
    elif report.header_above:
        _text(_paragraph(left, first=True), report.header_above)
        _text(_paragraph(left), report.header_name, bold=True)
    else:
        _text(_paragraph(left, first=True), report.header_name or report.issuer_name.upper(), bold=True)
    _text(_paragraph(left), words.star)
    _text(_paragraph(left), report_number(report).replace("Số", words.number_label, 1))
    _line(_paragraph(right, first=True), words.national, size=15, bold=True, underline=True)
    _paragraph(right)
    place = f"{report.place}, " if report.place else ""
    _text(_paragraph(right), f"{place}{format_day_long(local_date(report.as_of))}", italic=True)


def _title(doc: DocumentObject, report: ComplianceReport) -> None:
    heading = _paragraph(doc)
    heading.paragraph_format.space_before = Pt(24)
    _text(heading, "BÁO CÁO", size=15, bold=True)
    _text(_paragraph(doc), f"tổng hợp tình hình triển khai {report.kind_name} số {report.number} ngày "
          f"{format_day(report.issued_on)} của {report.issuer_name} {about(report.title)}", bold=True)
    as_of = _paragraph(doc)
    _text(as_of, f"(số liệu đến {format_time(report.as_of)} ngày {format_day(local_date(report.as_of))})", italic=True)
    rule = _paragraph(doc)
    rule.paragraph_format.space_after = Pt(12)
    _text(rule, "-----")


def _general(doc: DocumentObject, report: ComplianceReport) -> None:
    words = _words(report)
    _body_paragraph(doc, "I. TÌNH HÌNH CHUNG", bold=True, indent=False)
    units = sum(level.units for level in report.levels)
    totals = report.totals
    _body_paragraph(doc, f"Tính đến {format_time(report.as_of)} ngày {format_day(local_date(report.as_of))}, "
                    f"{number(units)} {words.organisation} thuộc phạm vi triển khai có {number(totals.total)} nhiệm vụ "
                    f"phải thực hiện; trong đó: {_count_sentence(totals)}. Tỷ lệ hoàn thành đúng hạn trên số nhiệm vụ "
                    f"đã đến hạn đạt {percent(totals.share_on_time)}; tỷ lệ hoàn thành trên số nhiệm vụ đã triển khai "
                    f"đạt {percent(totals.completion)}.")
    if report.previous_week is not None:
        done = sum(d.done_change or 0 for d in report.districts)
        late = sum(d.overdue_change or 0 for d in report.districts)
        _body_paragraph(doc, f"So với kỳ tổng hợp trước (tuần từ ngày {format_day(report.previous_week)}): "
                        f"hoàn thành thêm {number(done)} nhiệm vụ; số nhiệm vụ quá hạn chưa hoàn thành "
                        f"{'tăng' if late > 0 else 'giảm' if late < 0 else 'không đổi'}"
                        f"{f' {number(abs(late))}' if late else ''}.")
    _body_paragraph(doc, "Kết quả theo từng cấp:")
    _table(doc, ["Cấp", "Số tổ chức", "Đúng hạn", "Trễ hạn", "Quá hạn", "Đang làm", "Chưa đến hạn", "Tỷ lệ đúng hạn"],
           [[str(lv.level), number(lv.units), number(lv.counts.done_on_time), number(lv.counts.done_late),
             number(lv.counts.overdue), number(lv.counts.open), number(lv.counts.pending),
             percent(lv.counts.share_on_time)] for lv in report.levels],
           [1.2, 2.0, 1.9, 1.9, 1.9, 1.9, 2.2, 2.9], names=None)


def _districts(doc: DocumentObject, report: ComplianceReport, chart_png: bytes | None) -> None:
    _body_paragraph(doc, f"II. KẾT QUẢ CỦA {report.lower_units.removeprefix('các ').upper()}", bold=True, indent=False)
    _table(doc, ["STT", "Đơn vị", "Đúng hạn", "Trễ hạn", "Quá hạn", "Đang làm", "Tỷ lệ đúng hạn", "So với tuần trước"],
           [[str(i), d.name, number(d.counts.done_on_time), number(d.counts.done_late), number(d.counts.overdue),
             number(d.counts.open), percent(d.counts.share_on_time), points(d.share_change)]
            for i, d in enumerate(report.districts, 1)],
           [1.3, 4.4, 1.6, 1.6, 1.6, 1.6, 2.0, 1.9], size=11)
    _body_paragraph(doc, "(Cột “So với tuần trước”: thay đổi của tỷ lệ đúng hạn, tính bằng điểm phần trăm.)")
    if chart_png:
        picture = _paragraph(doc)
        picture.add_run().add_picture(io.BytesIO(chart_png), width=_PAGE_WIDTH)
        caption = _paragraph(doc)
        caption.paragraph_format.space_after = Pt(12)
        _line(caption, "Biểu đồ: tỷ lệ hoàn thành nhiệm vụ theo tuần của từng đơn vị trực thuộc", size=12, italic=True)


def _figures(doc: DocumentObject, report: ComplianceReport) -> None:
    _body_paragraph(doc, "III. SỐ LIỆU CÁC ĐƠN VỊ ĐÃ BÁO CÁO", bold=True, indent=False)
    if not report.field_totals:
        _body_paragraph(doc, "Kế hoạch không quy định số liệu phải báo cáo.")
    for title, fields in report.field_totals:
        figures = "; ".join(f"{label.lower()}: {number(value)}" for label, value in fields)
        _body_paragraph(doc, f"- {title}: {figures}.")


def _assessment(doc: DocumentObject, report: ComplianceReport) -> None:
    """Đánh giá drafted from the figures, for the office to edit: best and weakest units, what holds things up."""
    words = _words(report)
    _body_paragraph(doc, "IV. ĐÁNH GIÁ", bold=True, indent=False)
    ranked = sorted((d for d in report.districts if d.counts.share_on_time is not None),
                    key=lambda d: (-(d.counts.share_on_time or 0), d.name))
    good = [d for d in ranked if (d.counts.share_on_time or 0) >= 0.8][:3]
    weak = [d for d in reversed(ranked) if (d.counts.share_on_time or 0) < 0.5][:3]
    best = ", ".join(f"{d.name} ({percent(d.counts.share_on_time)})" for d in good)
    _body_paragraph(doc, "1. Ưu điểm: " + (f"{best} thực hiện tốt, tỷ lệ hoàn thành đúng hạn từ 80% trở lên; "
                                           if good else "") + f"{number(report.totals.done)} nhiệm vụ đã hoàn thành.")
    overdue_units = len(report.overdue)
    worst = ", ".join(f"{d.name} ({percent(d.counts.share_on_time)})" for d in weak)
    _body_paragraph(doc, f"2. Hạn chế: còn {number(overdue_units)} {words.organisation} quá hạn chưa hoàn thành "
                    f"({number(report.totals.overdue)} nhiệm vụ)" + (f"; tỷ lệ đúng hạn thấp: {worst}" if weak else "")
                    + ".")
    chased = sum(1 for u in report.overdue if u.escalation_step >= 2)
    _body_paragraph(doc, f"3. Nguyên nhân: {number(chased)} {words.organisation} đã được đôn đốc bằng văn bản "
                    "nhưng chưa "
                    f"hoàn thành; một số {words.committees} chưa chỉ đạo, kiểm tra sát việc triển khai ở cấp dưới "
                    "(văn phòng bổ sung nguyên nhân cụ thể).")


def _proposal(doc: DocumentObject, report: ComplianceReport) -> None:
    words = _words(report)
    _body_paragraph(doc, "V. ĐỀ XUẤT", bold=True, indent=False)
    via = f" (qua {short_department(report.department_name, report.issuer_name)})" if report.department_name else ""
    receiver = report.standing_committee or f"Ban Thường vụ {report.issuer_name}"
    _body_paragraph(doc, f"Đề nghị {report.lower_units} chỉ đạo {words.organisations} quá hạn (danh sách tại phụ lục) "
                    f"khẩn trương hoàn thành nhiệm vụ và báo cáo kết quả về {receiver}{via} theo đúng thời gian quy "
                    "định.")


def _signature(doc: DocumentObject, report: ComplianceReport) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [Cm(8.0), _PAGE_WIDTH - Cm(8.0)])
    left, right = table.cell(0, 0), table.cell(0, 1)
    _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT, first=True), "Nơi nhận:", size=12, bold=True, italic=True,
          underline=True)
    # The file copy is kept by whoever compiled the report, written out as the letters write it ("Lưu Ban Tuyên
    # giáo"): initials ("Lưu BPT") are read by nobody outside that office.
    keeper = short_department(report.department_name, report.issuer_name) if report.department_name else "Văn phòng"
    above = [f"- {name} (b/c)," for name in report.report_to_above]
    standing = report.standing or f"Thường trực {report.issuer_name}"
    for text in (*above, f"- {standing} (b/c),", f"- {report.lower_units[:1].upper()}{report.lower_units[1:]},",
                 f"- Lưu {keeper}."):
        _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT), text, size=12)
    first = True
    for line in (report.signer_form, report.signer_title or "TRƯỞNG BAN"):
        if line:
            _text(_paragraph(right, first=first), line, bold=True)
            first = False
    for _ in range(4):  # room for the signature and the seal
        _paragraph(right)
    if report.signer_name:
        _text(_paragraph(right), report.signer_name, bold=True)


def _appendix(doc: DocumentObject, report: ComplianceReport) -> str | None:
    """Overdue units grouped by district on pages of their own. The table is returned as XML text and put in
    place of a marker paragraph after saving (`_splice`): python-docx adds a row in ~1 ms and parsing the
    text back costs as much again, while a national directive has 50,000 late units."""
    words = _words(report)
    title = _paragraph(doc)
    title.paragraph_format.page_break_before = True
    _text(title, f"PHỤ LỤC: DANH SÁCH {words.organisations.upper()} QUÁ HẠN CHƯA HOÀN THÀNH", bold=True)
    _line(_paragraph(doc), f"(Kèm theo Báo cáo tổng hợp tình hình triển khai {report.kind_name} số {report.number})",
          size=12, italic=True)
    if not report.overdue:
        _body_paragraph(doc, f"Không có {words.organisation} nào quá hạn chưa hoàn thành.")
        return None
    by_district: dict[str, list[OverdueUnit]] = {}
    for unit in report.overdue:
        by_district.setdefault(unit.district or report.issuer_name, []).append(unit)
    headers = ["STT", "Tên đơn vị", "Trực thuộc", "Số việc quá hạn", "Hạn từ ngày", "Ngày làm việc quá hạn"]
    widths = [1.2, 5.4, 4.4, 1.8, 2.2, 2.0]
    rows = [_row(headers, widths, bold=True, header=True)]
    for district, units in sorted(by_district.items()):
        rows.append(_row([f"{district} ({number(len(units))} đơn vị)"], [sum(widths)], bold=True))
        rows.extend(_row([str(i), u.name, u.parent or "", number(u.overdue), format_day(u.overdue_since),
                          number(u.days_overdue)], widths) for i, u in enumerate(units, 1))
    grid = "".join(f'<w:gridCol w:w="{_twips(w)}"/>' for w in widths)
    # A table may not be the last element of the body before the section properties: the marker is followed
    # by an empty paragraph.
    doc.add_paragraph(_MARKER)
    doc.add_paragraph()
    return ('<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
            '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            f'<w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


_MARKER = "trienkhai-appendix-table"


def _splice(package: bytes, xml: str) -> bytes:
    """The .docx with `xml` in place of the marker paragraph of word/document.xml, every other part copied."""
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                at = text.index(_MARKER)
                start = max(text.rfind("<w:p>", 0, at), text.rfind("<w:p ", 0, at))
                end = text.index("</w:p>", at) + len("</w:p>")
                data = (text[:start] + xml + text[end:]).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def _twips(cm: float) -> int:
    return round(cm * 567)


def _row(cells: list[str], widths: list[float], *, bold: bool = False, header: bool = False) -> str:
    props = "<w:trPr><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    span = len(cells) == 1
    out = []
    for text, width in zip(cells, widths, strict=True):
        grid = '<w:gridSpan w:val="6"/>' if span else ""
        run = (f'<w:r><w:rPr>{"<w:b/>" if bold else ""}<w:sz w:val="22"/></w:rPr>'
               f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r>')
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{_twips(width)}" w:type="dxa"/>{grid}</w:tcPr>'
                   f'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr>{run}</w:p></w:tc>')
    return f"<w:tr>{props}{''.join(out)}</w:tr>"


def build_docx(report: ComplianceReport, chart_png: bytes | None = None) -> bytes:
    """The report as .docx bytes: A4, margins 2/2/3/2 cm, Times New Roman 14, tables in 11; sections I–V, the
    signature, then the overdue units in an appendix grouped by district."""
    doc = new_document()
    doc.core_properties.title = re.sub(
        r"\s+", " ", f"Báo cáo tổng hợp tình hình triển khai {report.kind_name} số {report.number}")
    doc.core_properties.author = report.department_name or report.issuer_name
    doc.core_properties.language = "vi-VN"
    _header(doc, report)
    _title(doc, report)
    _general(doc, report)
    _districts(doc, report, chart_png)
    _figures(doc, report)
    _assessment(doc, report)
    _proposal(doc, report)
    _signature(doc, report)
    table = _appendix(doc, report)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue() if table is None else _splice(buffer.getvalue(), table)
