"""Issuing reads the subtrees a plan can reach: a district's plan compiles the same against the stored province as
against the district alone, and a plan that names a unit outside its subtree still finds it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from hierarchy.generate import small_quang_tri_2017
from rollout.service import prepare_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.units import apply_hierarchy, load_subtrees

PLAN = """
directive:
  number: "05-KH/HU"
  kind: KH
  issuer: QT-DONGHA
  issued_on: 2017-09-01
  title: Kế hoạch sinh hoạt chuyên đề
  signers: [{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Lê Văn Tám}]
hierarchy: {generator: small_quang_tri_2017}
phases:
  - {name: rollout, opens: "ngày 5/9/2017"}
obligations:
  - {key: sinh-hoat, kind: activity, title: Tổ chức sinh hoạt chuyên đề, phase: rollout,
     due: "chậm nhất ngày 29/9/2017", units: {kinds: [chi_bo]}}
  - {key: bao-cao, kind: report, title: Báo cáo kết quả, phase: rollout, due: "trước ngày 16/10/2017",
     units: {codes: [QT-DONGHA-P1, TU-QT-BTG]}}
"""


def test_a_district_plan_reads_its_district_and_still_finds_a_named_provincial_department(
        engine: Engine, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        uow.commit()
        scoped = load_subtrees(uow.session, ["QT-DONGHA"])
        stored = prepare_plan(plan, WorkingCalendar(), uow.session)
    from_file = prepare_plan(plan, WorkingCalendar())
    assert "QT-DONGHA-P1-CB01" in scoped and "TU-QT" in scoped  # its subtree and its ancestors
    assert "QT-CAMLO" not in scoped and "TU-QT-BTG" not in scoped  # nothing of other districts
    assert stored.hierarchy_source == "cơ sở dữ liệu"
    owed = {(code, o.key) for o in stored.compiled.obligations for code in o.unit_codes}
    assert owed == {(code, o.key) for o in from_file.compiled.obligations for code in o.unit_codes}
    assert ("TU-QT-BTG", "bao-cao") in owed
