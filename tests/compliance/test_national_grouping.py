"""A directive to several provinces: the report's body speaks per province, not per commune."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from compliance.report import build_report
from compliance.snapshot import take_snapshot
from hierarchy.generate import generate_national
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.units import apply_hierarchy

CAL = WorkingCalendar()
PLAN = """
directive:
  number: "5-KH/LT"
  kind: KH
  issuer: {issuer}
  issued_on: 2026-01-05
  title: Kế hoạch liên tỉnh thử nghiệm
  signers: [{{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Nguyễn Văn A}}]
targets: {{roots: [{roots}]}}
phases:
  - {{name: rollout, opens: "từ tháng 2/2026"}}
obligations:
  - {{key: bao-cao, kind: report, title: Báo cáo kết quả, phase: rollout, due: "trước ngày 30/6/2026",
     units: {{kinds: [dang_uy_xa, dang_uy_truc_thuoc]}}}}
"""


@pytest.mark.slow
def test_communes_of_two_provinces_are_reported_per_province(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    units = generate_national()
    parent = {u.code: u.parent_code for u in units}

    def root(code: str) -> str:
        while parent[code] is not None:
            code = parent[code]  # type: ignore[assignment]
        return code

    sizes = Counter(root(u.code) for u in units)
    two = sorted(code for code in sizes if code.startswith("TU-"))[:2]
    kept = [u for u in units if root(u.code) in two]
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.format(issuer=two[0], roots=", ".join(two)), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, kept, now=datetime(2026, 1, 2, tzinfo=UTC), actor="test")
        issue_plan(uow.session, plan, now=datetime(2026, 1, 5, 2, tzinfo=UTC), actor="vp", calendar=CAL)
        uow.commit()
    with UnitOfWork(engine) as uow:
        advance(uow.session, datetime(2026, 7, 6, 3, tzinfo=UTC))
        take_snapshot(uow.session, datetime(2026, 7, 6, 3, tzinfo=UTC))
        uow.commit()
    with UnitOfWork(engine) as uow:
        report = build_report(uow.session, "5-KH/LT", date(2026, 7, 6), calendar=CAL)
    names = {u.code: u.name for u in kept}
    assert [d.code for d in report.districts] == two and [d.name for d in report.districts] == [names[c] for c in two]
    communes = sum(1 for u in kept if u.kind.value in ("dang_uy_xa", "dang_uy_truc_thuoc"))
    assert sum(d.units for d in report.districts) == communes == len(report.overdue)
    assert {u.district for u in report.overdue} == {names[c] for c in two}
