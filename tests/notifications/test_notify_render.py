"""Rendering: what a recipient reads in each message, and what goes wrong loudly instead of silently."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jinja2.sandbox import SecurityError

from formats import number as format_number
from notifications.context import DirectiveRef, ObligationLine, ReminderContext
from notifications.preview import preview, sample_context
from notifications.render import TemplateError, available_templates, render_message

TEMPLATES = ["thong_bao_trien_khai", "nhac_han", "cong_van_don_doc", "leo_thang"]
PLAN = DirectiveRef("47-KH/TU", "tổ chức Diễn đàn", date(2017, 3, 22), "Ban Thường vụ Tỉnh ủy")


def _is_nfc(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_subject_text_and_html_in_vietnamese(name: str) -> None:
    message = preview(name)
    assert "\n" not in message.subject and message.subject
    assert message.subject.startswith(("[Triển khai]", "[Nhắc hạn]", "V/v đôn đốc", "[Quá hạn]"))
    assert "47-KH/TU" in message.text and "47-KH/TU" in message.html
    assert message.html.lstrip().startswith("<!DOCTYPE html>") and 'lang="vi"' in message.html
    assert all(_is_nfc(part) for part in (message.subject, message.text, message.html))


def test_new_directive_lists_what_the_unit_owes_and_by_when() -> None:
    message = preview("thong_bao_trien_khai")
    assert message.text.startswith("Kính gửi: Ban Thường vụ Huyện ủy Gio Linh\n")
    assert "Kế hoạch số 47-KH/TU, ngày 22/3/2017 của Ban Thường vụ Tỉnh ủy" in message.text
    assert "3 nội dung sau" in message.text
    assert "Hạn: ngày 30/6/2017; gửi kết quả về Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh ủy)." in message.text
    # A deadline with an hour is shown in local time with its weekday.
    assert "Hạn: 14 giờ 00, thứ Sáu, ngày 28/4/2017." in message.text


def test_reminder_for_ten_items_is_one_digest_listing_all_of_them() -> None:
    items = [ObligationLine(f"Báo cáo chuyên đề số {i}", date(2024, 6, 10 + i), PLAN) for i in range(1, 11)]
    context = ReminderContext("Đảng ủy xã Gio Linh", items, "Ban Tuyên giáo Tỉnh ủy", date(2024, 6, 5))
    message = render_message("nhac_han", context)
    assert message.subject == "[Nhắc hạn] 10 nội dung sắp đến hạn của Đảng ủy xã Gio Linh"
    for i in range(1, 11):
        assert f"{i}. Báo cáo chuyên đề số {i} (theo Kế hoạch số 47-KH/TU)" in message.text
        assert f"Hạn: ngày {10 + i}/6/2024." in message.text
    assert message.html.count("<li>") == 10


def test_reminder_for_one_item_names_it_in_the_subject() -> None:
    # Stored instants are UTC; the reader sees Vietnamese local time.
    item = ObligationLine("Báo cáo sơ kết 6 tháng", datetime(2024, 6, 19, 9, 0, tzinfo=UTC), PLAN)
    message = render_message("nhac_han", ReminderContext("Huyện ủy Gio Linh", [item], "Văn phòng", date(2024, 6, 17)))
    assert message.subject == "[Nhắc hạn] Báo cáo sơ kết 6 tháng (hạn 16 giờ 00, thứ Tư, ngày 19/6/2024)"


def test_missing_variable_raises_and_says_which_template_and_line() -> None:
    with pytest.raises(TemplateError) as caught:
        render_message("nhac_han", {"recipient": "Huyện ủy Gio Linh", "as_of": date(2024, 6, 5)})
    problem = caught.value.problems[0]
    assert "items" in problem.message and "thiếu giá trị" in problem.message
    assert problem.source == "nhac_han.subject.txt" and problem.line == 1


def test_unit_name_with_markup_is_escaped_in_html_but_kept_in_text_and_subject() -> None:
    evil = "<script>alert(1)</script>"
    context = replace(sample_context("thong_bao_trien_khai"), recipient=evil)
    message = render_message("thong_bao_trien_khai", context)
    assert "<script>" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in message.html
    assert f"Kính gửi: {evil}" in message.text


def test_letter_html_escapes_the_unit_name_in_every_place_it_appears() -> None:
    context = replace(sample_context("cong_van_don_doc"), recipient="<b>Huyện ủy</b>")
    html = render_message("cong_van_don_doc", context).html
    assert "<b>Huyện ủy</b>" not in html
    assert html.count("&lt;b&gt;Huyện ủy&lt;/b&gt;") >= 3


def test_decomposed_input_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Đảng ủy xã Hướng Hóa")
    context = replace(sample_context("nhac_han"), recipient=decomposed)
    message = render_message("nhac_han", context)
    assert "Đảng ủy xã Hướng Hóa" in message.text and "Đảng ủy xã Hướng Hóa" in message.subject


def test_unknown_template_lists_the_ones_that_exist() -> None:
    with pytest.raises(TemplateError) as caught:
        render_message("nhac_nho", {})
    assert "nhac_nho" in str(caught.value)
    for name in TEMPLATES:
        assert name in str(caught.value)


def test_province_override_replaces_only_the_files_it_provides(home: Path) -> None:
    (home / "templates").mkdir()
    (home / "templates" / "nhac_han.subject.txt").write_text(
        "Tỉnh ủy Quảng Trị nhắc: {{ items|length }} việc", encoding="utf-8"
    )
    message = preview("nhac_han")
    assert message.subject == "Tỉnh ủy Quảng Trị nhắc: 2 việc"
    # The body still comes from the packaged template.
    assert message.text.startswith("Kính gửi: Ban Thường vụ Huyện ủy Gio Linh")


def test_sandboxed_override_cannot_reach_python_internals(home: Path) -> None:
    (home / "templates").mkdir()
    (home / "templates" / "nhac_han.subject.txt").write_text("{{ ''.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        preview("nhac_han")
    assert isinstance(caught.value.__cause__, SecurityError)
    assert "không được phép" in str(caught.value)


def test_override_with_a_syntax_error_points_at_its_line(home: Path) -> None:
    (home / "templates").mkdir()
    (home / "templates" / "leo_thang.txt").write_text("Kính gửi: {{ recipient }}\n{% if units %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        preview("leo_thang")
    problem = caught.value.problems[0]
    assert problem.source == "leo_thang.txt" and problem.line == 2
    assert "cú pháp" in problem.message


def test_a_province_can_add_a_template_of_its_own(home: Path) -> None:
    folder = home / "templates"
    folder.mkdir()
    (folder / "moi_hop.subject.txt").write_text("Mời họp {{ unit }}", encoding="utf-8")
    (folder / "moi_hop.txt").write_text("Kính mời {{ unit }} dự họp.", encoding="utf-8")
    (folder / "moi_hop.html").write_text("<p>Kính mời {{ unit }} dự họp.</p>", encoding="utf-8")
    message = render_message("moi_hop", {"unit": "Huyện đoàn <Gio Linh>"})
    assert message.subject == "Mời họp Huyện đoàn <Gio Linh>"
    assert message.html == "<p>Kính mời Huyện đoàn &lt;Gio Linh&gt; dự họp.</p>"


def test_a_template_added_or_removed_while_messages_go_out_is_seen_at_the_next_message(home: Path) -> None:
    # The list of templates is kept between messages; a change to the folder must still show at once.
    folder = home / "templates"
    folder.mkdir()
    assert "moi_hop" not in available_templates()
    for suffix, text in ((".subject.txt", "Mời họp"), (".txt", "Kính mời dự họp."), (".html", "<p>Kính mời</p>")):
        (folder / f"moi_hop{suffix}").write_text(text, encoding="utf-8")
    assert render_message("moi_hop", {}).subject == "Mời họp"
    (folder / "moi_hop.subject.txt").unlink()
    with pytest.raises(TemplateError) as caught:
        render_message("moi_hop", {})
    assert "không có mẫu thông báo “moi_hop”" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5600000, "5.600.000"), (80, "80"), (1234.5, "1.234,5"), (-12000, "-12.000"), (2.0, "2")],
)
def test_numbers_are_grouped_with_dots(value: float, shown: str) -> None:
    assert format_number(value) == shown


def test_number_filter_is_available_to_templates(home: Path) -> None:
    folder = home / "templates"
    folder.mkdir()
    for suffix, body in ((".subject.txt", "Kinh phí"), (".txt", "{{ tien|so }} đồng"), (".html", "{{ tien|so }}")):
        (folder / f"kinh_phi{suffix}").write_text(body, encoding="utf-8")
    assert render_message("kinh_phi", {"tien": 5600000}).text == "5.600.000 đồng\n"


def test_sandboxed_override_cannot_change_the_data_it_is_given(home: Path) -> None:
    (home / "templates").mkdir()
    (home / "templates" / "nhac_han.subject.txt").write_text("{{ items.clear() }}Nhắc hạn", encoding="utf-8")
    context = sample_context("nhac_han")
    with pytest.raises(TemplateError) as caught:
        render_message("nhac_han", context)
    assert isinstance(caught.value.__cause__, SecurityError)
    assert len(context.items) == 2
