"""The đôn đốc letter as .docx: an office opens it, prints it on A4 and signs it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
from docx.oxml.ns import qn
from docx.shared import Pt

from notifications.context import CopyRecipient, Issuer, ObligationLine, Signature
from notifications.docx_letter import DOCX_MIME, build_letter, letter_attachment
from notifications.preview import sample_context


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _cell_lines(document, table: int, column: int) -> list[str]:
    return [p.text for p in document.tables[table].cell(0, column).paragraphs if p.text]


def test_header_has_issuer_star_number_and_subject_left_party_name_and_date_right() -> None:
    letter = _open(build_letter(replace(sample_context("cong_van_don_doc"), number="125-CV/TU")))
    assert _cell_lines(letter, 0, 0) == [
        "TỈNH ỦY QUẢNG TRỊ",
        "*",
        "Số 125-CV/TU",
        "V/v đôn đốc báo cáo kết quả chỉ đạo điểm tổ chức Diễn đàn",
    ]
    assert _cell_lines(letter, 0, 1) == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Đông Hà, ngày 10 tháng 7 năm 2017"]
    party = letter.tables[0].cell(0, 1).paragraphs[0].runs[0]
    assert party.bold and party.underline


def test_department_letter_names_its_committee_above_it_and_leaves_the_number_to_the_office() -> None:
    context = replace(
        sample_context("cong_van_don_doc"),
        issuer=Issuer("Ban Tuyên giáo", parent="Tỉnh ủy Quảng Trị", code="BTGTU"),
        signature=Signature(title="Phó Trưởng ban", name="Lê Thị Hoa", form="K/T", collective="Trưởng ban"),
    )
    letter = _open(build_letter(context))
    left = _cell_lines(letter, 0, 0)
    assert left[:3] == ["TỈNH ỦY QUẢNG TRỊ", "BAN TUYÊN GIÁO", "*"]
    assert left[3].startswith("Số ") and left[3].endswith("-CV/BTGTU") and left[3] != "Số -CV/BTGTU"
    assert _cell_lines(letter, 1, 1) == ["K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Lê Thị Hoa"]


def test_body_names_the_directive_and_lists_every_overdue_item() -> None:
    base = sample_context("cong_van_don_doc")
    overdue = [
        ObligationLine("Xây dựng kế hoạch thực hiện", date(2017, 4, 14), base.directive, days_overdue=87),
        ObligationLine("Tổ chức Diễn đàn tại chi bộ điểm", date(2017, 5, 31), base.directive, days_overdue=40),
        ObligationLine("Báo cáo kết quả chỉ đạo điểm", date(2017, 6, 30), base.directive, days_overdue=10),
    ]
    letter = _open(build_letter(replace(base, overdue=overdue)))
    body = [p.text for p in letter.paragraphs if p.text]
    assert body[0] == "Kính gửi: Ban Thường vụ Huyện ủy Gio Linh"
    assert body[1].startswith("Thực hiện Kế hoạch số 47-KH/TU, ngày 22/3/2017 của Ban Thường vụ Tỉnh ủy về")
    assert "chưa hoàn thành 3 nội dung sau:" in body[1]
    assert body[2:5] == [
        "- Xây dựng kế hoạch thực hiện (hạn ngày 14/4/2017, đã quá hạn 87 ngày làm việc);",
        "- Tổ chức Diễn đàn tại chi bộ điểm (hạn ngày 31/5/2017, đã quá hạn 40 ngày làm việc);",
        "- Báo cáo kết quả chỉ đạo điểm (hạn ngày 30/6/2017, đã quá hạn 10 ngày làm việc).",
    ]
    assert body[5].endswith("trước ngày 20/7/2017./.")


def test_footer_has_distribution_list_and_signature_block() -> None:
    context = replace(
        sample_context("cong_van_don_doc"),
        copies=[CopyRecipient("Thường trực Tỉnh ủy", "để b/c")],
        filing="Lưu VP",
    )
    letter = _open(build_letter(context))
    assert _cell_lines(letter, 1, 0) == [
        "Nơi nhận:",
        "- Như trên,",
        "- Thường trực Tỉnh ủy (để b/c),",
        "- Lưu VP.",
    ]
    assert _cell_lines(letter, 1, 1) == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC", "Nguyễn Văn Hùng"]


def test_page_is_a4_in_times_new_roman_with_borderless_tables() -> None:
    letter = _open(build_letter(sample_context("cong_van_don_doc")))
    section = letter.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 3.0
    normal = letter.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(14)
    for table in letter.tables:
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None and {edge.get(qn("w:val")) for edge in borders} == {"nil"}


def test_province_body_override_reaches_the_printed_letter(home: Path) -> None:
    (home / "templates").mkdir()
    (home / "templates" / "cong_van_don_doc.than.txt").write_text(
        "Đề nghị {{ recipient }} gửi báo cáo ngay./.", encoding="utf-8"
    )
    letter = _open(build_letter(sample_context("cong_van_don_doc")))
    assert "Đề nghị Ban Thường vụ Huyện ủy Gio Linh gửi báo cáo ngay./." in [p.text for p in letter.paragraphs]


def test_attachment_has_an_ascii_name_and_the_word_mime_type() -> None:
    attachment = letter_attachment(sample_context("cong_van_don_doc"))
    assert attachment.filename == "cong-van-don-doc_47-KH-TU_Ban-Thuong-vu-Huyen-uy-Gio-Linh.docx"
    assert attachment.mime == DOCX_MIME
    assert _open(attachment.content).tables[0].cell(0, 1).paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
