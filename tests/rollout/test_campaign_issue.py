"""A bounded campaign issues one obligation per month of the campaign for each chi bộ, and one per peak."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from hierarchy.generate import small_quang_tri_2017
from rollout.calendar_feed import unit_feed
from rollout.service import issue_plan, prepare_stored
from schedules import LOCAL_TZ, WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow
from storage.units import apply_hierarchy

PLAN = """
directive:
  number: "12-KH/HU"
  kind: KH
  issuer: QT-DONGHA
  issued_on: 2023-04-10
  title: Kế hoạch học tập chuyên đề năm 2023
  signers: [{form: T/M, body: Ban Thường vụ, title: Bí thư, name: Lê Văn Tám}]
hierarchy: {generator: small_quang_tri_2017}
phases:
  - {name: rollout, opens: "ngày 10/4/2023", due: "cuối tháng 8/2023"}
obligations:
  - {key: sinh-hoat, kind: activity, title: Lồng ghép vào sinh hoạt chi bộ hằng tháng, units: {kinds: [chi_bo]},
     due: "từ tháng 5 đến tháng 9/2023 hằng tháng", peaks: ["30/4", "19/5", "2/9"]}
  - {key: hoc-tap, kind: activity, title: Học tập theo giai đoạn, phase: rollout, due: "hằng tháng",
     units: {kinds: [chi_bo]}}
"""


def test_a_five_month_campaign_gives_five_periods_per_chi_bo_and_one_obligation_per_peak(
        engine: Engine, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2023, 4, 1, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2023, 4, 10, 2, tzinfo=UTC), actor="vp", calendar=WorkingCalendar())
        uow.commit()
        # Issuing compiled the plan against a sample of the hierarchy; the full list comes from `plan check`'s way.
        prepared = prepare_stored(uow.session, plan, WorkingCalendar())
    chi_bo = {c for o in prepared.compiled.obligations if o.key == "sinh-hoat" for c in o.unit_codes}
    with UnitOfWork(engine) as uow:
        rows = uow.session.execute(select(ObligationRow.key, ObligationRow.unit_id, ObligationRow.due_at)).all()
    per_unit = Counter((key, unit) for key, unit, _ in rows)
    campaign = [n for (key, _), n in per_unit.items() if key == "sinh-hoat"]
    assert len(campaign) == len(chi_bo) > 0 and set(campaign) == {5}
    # The phase ends in August: April to August.
    assert {n for (key, _), n in per_unit.items() if key == "hoc-tap"} == {5}
    last = max(due for key, _, due in rows if key == "sinh-hoat")
    assert last.astimezone(LOCAL_TZ) == datetime(2023, 9, 29, 17, tzinfo=LOCAL_TZ)
    peaks = Counter(key for key, _, _ in rows if "cao-diem" in key)
    assert peaks == {"sinh-hoat-cao-diem-19-5-2023": len(chi_bo), "sinh-hoat-cao-diem-2-9-2023": len(chi_bo)}
    # A chi bộ's calendar shows the peak under its own title, beside the monthly periods.
    with UnitOfWork(engine) as uow:
        feed = unit_feed(uow.session, sorted(chi_bo)[0], now=datetime(2023, 4, 11, tzinfo=UTC)).decode()
    unfolded = feed.replace("\r\n ", "")
    assert "Lồng ghép vào sinh hoạt chi bộ hằng tháng (đợt cao điểm dịp 19/5/2023)" in unfolded
    assert "Lồng ghép vào sinh hoạt chi bộ hằng tháng (đợt cao điểm dịp 2/9/2023)" in unfolded
