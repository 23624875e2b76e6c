"""The review page lists who attends and each quota rule, marked in the source line they were read from."""

from __future__ import annotations

from intake import draft_from_text
from tests.intake.test_draft import QUOTA_PLAN
from web.intake_view import extracted_values, source_lines


def test_participants_and_quota_rules_are_marked_where_they_were_read() -> None:
    draft = draft_from_text(QUOTA_PLAN)
    values = extracted_values(draft)
    shown = {(v.label, v.text, v.line) for v in values}
    assert ("Thành phần tham dự", "Ban Thường vụ Tỉnh đoàn", 12) in shown
    assert ("Số đại biểu", "120", 11) in shown
    assert ("Số đồng chí mỗi đơn vị (huyện ủy)", "2", 14) in shown
    assert ("Số đại biểu mỗi đơn vị (đơn vị chưa rõ loại)", "3", 15) in shown
    lines = {line.number: line for line in source_lines(draft, values)}
    marked = {piece.text for piece in lines[11].pieces if piece.ref is not None}
    # Quoted as the document writes it (capitals kept), so the mark sits on the source's own words.
    assert marked == {"tổng số 120 đại biểu"}
    # A bullet read both as a participant and as two quota rules: one mark, all three values linked to the line.
    quota_refs = {v.ref for v in values if v.line == 15}
    assert len(quota_refs) == 3 and set(lines[15].refs) == quota_refs
