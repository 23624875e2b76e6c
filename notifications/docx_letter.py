"""The đôn đốc letter as a printable .docx in the Party document form: A4, Times New Roman, two-column header."""

from __future__ import annotations

import io
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.run import _RunContentAppender
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from formats import number
from notifications.channels import Attachment
from notifications.context import LetterContext
from notifications.forms import HEADER_CHARS, header_lines
from notifications.render import SUBJECT_SUFFIX, format_due, render_template
from schedules.render import format_day, format_day_long

__all__ = ["DOCX_MIME", "build_letter", "letter_attachment", "letter_filename", "new_document"]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEMPLATE = "cong_van_don_doc"
FONT = "Times New Roman"
# The form's columns: issuing body on the left, the Party's name and the date on the right.
_PAGE_WIDTH = Cm(21.0) - Cm(3.0) - Cm(2.0)
_HEADER_LEFT = Cm(7.8)
_FOOTER_LEFT = Cm(8.0)


def _set_font(style_or_run, size: Pt) -> None:
    font = style_or_run.font
    font.name = FONT
    font.size = size
    # Word picks the east-Asian slot for some Vietnamese characters; without this they fall back to another font.
    rpr = style_or_run.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


# A document number ("47-KH/TU", "412-CV/TĐTN-PT", "30/2020/NĐ-CP"): a word holding both a slash and a hyphen.
_DOCUMENT_NUMBER = re.compile(r"[^\s/]*/\S*-\S*|\S*-[^\s/]*/\S*")


def _add_text(run: Run, text: str) -> None:
    """Text into a run, the hyphens of document numbers as Word's non-breaking hyphen (U+2011, stored as
    w:noBreakHyphen), so "47-" never ends a line with "KH/TU" on the next; text extraction still reads "-"."""
    chunks: list[str | None] = []  # None: a non-breaking hyphen
    start = 0
    for match in _DOCUMENT_NUMBER.finditer(text):
        chunks.append(text[start:match.start()])
        for index, part in enumerate(match.group().split("-")):
            chunks += [None, part] if index else [part]
        start = match.end()
    chunks.append(text[start:])
    for chunk in chunks:
        if chunk is None:
            run._r.append(OxmlElement("w:noBreakHyphen"))
        elif chunk:
            # The appender turns line breaks and tabs into their elements, as run.text does.
            _RunContentAppender.append_to_run_from_text(run._r, chunk)


def _line(
    paragraph: Paragraph, text: str, *, size: int = 14, bold: bool = False,
    italic: bool = False, underline: bool = False,
) -> None:
    run = paragraph.add_run()
    _add_text(run, text)
    run.font.size = Pt(size)
    run.bold = bold
    run.italic = italic
    run.underline = underline


def _paragraph(cell_or_doc, align=WD_ALIGN_PARAGRAPH.CENTER, *, first: bool = False) -> Paragraph:
    # A new table cell already holds one empty paragraph; reuse it so no blank line opens the cell.
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    return paragraph


# Word rejects a tblPr whose children are out of the schema's order (python-docx appends some at the end).
_TBLPR_ORDER = [
    qn(f"w:{tag}")
    for tag in (
        "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
        "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
    )
]


def _borderless(table: Table, widths: list) -> None:
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)
    children = sorted(tbl_pr, key=lambda el: _TBLPR_ORDER.index(el.tag) if el.tag in _TBLPR_ORDER else 99)
    for child in children:
        tbl_pr.append(child)
    # Both the grid and each cell carry the width: LibreOffice reads the first, Word the second.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _header(doc, ctx: LetterContext, subject: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [_HEADER_LEFT, _PAGE_WIDTH - _HEADER_LEFT])
    left: _Cell = table.cell(0, 0)
    right: _Cell = table.cell(0, 1)
    first = True
    if ctx.issuer.parent:
        _line(_paragraph(left, first=True), "\n".join(header_lines(ctx.issuer.parent.upper())))
        first = False
    _line(_paragraph(left, first=first), "\n".join(header_lines(ctx.issuer.name.upper())), bold=True)
    _line(_paragraph(left), ctx.family.star)
    _line(_paragraph(left), ctx.number_text)
    # The trích yếu says what the letter is about; the recipient and deadline that tell e-mails apart stay in
    # the e-mail subject, since the letter names them in "Kính gửi" and in its body.
    _line(_paragraph(left), subject.split(" — ")[0], size=12, italic=True)
    _line(_paragraph(right, first=True), ctx.family.national, size=15, bold=True, underline=True)
    _paragraph(right)
    _line(_paragraph(right), f"{ctx.place}, {format_day_long(ctx.issued_on)}", italic=True)


def _body(doc, ctx: LetterContext, override_dir: Path | None) -> None:
    addressee = _paragraph(doc)
    addressee.paragraph_format.space_before = Pt(18)
    addressee.paragraph_format.space_after = Pt(12)
    _line(addressee, "Kính gửi: ", bold=True)
    _line(addressee, ctx.recipient)
    body = render_template(f"{TEMPLATE}.than.txt", ctx, override_dir=override_dir)
    for text in filter(None, (line.strip() for line in body.splitlines())):
        paragraph = _paragraph(doc, WD_ALIGN_PARAGRAPH.JUSTIFY)
        paragraph.paragraph_format.first_line_indent = Cm(1.0)
        paragraph.paragraph_format.space_after = Pt(6)
        _line(paragraph, text)


def _footer(doc, ctx: LetterContext, override_dir: Path | None) -> None:
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, [_FOOTER_LEFT, _PAGE_WIDTH - _FOOTER_LEFT])
    left: _Cell = table.cell(0, 0)
    right: _Cell = table.cell(0, 1)
    _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT, first=True), "Nơi nhận:", bold=True, italic=True, underline=True)
    copies = render_template(f"{TEMPLATE}.noi_nhan.txt", ctx, override_dir=override_dir)
    for text in filter(None, (line.strip() for line in copies.splitlines())):
        _line(_paragraph(left, WD_ALIGN_PARAGRAPH.LEFT), text, size=12)
    # The distribution list and the signature stay on one page: a signature alone on a page is not signed.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    signature = ctx.signature
    collective = f"{signature.form} {signature.collective.upper()}"
    if len(collective) > HEADER_CHARS:
        # "TL. BAN THƯỜNG VỤ TỈNH ĐOÀN" is too wide for the column: the committee's name goes on its own line
        # rather than the printer leaving "ĐOÀN" alone.
        collective = collective.replace(" BAN THƯỜNG VỤ ", " BAN THƯỜNG VỤ\n", 1)
    _line(_paragraph(right, first=True), collective, bold=True)
    _line(_paragraph(right), signature.title.upper(), bold=True)
    # Room for the handwritten signature and the seal.
    for _ in range(3):
        _paragraph(right)
    _line(_paragraph(right), signature.name, bold=True)


def _annex(doc: DocumentObject, ctx: LetterContext) -> None:
    """The late units of the recipient's subtree on a page of their own, as the body says "danh sách kèm theo"."""
    title = _paragraph(doc)
    title.paragraph_format.page_break_before = True
    _line(title, f"DANH SÁCH {ctx.family.organisations.upper()} CHƯA HOÀN THÀNH NHIỆM VỤ", bold=True)
    doc_number = ctx.number or f"      -CV/{ctx.issuer.code}"
    _line(_paragraph(doc), f"(Kèm theo Công văn số {doc_number} ngày {format_day(ctx.issued_on)}"
          f" của {ctx.requester or ctx.issuer.name})", size=13, italic=True)
    _paragraph(doc)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("STT", "Đơn vị", "Nội dung chưa hoàn thành"), strict=True):
        _line(_paragraph(cell, first=True), text, size=12, bold=True)
    for index, unit in enumerate(ctx.late_units, 1):
        items = "; ".join(
            f"{o.description} (hạn {format_due(o.due) if o.due else 'không ghi'}"
            f"{f', quá hạn {number(o.days_overdue)} ngày làm việc' if o.days_overdue else ''})"
            for o in unit.items)
        cells = table.add_row().cells
        for cell, text, align in ((cells[0], str(index), WD_ALIGN_PARAGRAPH.CENTER),
                                  (cells[1], unit.name, WD_ALIGN_PARAGRAPH.LEFT),
                                  (cells[2], items, WD_ALIGN_PARAGRAPH.LEFT)):
            _line(_paragraph(cell, align, first=True), text, size=12)
    table.autofit = False
    widths = (Cm(1.2), Cm(6.0), _PAGE_WIDTH - Cm(7.2))
    # Both the grid and each cell carry the width: LibreOffice reads the first, Word the second.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


# Styles a letter or a report uses; python-docx's default template carries hundreds more (and a second
# copy of them all in stylesWithEffects.xml), which made every letter cost ~20 ms to open and save.
KEPT_STYLES = {"Normal", "DefaultParagraphFont", "TableNormal", "TableGrid", "NoList"}
_RELS_DROPPED = ("stylesWithEffects", "thumbnail", "customXml")


@lru_cache(maxsize=1)
def _lean_template() -> bytes:
    """The default template without unused styles and parts, set up for the Party document form:
    A4, margins 2/2/3/2 cm, Times New Roman 14."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
    _set_font(doc.styles["Normal"], Pt(14))
    styles = doc.styles.element
    for style in list(styles):
        style_id = style.get(qn("w:styleId"))
        if style.tag == qn("w:latentStyles") or (style.tag == qn("w:style") and style_id not in KEPT_STYLES):
            styles.remove(style)
    for owner in (doc.part, doc.part.package):
        for rel_id, rel in list(owner.rels.items()):
            if any(word in rel.reltype for word in _RELS_DROPPED):
                owner.rels.pop(rel_id)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def new_document() -> DocumentObject:
    """A blank A4 document in the Party document form (letters and reports start here)."""
    return Document(io.BytesIO(_lean_template()))


def build_letter(ctx: LetterContext, *, override_dir: Path | None = None) -> bytes:
    """The letter as .docx bytes on A4 (margins 2/2/3/2 cm), Times New Roman 14, ready to print and sign."""
    doc = new_document()
    subject = " ".join(render_template(TEMPLATE + SUBJECT_SUFFIX, ctx, override_dir=override_dir).split())
    doc.core_properties.title = subject
    doc.core_properties.author = ctx.issuer.name
    doc.core_properties.language = "vi-VN"
    _header(doc, ctx, subject)
    _body(doc, ctx, override_dir)
    _footer(doc, ctx, override_dir)
    if ctx.late_units:
        _annex(doc, ctx)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")


def letter_filename(ctx: LetterContext) -> str:
    """An ASCII file name that tells letters apart: directive number and recipient, without diacritics."""
    return f"cong-van-don-doc_{_ascii_slug(ctx.directive.number)}_{_ascii_slug(ctx.recipient)[:60]}.docx"


def letter_attachment(ctx: LetterContext, *, override_dir: Path | None = None) -> Attachment:
    """The letter ready to attach to the đôn đốc email."""
    return Attachment(letter_filename(ctx), build_letter(ctx, override_dir=override_dir), DOCX_MIME)
