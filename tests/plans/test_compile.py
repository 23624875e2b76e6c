"""The compiler's rules beyond the examples: warnings, clamps, validity dates, policies and the summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from errors import PlanError
from hierarchy.generate import small_quang_tri_2017
from plans.compiler import compile_plan
from plans.document import load_plan
from schedules import WorkingCalendar

KH47 = (Path(__file__).resolve().parents[2] / "examples" / "47-KH-TU.yaml").read_text(encoding="utf-8")
CAL = WorkingCalendar()


def compile_47(*replacements: tuple[str, str]):
    text = KH47
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return compile_plan(load_plan(text), small_quang_tri_2017(), CAL)


def test_compiling_twice_gives_the_same_result():
    assert compile_47() == compile_47()


def test_a_deadline_too_close_to_the_issue_day_is_clamped_with_a_warning():
    result = compile_47(('due: "trước ngày 30/6/2017"', 'due: "trước ngày 28/3/2017"'))
    report = next(o for o in result.obligations if o.key == "bao-cao-chi-dao-diem")
    # Level 1 is due Monday 27/3; levels 2 and 3 would fall before the first working day after 22/3.
    assert report.due_by_level[1].day == 27
    assert report.due_by_level[2] == report.due_by_level[3] == CAL.end_of_office_hours(CAL.add_working_days(
        report.due_by_level[1].date(), -2))
    clamps = [w for w in result.warnings if w.startswith("Nghĩa vụ “bao-cao-chi-dao-diem”")]
    assert [w.split(":")[0] for w in clamps] == [
        "Nghĩa vụ “bao-cao-chi-dao-diem”, cấp 2", "Nghĩa vụ “bao-cao-chi-dao-diem”, cấp 3"
    ]


def test_policy_error_refuses_a_deadline_that_cannot_be_met():
    with pytest.raises(PlanError) as caught:
        compile_47(('due: "trước ngày 30/6/2017"', 'due: "trước ngày 28/3/2017"'),
                   ("lead_days: [5]", "lead_days: [5]\ncascade_policy: error"))
    assert caught.value.problems[0].field == "obligations[1].due"
    assert "bao-cao-chi-dao-diem" in str(caught.value)


def test_targets_matching_nothing_are_reported():
    result = compile_47(("  roots: [TU-QT]", "  roots: [TU-QT]\n  kinds: [chi_doan]"))
    assert result.targets == []
    assert "Không có đơn vị nào thuộc phạm vi triển khai; kiểm tra mục targets" in result.warnings
    assert any(w.startswith("Nghĩa vụ “dien-dan”") and "không áp dụng" in w for w in result.warnings)


def test_a_listed_category_missing_from_a_district_is_reported():
    result = compile_47(("  at_least: 1\n", "  at_least: 1\n  categories: [nong_thon, doanh_nghiep]\n"))
    assert [c.code for c in result.pilot] == [
        "QT-CAMLO-CAMTHANH-CB01", "QT-CAMLO-DN", "QT-GIOLINH-GIOAN-CB01", "QT-GIOLINH-DN",
    ]
    assert result.warnings == [
        "Thành ủy Đông Hà: không có chi bộ loại hình nông thôn để chỉ đạo điểm",
        "Thành ủy Đông Hà: không có chi bộ loại hình doanh nghiệp để chỉ đạo điểm",
        "Đảng ủy Khối các cơ quan tỉnh: không có chi bộ loại hình nông thôn để chỉ đạo điểm",
        "Đảng ủy Khối các cơ quan tỉnh: không có chi bộ loại hình doanh nghiệp để chỉ đạo điểm",
    ]


def test_units_abolished_before_the_issue_day_are_not_targets():
    # District committees ended on 1/7/2025; a plan issued after that reaches only the bloc.
    result = compile_47(("issued_on: 2017-03-22", "issued_on: 2025-08-01"),
                        ('"từ tháng 4/2017"', '"từ tháng 9/2025"'),
                        ('"trong tháng 6/2017"', '"trong tháng 11/2025"'),
                        ('"trước ngày 30/6/2017"', '"trước ngày 28/11/2025"'),
                        ('"từ tháng 7/2017"', '"từ tháng 12/2025"'))
    assert {t.code for t in result.targets if t.level == 1} == {"QT-KCQ"}
    assert [c.code for c in result.pilot] == ["QT-KCQ-01"]


def test_an_issuer_missing_from_the_hierarchy_is_an_error():
    with pytest.raises(PlanError) as caught:
        compile_47(("issuer: TU-QT", "issuer: TU-QB"), ("roots: [TU-QT]", "roots: [TU-QB]"))
    assert {p.field for p in caught.value.problems} == {"directive.issuer", "targets.roots[0]"}
    assert "“TU-QB”" in str(caught.value) and "22/3/2017" in str(caught.value)


def test_summary_lines_for_plan_check():
    lines = compile_47().summary_lines()
    assert lines[0] == "Văn bản 47-KH/TU: 38 đơn vị được triển khai"
    assert "  cấp 1: 4 đơn vị" in lines
    assert "  Huyện ủy: 3" in lines
    assert "Nghĩa vụ báo cáo: 2" in lines
    assert "Đơn vị chỉ đạo điểm: 14" in lines


def test_milestone_before_the_one_it_follows_is_reported():
    text = KH47 + """
milestones:
  - {key: a, title: Chuẩn bị, assignee: TU-QT-BTG, due: "chậm nhất ngày 20/4/2017"}
  - {key: b, title: Tổng hợp, assignee: TU-QT-VP, due: "chậm nhất ngày 10/4/2017", after: a}
"""
    result = compile_plan(load_plan(text), small_quang_tri_2017(), CAL)
    assert result.warnings == ["Mốc “b” có hạn trước mốc “a” mà nó phải làm sau"]
    milestone = next(o for o in result.obligations if o.key == "a")
    assert milestone.kind == "milestone" and milestone.unit_codes == ("TU-QT-BTG",)
    assert milestone.due_by_level == {1: result.milestones[0].due}
    assert {"TU-QT-BTG", "TU-QT-VP"} <= {t.code for t in result.targets}  # departments given work are reached


def test_every_unknown_unit_code_is_an_error_with_its_field():
    text = KH47.replace("route_via: TU-QT-BTG", "route_via: TU-QT-BTX", 1) + """
milestones:
  - {key: a, title: Chuẩn bị, assignee: TU-QT-XX, due: "chậm nhất ngày 20/4/2017"}
"""
    with pytest.raises(PlanError) as caught:
        compile_plan(load_plan(text), small_quang_tri_2017(), CAL)
    assert [(p.field, p.message.split("”")[0]) for p in caught.value.problems] == [
        ("obligations[1].route_via", "mã đơn vị “TU-QT-BTX"),
        ("milestones[0].assignee", "mã đơn vị “TU-QT-XX"),
    ]


def test_the_compiler_does_not_load_the_database_or_workflow_libraries():
    import subprocess
    import sys

    code = (
        "import sys, plans.compiler, plans.document, plans.selection, plans.quotas\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'prefect', 'jinja2'})\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
