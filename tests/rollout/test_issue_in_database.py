"""Issuing in the database writes exactly what the plan compiler gives when it sees every unit: each obligation row
(unit, key, period, kind, phase, level, opening, deadline, status, rung), each pilot unit and each quota, and the
announcement to each level-1 unit, for the demo and for a plan to three provinces of the national hierarchy with
exclusions, size and level filters, a yearly report, work named by code and a commune closed before issuing."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from hierarchy import Unit
from hierarchy.generate import generate_national, generate_quang_tri_2017
from plans.compiler import compile_plan
from plans.document import load_plan
from rollout.expand import periods
from rollout.expand_sql import sample_hierarchy
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow, OutboxRow, PilotRow, QuotaRow, UnitRow
from storage.units import apply_hierarchy

CAL = WorkingCalendar()
DEMO = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
PROVINCES = """
directive:
  number: "12-KH/LT"
  kind: KH
  issuer: {issuer}
  issued_on: 2026-03-02
  title: Kế hoạch liên tỉnh thử nghiệm
  signers: [{{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Nguyễn Văn A}}]
hierarchy: {{generator: generate_national}}
targets: {{roots: [{roots}], exclude: [{excluded}]}}
lead_days: [5, 3]
phases:
  - {{name: rollout, opens: "từ tháng 3/2026"}}
  - {{name: close, due: "trước ngày 30/12/2028"}}
obligations:
  - {{key: ke-hoach, kind: plan, title: Xây dựng kế hoạch, phase: rollout, within_working_days: 10,
     units: {{kinds: [dang_uy_xa, dang_uy_truc_thuoc, dang_bo_co_so]}}}}
  - {{key: sinh-hoat, kind: activity, title: Sinh hoạt chuyên đề, phase: rollout, due: "trong tháng 6/2026",
     units: {{kinds: [chi_bo, chi_bo_co_so], min_members: 20}}}}
  - {{key: bao-cao-nam, kind: report, title: Báo cáo hằng năm, phase: rollout, due: "hàng năm, trước ngày 15/12",
     units: {{levels: [1, 2], exclude: [{second}]}}}}
  - {{key: tong-hop, kind: report, title: Tổng hợp của ban, phase: rollout, due: "trước ngày 30/6/2026",
     units: {{codes: [{department}]}}}}
milestones:
  - {{key: hoi-nghi, title: Hội nghị sơ kết, assignee: {department}, due: "chậm nhất ngày 15/7/2026"}}
"""


@cache
def _national() -> tuple[Unit, ...]:
    return tuple(generate_national())


def three_provinces() -> tuple[list[Unit], list[str]]:
    """The three smallest provinces' Party organisations of the national hierarchy, and their codes."""
    units = _national()
    by_code = {u.code: u for u in units}

    def top(unit: Unit) -> str:
        while unit.parent_code is not None:
            unit = by_code[unit.parent_code]
        return unit.code

    tops = Counter(top(u) for u in units)
    chosen = sorted(sorted((c for c in tops if c.startswith("TU-")), key=tops.__getitem__)[:3])
    return [u for u in units if top(u) in chosen], chosen


def issued_rows(engine: Engine) -> dict[str, object]:
    """What the database holds for a directive: obligations by (unit, key, period), pilot units, quotas, the
    units announced to."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        code = UnitRow.code
        obligations = {
            (c, o.key, o.period): (o.kind, o.phase, o.level, o.opens_at, o.due_at, o.status, o.escalation_step)
            for c, o in s.execute(select(code, ObligationRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id))
        }
        pilot = set(s.execute(select(code, PilotRow.rule).join(UnitRow, UnitRow.id == PilotRow.unit_id)))
        quotas = set(s.execute(select(QuotaRow.name, code, QuotaRow.amount, QuotaRow.rule)
                               .join(UnitRow, UnitRow.id == QuotaRow.unit_id)))
        announced = list(s.scalars(select(code).join(OutboxRow, OutboxRow.unit_id == UnitRow.id)
                                   .where(OutboxRow.template == "thong_bao_trien_khai").order_by(OutboxRow.id)))
    return {"obligations": obligations, "pilot": pilot, "quotas": quotas, "announced": announced}


def expected_rows(plan_file: Path, units: list[Unit]) -> tuple[dict[str, object], int]:
    """The same, from the plan compiled against every unit (the pure compiler), and the units it reaches."""
    compiled = compile_plan(load_plan(plan_file), units, CAL)
    levels = {t.code: t.level for t in compiled.targets}
    obligations = {
        (c, spec.key, period): (spec.kind, spec.phase, levels.get(c, 0), opens, due.get(levels.get(c, 0)),
                                "pending", 0)
        for spec in compiled.obligations
        for period, (opens, due) in enumerate(periods(spec, compiled, CAL))
        for c in spec.unit_codes
    }
    return {
        "obligations": obligations,
        "pilot": {(p.code, p.rule) for p in compiled.pilot},
        "quotas": {(q.name, c, n, q.rules_applied.get(c, "")) for q in compiled.quotas for c, n in q.per_unit.items()},
        "announced": sorted(c for c, level in levels.items() if level == 1),
    }, len(compiled.targets)


def test_a_plan_to_three_provinces_issued_in_the_database_matches_the_compiler_row_for_row(
        engine: Engine, tmp_path: Path) -> None:
    units, provinces = three_provinces()
    by_parent: dict[str, list[Unit]] = {}
    for u in units:
        by_parent.setdefault(u.parent_code or "", []).append(u)
    first, second = sorted(c.code for c in by_parent[provinces[0]] if c.kind.value == "dang_uy_xa")[:2]
    closed = sorted(c.code for c in by_parent[provinces[2]] if c.kind.value == "dang_uy_xa")[0]
    department = next(u.code for u in units if u.kind.value == "ban" and u.parent_code == provinces[0])
    plan = tmp_path / "lien-tinh.yaml"
    plan.write_text(PROVINCES.format(issuer=provinces[0], roots=", ".join(provinces), excluded=first,
                                     second=second, department=department), encoding="utf-8")
    # A commune of the third province is closed (with everything under it) before the plan is issued.
    gone = {closed}
    for u in units:
        if u.parent_code in gone:
            gone.add(u.code)
    kept = [u for u in units if u.code not in gone]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="test")
        apply_hierarchy(uow.session, kept, now=datetime(2026, 2, 2, tzinfo=UTC), actor="test")
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert sample_hierarchy(uow.session, load_plan(plan)) is not None  # issued in the database
        _, result = issue_plan(uow.session, plan, now=datetime(2026, 3, 2, 2, tzinfo=UTC), actor="vp", calendar=CAL)
        uow.commit()

    expected, reached = expected_rows(plan, kept)
    actual = issued_rows(engine)
    assert actual == expected
    assert result.obligations == len(expected["obligations"]) and result.units == reached
    owed = expected["obligations"]
    assert isinstance(owed, dict)
    keys = Counter(key for _, key, _ in owed)
    assert keys["tong-hop"] == 1 and keys["hoi-nghi"] == 1 and keys["sinh-hoat"] > 0
    assert max(period for _, _, period in owed) == 2  # the yearly report: 2026, 2027, 2028
    assert not any(code in gone or code == first for code, _, _ in owed)
    assert not any(code == second and key == "bao-cao-nam" for code, key, _ in owed)
    assert any(code == second for code, _, _ in owed)


def test_the_demo_issued_matches_the_compiler_row_for_row_with_its_pilot(engine: Engine) -> None:
    units = generate_quang_tri_2017()
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2017, 3, 1, tzinfo=UTC), actor="test")
        uow.commit()
    with UnitOfWork(engine) as uow:
        # A pilot is chosen among all the candidates of each district: compiled against every unit reached.
        assert sample_hierarchy(uow.session, load_plan(DEMO)) is None
        _, result = issue_plan(uow.session, DEMO, now=datetime(2017, 3, 22, 2, tzinfo=UTC), actor="vp", calendar=CAL)
        uow.commit()
    expected, reached = expected_rows(DEMO, [u for u in units if u.active_on(date(2017, 3, 22))])
    assert issued_rows(engine) == expected
    assert expected["pilot"] and result.units == reached
