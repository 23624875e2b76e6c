"""A simulated year of 47-KH/TU on the small Quảng Trị hierarchy, with figures a clerk can check by hand.

Behaviour, chosen so that every number below can be counted on paper from the hierarchy (see the
module docstring of tests/rollout/test_engine.py):
- Đông Hà and the Khối cơ quan hand in everything the working day after it opens;
- Gio Linh hands in everything 5 working days after its deadline;
- Cam Lộ hands in its pilot work on time but never writes its chi bộ plans;
- the office approves the rollout on 3/7/2017.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.reconcile import advance
from rollout.rollup import rollup
from rollout.service import issue_plan
from schedules import WorkingCalendar
from schedules.render import local_datetime, to_local
from storage import UnitOfWork
from storage.models import ObligationRow, OutboxRow, UnitRow
from storage.units import apply_hierarchy

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
CAL = WorkingCalendar()
N = "47-KH/TU"
KEYS = ("dien-dan-diem", "bao-cao-chi-dao-diem", "ke-hoach-chi-bo")


def hand_in_day(district: str, key: str, opened: date, due: date) -> date | None:
    if district == "QT-GIOLINH":
        return CAL.add_working_days(due, 5)
    if district == "QT-CAMLO" and key == "ke-hoach-chi-bo":
        return None
    return CAL.add_working_days(opened, 1)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from storage import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('year') / 'year.db'}")
    upgrade(engine)
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=local_datetime(date(2017, 3, 1), time(8)), actor="t")
        issue_plan(uow.session, PLAN, now=local_datetime(date(2017, 3, 22), time(8)), actor="vp", calendar=CAL)
        uow.commit()
    districts = {}
    day = date(2017, 4, 1)
    while day <= date(2017, 12, 31):
        with UnitOfWork(engine) as uow:
            s = uow.session
            advance(s, local_datetime(day, time(8)), calendar=CAL)
            if day == date(2017, 7, 3):
                actions.approve_gate(s, N, "rollout", now=local_datetime(day, time(9)), actor="vp")
            if CAL.is_working_day(day):
                owed = s.execute(
                    select(ObligationRow, UnitRow.code, UnitRow.path)
                    .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                    .where(ObligationRow.key.in_(KEYS), ObligationRow.status.in_(["open", "overdue"]))
                ).all()
                for obligation, code, path in owed:
                    district = districts.setdefault(
                        path[:20], s.scalar(select(UnitRow.code).where(UnitRow.path == path[:20]))
                    )
                    opened = to_local(obligation.opens_at).date() if obligation.opens_at else day
                    planned = hand_in_day(district, obligation.key, max(opened, date(2017, 4, 3)),
                                          to_local(obligation.due_at).date())
                    if planned is not None and planned <= day:
                        data = {"so_dien_dan": 1} if obligation.kind == "report" else {}
                        actions.submit(s, N, code, obligation.key, data=data, now=local_datetime(day, time(14)),
                                       actor=code)
            uow.commit()
        day += timedelta(days=1)
    return engine


def counts(engine, unit: str, key: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return rollup(uow.session, N, unit, key=key).counts


def test_pilot_report_by_district(year) -> None:  # type: ignore[no-untyped-def]
    # Pilot cells and the units above them: Đông Hà 3+3, Gio Linh 5+4, Cam Lộ 5+3, Khối cơ quan 1+1 = 25.
    assert counts(year, "QT-DONGHA", "bao-cao-chi-dao-diem") == {"done_on_time": 6}
    assert counts(year, "QT-GIOLINH", "bao-cao-chi-dao-diem") == {"done_late": 9}
    assert counts(year, "QT-CAMLO", "bao-cao-chi-dao-diem") == {"done_on_time": 8}
    assert counts(year, "QT-KCQ", "bao-cao-chi-dao-diem") == {"done_on_time": 2}
    with UnitOfWork(year) as uow:
        province = rollup(uow.session, N, "TU-QT", key="bao-cao-chi-dao-diem")
    assert province.counts == {"done_on_time": 16, "done_late": 9}
    assert province.share_on_time == pytest.approx(16 / 25)
    # Each district-level committee reported 1 forum: its report is its subtree's consolidation and replaces the
    # sum of its cells' and communes' reports, so the province counts the 4 committees, not all 25 reports.
    assert province.sums["so_dien_dan"] == 4


def test_chi_bo_plans_by_district_after_the_rollout_opened(year) -> None:  # type: ignore[no-untyped-def]
    # Chi bộ and chi bộ cơ sở: Đông Hà 5+1, Gio Linh 7+2, Cam Lộ 5+3, Khối cơ quan 2+1 = 26.
    assert counts(year, "QT-DONGHA", "ke-hoach-chi-bo") == {"done_on_time": 6}
    assert counts(year, "QT-GIOLINH", "ke-hoach-chi-bo") == {"done_late": 9}
    assert counts(year, "QT-CAMLO", "ke-hoach-chi-bo") == {"overdue": 8}
    assert counts(year, "QT-KCQ", "ke-hoach-chi-bo") == {"done_on_time": 3}
    with UnitOfWork(year) as uow:
        assert rollup(uow.session, N, "TU-QT", key="ke-hoach-chi-bo").share_on_time == pytest.approx(9 / 26)


def test_every_late_cam_lo_cell_got_one_don_doc_letter_and_was_escalated(year) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(year) as uow:
        s = uow.session
        cam_lo = s.scalar(select(UnitRow.id).where(UnitRow.code == "QT-CAMLO"))
        late = s.execute(select(ObligationRow.id, ObligationRow.unit_id, ObligationRow.escalation_step)
                         .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                         .where(ObligationRow.key == "ke-hoach-chi-bo", ObligationRow.status == "overdue")).all()
        letters = s.execute(
            select(OutboxRow.unit_id, OutboxRow.context).where(OutboxRow.template == "cong_van_don_doc")
        ).all()
    assert len(late) == 8 and all(step == 4 for _, _, step in late)  # every rung climbed by the end of the year
    for obligation_id, unit_id, _ in late:
        carrying = [u for u, ctx in letters if obligation_id in ctx["obligations"]]
        # Through the line: the Tỉnh ủy's one letter goes to the Huyện ủy, which answers for its late cells.
        assert carrying == [cam_lo] and unit_id != cam_lo
