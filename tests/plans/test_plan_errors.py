"""Every kind of mistake in a plan file is reported with its line, its field and what would be valid."""

from __future__ import annotations

import pytest

from errors import PlanError
from plans.document import load_plan, plan_problems

VALID = """\
directive:
  number: "47-KH/TU"
  kind: KH
  issuer: TU-QT
  issued_on: 2017-03-22
  title: Tổ chức Diễn đàn
  signers:
    - {form: T/M, body: Ban Thường vụ, title: Bí thư, name: Nguyễn Văn Hùng}
hierarchy:
  generator: small_quang_tri_2017
phases:
  - name: pilot
    opens: "từ tháng 4/2017"
  - name: rollout
    opens: "từ tháng 7/2017"
    gate:
      share: 0.8
      counts: bao-cao
obligations:
  - key: bao-cao
    kind: report
    title: Báo cáo kết quả
    phase: pilot
    due: "trước ngày 30/6/2017"
"""


def problems_of(text: str):
    with pytest.raises(PlanError) as caught:
        load_plan(text, name="ke-hoach.yaml")
    return caught.value.problems


def only(text: str):
    found = problems_of(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_the_valid_plan_loads():
    plan = load_plan(VALID)
    assert plan.directive.number == "47-KH/TU"
    assert plan.phases[1].gate.share == 0.8


def test_missing_field_points_at_its_section():
    p = only(VALID.replace("  title: Tổ chức Diễn đàn\n", ""))
    assert (p.line, p.field) == (1, "directive.title")
    assert "thiếu trường bắt buộc" in p.message
    assert p.source == "ke-hoach.yaml"


def test_unknown_field_is_named_with_its_line():
    p = only(VALID.replace("    opens: \"từ tháng 4/2017\"\n", "    opens: \"từ tháng 4/2017\"\n    open: x\n"))
    assert (p.line, p.field) == (14, "phases[0].open")
    assert "không có trong mẫu kế hoạch" in p.message


def test_unknown_phase_name_lists_the_valid_ones():
    p = only(VALID.replace("  - name: pilot", "  - name: thi-diem").replace("    phase: pilot\n", ""))
    assert (p.line, p.field) == (12, "phases[0].name")
    assert "“thi-diem”" in p.message
    for name in ("pilot", "review", "rollout", "close"):
        assert name in p.message


def test_unknown_kind_of_unit_lists_the_kinds():
    text = VALID.replace("hierarchy:\n", "targets:\n  kinds: [chi_bo, chibo]\nhierarchy:\n")
    p = only(text)
    assert (p.line, p.field) == (10, "targets.kinds[1]")
    assert "“chibo”" in p.message and "chi_bo_co_so" in p.message


def test_share_out_of_range_says_the_bound():
    p = only(VALID.replace("share: 0.8", "share: 1.5"))
    assert (p.line, p.field) == (17, "phases[1].gate.share")
    assert "1.5" in p.message and "tới 1" in p.message


def test_number_that_is_not_a_number():
    p = only(VALID.replace("share: 0.8", "share: nhiều"))
    assert (p.line, p.field) == (17, "phases[1].gate.share")
    assert "không phải số" in p.message


def test_integer_that_is_not_an_integer():
    p = only(VALID.replace("hierarchy:\n", "lead_days: [5, năm]\nhierarchy:\n"))
    assert (p.line, p.field) == (9, "lead_days[1]")
    assert "số nguyên" in p.message


def test_impossible_issue_date():
    p = only(VALID.replace("issued_on: 2017-03-22", "issued_on: 2017-13-40"))
    assert (p.line, p.field) == (5, "directive.issued_on")
    assert "“2017-13-40”" in p.message and "22/3/2017" in p.message


def test_vietnamese_issue_date_is_accepted():
    plan = load_plan(VALID.replace("issued_on: 2017-03-22", "issued_on: 22/3/2017"))
    assert plan.directive.issued_on.isoformat() == "2017-03-22"


def test_deadline_expression_that_cannot_be_read():
    p = only(VALID.replace("due: \"trước ngày 30/6/2017\"", "due: \"trước ngày 31/2/2017\""))
    assert (p.line, p.field) == (24, "obligations[0].due")
    assert "31/2/2017" in p.message and "trước ngày 30/6/2017" in p.message  # says the valid forms


def test_obligation_in_a_phase_the_plan_does_not_have():
    p = only(VALID.replace("    phase: pilot\n", "    phase: review\n"))
    assert (p.line, p.field) == (23, "obligations[0].phase")
    assert "“review”" in p.message and "pilot, rollout" in p.message


def test_duplicate_obligation_keys():
    text = VALID + ("  - key: bao-cao\n    kind: report\n    title: Báo cáo năm\n"
                    "    due: \"hàng năm, trước ngày 31/12\"\n")
    p = only(text)
    assert (p.line, p.field) == (25, "obligations[1].key")
    assert "obligations[0]" in p.message and "dòng 20" in p.message


def test_key_written_twice_in_one_mapping():
    p = only(VALID.replace("  kind: KH\n", "  kind: KH\n  kind: CT\n"))
    assert (p.line, p.field) == (4, "directive.kind")
    assert "hai lần" in p.message


def test_gate_counting_an_unknown_obligation():
    p = only(VALID.replace("counts: bao-cao", "counts: bao-cao-nam"))
    assert (p.line, p.field) == (18, "phases[1].gate.counts")
    assert "bao-cao" in p.message


def test_phases_out_of_order():
    p = only(VALID.replace("phases:\n", "phases:\n  - name: close\n"))
    assert (p.line, p.field) == (11, "phases") and "pilot → review → rollout → close" in p.message


def test_number_and_kind_that_disagree():
    p = only(VALID.replace("  kind: KH\n", "  kind: NQ\n"))
    assert (p.line, p.field) == (1, "directive")
    assert "47-KH/TU" in p.message and "NQ" in p.message


def test_yaml_syntax_error_names_the_line():
    p = only(VALID.replace("  title: Tổ chức Diễn đàn\n", "  title: [Tổ chức Diễn đàn\n"))
    assert p.line is not None and 6 <= p.line <= 8
    assert "cú pháp" in p.message


def test_every_problem_is_reported_at_once():
    text = (
        VALID.replace("  title: Tổ chức Diễn đàn\n", "")
        .replace("share: 0.8", "share: 2")
        .replace("    phase: pilot\n", "    phase: close\n")
        .replace("due: \"trước ngày 30/6/2017\"", "due: \"hôm nào đó\"")
    )
    found = problems_of(text)
    assert [p.field for p in found] == [
        "directive.title", "phases[1].gate.share", "obligations[0].phase", "obligations[0].due"
    ]
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_error_text_names_file_line_and_field():
    with pytest.raises(PlanError) as caught:
        load_plan(VALID.replace("share: 0.8", "share: 1.5"), name="ke-hoach.yaml")
    assert "ke-hoach.yaml, dòng 17, trường “phases[1].gate.share”" in str(caught.value)


def test_plan_problems_returns_without_raising():
    assert plan_problems(VALID) == []
    assert len(plan_problems(VALID.replace("share: 0.8", "share: 1.5"))) == 1


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "ke-hoach.yaml"
    path.write_bytes(VALID.encode("utf-8").replace("Tổ chức".encode(), b"T\xf4 ch\xfdc"))
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    assert "UTF-8" in str(caught.value) and caught.value.problems[0].line == 6


def test_report_without_a_deadline_points_at_the_obligation():
    p = only(VALID.replace("    due: \"trước ngày 30/6/2017\"\n", ""))
    assert (p.line, p.field) == (20, "obligations[0]")
    assert "cần hạn" in p.message and "trước ngày 30/6/2017" in p.message


def test_relative_deadline_without_an_event_to_count_from():
    p = only(VALID.replace("due: \"trước ngày 30/6/2017\"", "due: \"5 ngày làm việc trước hạn của cấp trên\""))
    assert (p.line, p.field) == (24, "obligations[0].due")
    assert "không có hạn của cấp trên" in p.message


def test_a_plan_without_hierarchy_is_read_against_stored_units_only() -> None:
    from plans.document import plan_units

    plan = load_plan(VALID.replace("hierarchy:\n  generator: small_quang_tri_2017\n", ""), name="ke-hoach.yaml")
    assert plan.hierarchy is None
    with pytest.raises(PlanError) as caught:
        plan_units(plan, ".")
    message = str(caught.value)
    assert "đơn vị ban hành “TU-QT” chưa có trong cơ sở dữ liệu và kế hoạch không ghi hệ thống tổ chức" in message
