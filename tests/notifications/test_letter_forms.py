"""Letters in the issuer's own form: Party committee, bloc committee and Đoàn, read on the .docx and as e-mails."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from email import policy
from email.parser import BytesParser

import docx
import pytest

from notifications.channels import Envelope, build_email
from notifications.context import ContactLine, CopyRecipient, EventLine, Issuer, ObligationLine, OverdueUnit, Signature
from notifications.docx_letter import build_letter
from notifications.forms import DOAN, PARTY, header_lines, lower_units_phrase, organisation_form
from notifications.preview import sample_context
from notifications.render import available_templates, render_message

LONG = ("Báo cáo kết quả chỉ đạo điểm tổ chức Diễn đàn “Vai trò của chi bộ Đảng trong việc giáo dục, quản lý cán bộ, "
        "đảng viên để ngăn chặn, đẩy lùi sự suy thoái về tư tưởng chính trị, đạo đức, lối sống”")


def _cell_lines(document, table: int, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for p in document.tables[table].cell(0, column).paragraphs if p.text]


def _letter_for(name: str, kind: str, root: str | None, recipient: str):  # type: ignore[no-untyped-def]
    form = organisation_form(name, kind, root_name=root)
    base = sample_context("cong_van_don_doc")
    line = ObligationLine(LONG, date(2017, 6, 30), base.directive, "Ban Thường vụ", days_overdue=5)
    late = [OverdueUnit(f"Chi {'đoàn' if form.family is DOAN else 'bộ'} số {i}", [line]) for i in range(1, 4)]
    return form, replace(
        base, issuer=Issuer(form.header_name, form.header_above, "X"), recipient=recipient, overdue=[line],
        family=form.family, requester=form.standing_committee, late_units=late, first_due=date(2017, 6, 30),
        signature=Signature("Chánh Văn phòng", "Lê Văn B", form.family.form("T/L"), form.collective()),
        copies=[CopyRecipient(form.standing, "để b/c")], filing=form.filing,
        contact=ContactLine("Lê Văn C", "Chuyên viên", "0233 3852 345"),
        event=EventLine("Diễn đàn cấp tỉnh", "14 giờ 00, thứ Năm, ngày 27/6/2024", "Hội trường"),
    )


@pytest.mark.parametrize(
    ("name", "kind", "root", "recipient", "header", "national", "signer", "word"),
    [
        ("Tỉnh ủy Quảng Trị", "tinh_uy", None, "Huyện ủy Hải Lăng", ["TỈNH ỦY QUẢNG TRỊ", "*"],
         "ĐẢNG CỘNG SẢN VIỆT NAM", ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", "Lê Văn B"], "tổ chức đảng"),
        ("Đảng ủy Khối các cơ quan tỉnh", "dang_uy_truc_thuoc", "Tỉnh ủy Quảng Trị", "Đảng bộ Sở Tài chính",
         ["ĐẢNG BỘ TỈNH QUẢNG TRỊ", "ĐẢNG ỦY KHỐI\nCÁC CƠ QUAN TỈNH", "*"], "ĐẢNG CỘNG SẢN VIỆT NAM",
         ["T/L BAN THƯỜNG VỤ", "CHÁNH VĂN PHÒNG", "Lê Văn B"], "tổ chức đảng"),
        ("Đoàn Khối các cơ quan tỉnh", "doan_khoi", "Tỉnh đoàn Quảng Trị", "Đoàn cơ sở Sở Y tế",
         ["TỈNH ĐOÀN QUẢNG TRỊ", "BCH ĐOÀN KHỐI\nCÁC CƠ QUAN TỈNH", "***"], "ĐOÀN TNCS HỒ CHÍ MINH",
         ["TL. BAN THƯỜNG VỤ\nĐOÀN KHỐI", "CHÁNH VĂN PHÒNG", "Lê Văn B"], "tổ chức đoàn"),
    ],
)
def test_letter_speaks_in_the_form_of_its_issuer(name, kind, root, recipient, header, national, signer, word) -> None:  # type: ignore[no-untyped-def]
    form, context = _letter_for(name, kind, root, recipient)
    letter = docx.Document(io.BytesIO(build_letter(context)))
    left = _cell_lines(letter, 0, 0)
    assert left[: len(header)] == header
    assert left[len(header)].startswith(form.family.number_label + " ")
    assert _cell_lines(letter, 0, 1)[0] == national
    assert _cell_lines(letter, 1, 1) == signer
    copies = _cell_lines(letter, 1, 0)
    assert copies[1] == "- Như trên," and copies[-1] == f"- {form.filing}."
    assert not any(name in line and "b/c" in line for line in copies)  # the issuer never reports to itself
    text = "\n".join(p.text for p in letter.paragraphs)
    assert f"DANH SÁCH CÁC {word.upper()} CHƯA HOÀN THÀNH NHIỆM VỤ" in text
    assert "ngày làm việc" in text and "0233 3852 345" in text and "Diễn đàn cấp tỉnh" in text
    if form.family is DOAN:
        assert "đảng" not in text.replace("Đảng", "").split("Thực hiện", 1)[1].split("“")[0]
    assert context.first_due is not None
    assert "(hạn 30/6/2017)" in render_message("cong_van_don_doc", context).subject


def test_header_names_break_between_words_and_the_file_copy_names_the_office() -> None:
    assert header_lines("BCH ĐOÀN KHỐI CÁC CƠ QUAN TỈNH") == ["BCH ĐOÀN KHỐI", "CÁC CƠ QUAN TỈNH"]
    assert header_lines("BCH ĐOÀN TỈNH TRÀ VINH") == ["BCH ĐOÀN TỈNH TRÀ VINH"]
    assert header_lines("ĐẢNG ỦY CƠ QUAN ỦY BAN NHÂN DÂN TỈNH") == ["ĐẢNG ỦY CƠ QUAN", "ỦY BAN NHÂN DÂN TỈNH"]
    assert header_lines("BCH ĐOÀN TRƯỜNG ĐẠI HỌC TRÀ VINH") == ["BCH ĐOÀN TRƯỜNG", "ĐẠI HỌC TRÀ VINH"]
    assert organisation_form("Tỉnh ủy Quảng Trị", "tinh_uy").filing == "Lưu Văn phòng Tỉnh ủy"
    assert organisation_form("Tỉnh đoàn Trà Vinh", "tinh_doan").filing == "Lưu VP Tỉnh đoàn"
    department = organisation_form("Ban Tuyên giáo Tỉnh ủy Quảng Trị", "ban", committee="Tỉnh ủy Quảng Trị")
    assert department.filing == "Lưu Ban Tuyên giáo"


def test_directive_numbers_never_break_in_the_letter() -> None:
    _, context = _letter_for("Tỉnh ủy Quảng Trị", "tinh_uy", None, "Huyện ủy Hải Lăng")
    letter = docx.Document(io.BytesIO(build_letter(context)))
    subject = next(p for p in letter.tables[0].cell(0, 0).paragraphs if p.text.startswith("V/v"))
    # Word's non-breaking hyphen (U+2011) between "47" and "KH/TU"; text extraction reads it back as "-".
    assert "47-KH/TU" in subject.text
    assert subject._p.xpath(".//w:noBreakHyphen") and "47-" not in "".join(subject._p.xpath(".//w:t/text()"))


def test_vocabulary_of_the_two_families() -> None:
    assert PARTY.form("K/T") == "K/T" and DOAN.form("K/T") == "KT."
    assert lower_units_phrase(["huyen_uy", "dang_uy_truc_thuoc"]) == "các huyện, thị, thành ủy, đảng ủy trực thuộc"
    assert lower_units_phrase(["huyen_doan", "doan_khoi"]) == "các huyện, thị, thành đoàn, Đoàn Khối"
    assert organisation_form("Tỉnh đoàn Trà Vinh", "tinh_doan").header_name == "BCH ĐOÀN TỈNH TRÀ VINH"
    department = organisation_form("Ban Tuyên giáo Tỉnh ủy", "ban", committee="Tỉnh ủy Quảng Trị")
    assert (department.header_above, department.header_name) == ("TỈNH ỦY QUẢNG TRỊ", "BAN TUYÊN GIÁO")


def test_subjects_tell_recipients_apart() -> None:
    subjects = {
        render_message("cong_van_don_doc", _letter_for("Tỉnh ủy Quảng Trị", "tinh_uy", None, f"Huyện ủy {n}")[1])
        .subject for n in range(50)
    }
    assert len(subjects) == 50


@pytest.mark.parametrize("template", available_templates())
def test_long_vietnamese_subjects_survive_header_folding(template: str) -> None:
    """Every template's subject, made long and accented, reads back word for word from the encoded e-mail."""
    context = sample_context(template)
    for field in ("recipient",):
        context = replace(context, **{field: "Ban Thường vụ Đảng ủy xã Triệu Long, huyện Triệu Phong, tỉnh Quảng Trị"})
    if template == "cong_van_don_doc":
        context = replace(context, overdue=[replace(context.overdue[0], description=LONG)])
    message = render_message(template, context)
    assert len(message.subject) > 78  # long enough to fold
    envelope = Envelope(to=["a@b.vn"], cc=[], subject=message.subject, text=message.text, html=message.html,
                        idempotency_key="k")
    raw = build_email(envelope, "vp@tinhuy.dcs.vn").data
    decoded = BytesParser(policy=policy.default).parsebytes(raw)["Subject"]
    assert str(decoded) == message.subject
