"""A plan over the whole country (about 300,000 units) compiles, with deadlines per level and shared unit lists."""

from __future__ import annotations

import pytest

from hierarchy.generate import generate_national
from hierarchy.model import Kind
from plans.compiler import compile_plan
from plans.document import load_plan
from schedules import WorkingCalendar

PLAN = """
directive:
  number: "01-KH/TW"
  kind: KH
  issuer: {root}
  issued_on: 2025-09-01
  title: Học tập chuyên đề toàn quốc
  signers: [{{title: Bí thư, name: Nguyễn Văn A}}]
hierarchy: {{generator: national}}
targets: {{roots: {roots}}}
phases:
  - {{name: pilot, opens: "từ tháng 10/2025"}}
  - {{name: rollout, opens: "từ tháng 1/2026"}}
pilot: {{group_kinds: [dang_uy_xa, dang_uy_truc_thuoc]}}
obligations:
  - {{key: ke-hoach, kind: plan, title: Kế hoạch, phase: rollout, within_working_days: 10}}
  - {{key: sinh-hoat, kind: activity, title: Sinh hoạt, phase: rollout, units: {{kinds: [chi_bo]}}, due: "hàng quý"}}
  - {{key: bao-cao, kind: report, title: Báo cáo năm, phase: rollout, due: "hàng năm, trước ngày 15/12"}}
  - {{key: bao-cao-nam-2026, kind: report, title: Báo cáo 2026, phase: rollout, due: "trước ngày 15/12/2026"}}
  - {{key: bao-cao-diem, kind: report, title: Báo cáo điểm, phase: pilot, due: "trước ngày 15/12/2025"}}
"""


@pytest.mark.slow
def test_the_whole_country_compiles_with_per_level_deadlines():
    units = generate_national()
    roots = sorted(u.code for u in units if u.parent_code is None and u.kind is Kind.TINH_UY)
    plan = load_plan(PLAN.format(root=roots[0], roots="[" + ", ".join(roots) + "]"))
    result = compile_plan(plan, units, WorkingCalendar())

    expected = sum(1 for u in units if u.kind is not Kind.BAN and u.parent_code is not None
                   and u.active_on(plan.directive.issued_on) and not u.kind.is_doan)
    assert len([t for t in result.targets if not result.unit_kinds[t.code].is_doan]) == expected
    report = next(o for o in result.obligations if o.key == "bao-cao")
    assert len(report.unit_codes) == len(result.targets)
    assert sorted(report.due_by_level) == sorted({t.level for t in result.targets})
    assert list(report.due_by_level.values()) == sorted(report.due_by_level.values(), reverse=True)
    # The same filter in the same scope yields the very same tuple: one list of codes, not one per obligation.
    same = next(o for o in result.obligations if o.key == "bao-cao-nam-2026")
    assert same.unit_codes is report.unit_codes
    # Every commune committee that has chi bộ gets a pilot chi bộ.
    by_code = {u.code: u for u in units}
    communes = {u.parent_code for u in units
                if u.kind is Kind.CHI_BO and by_code[u.parent_code].kind is Kind.DANG_UY_XA}
    piloted = {by_code[c.code].parent_code for c in result.pilot}
    assert communes <= piloted
