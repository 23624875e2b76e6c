"""Weekly snapshots and the figures of the consolidated report, checked by hand on Đông Hà (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from compliance.report import build_report, snapshot_weeks
from compliance.snapshot import take_snapshot, week_of
from errors import NotFound
from rollout import actions
from rollout.reconcile import advance
from storage import UnitOfWork
from storage.models import ComplianceSnapshotRow, ObligationRow, UnitRow

from compliance_scenario import CAL, NUMBER, at, run, submit


def report(engine, week: date):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return build_report(uow.session, NUMBER, week, calendar=CAL)


def snapshot_rows(engine) -> dict[date, int]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return dict(uow.session.execute(
            select(ComplianceSnapshotRow.week, func.count()).group_by(ComplianceSnapshotRow.week)
        ).all())


def test_week_is_the_local_monday_even_late_on_sunday_in_utc() -> None:
    assert week_of(at(2017, 6, 26, 9)) == date(2017, 6, 26)
    assert week_of(at(2017, 7, 2, 23)) == date(2017, 6, 26)  # Sunday 23h00 in Vietnam
    assert week_of(at(2017, 7, 3, 7)) == date(2017, 7, 3)  # Monday 7h00 in Vietnam is still Sunday in UTC


def test_snapshot_in_the_same_week_replaces_the_earlier_one(issued) -> None:  # type: ignore[no-untyped-def]
    first = run(issued, take_snapshot, at(2017, 6, 12))
    assert (first.week, first.directives, first.rows) == (date(2017, 6, 12), [NUMBER], 38)
    submit(issued, "QT-DONGHA-P1-CB01", at(2017, 6, 13))
    again = run(issued, take_snapshot, at(2017, 6, 14))
    assert again.rows == 38 and snapshot_rows(issued) == {date(2017, 6, 12): 38}
    week = report(issued, date(2017, 6, 12))
    assert week.totals.done_on_time == 1  # the second run's figures, not the first's, nor both
    run(issued, take_snapshot, at(2017, 6, 19))
    assert snapshot_rows(issued) == {date(2017, 6, 12): 38, date(2017, 6, 19): 38}


def test_held_directive_is_not_snapshotted(issued) -> None:  # type: ignore[no-untyped-def]
    run(issued, actions.set_state, NUMBER, "hold", reason="Chờ ý kiến", now=at(2017, 6, 9), actor="vp")
    nothing = run(issued, take_snapshot, at(2017, 6, 12))
    assert (nothing.directives, nothing.rows) == ([], 0) and snapshot_rows(issued) == {}


def test_snapshot_counts_match_the_obligations_unit_by_unit(followed) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(followed) as uow:
        live = dict(uow.session.execute(
            select(UnitRow.code, func.count()).join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
            .where(ObligationRow.status == "overdue").group_by(UnitRow.code)
        ).all())
    week = report(followed, date(2017, 6, 26))
    assert {u.code: u.overdue for u in week.overdue} == live


def test_dong_ha_change_since_last_week(followed) -> None:  # type: ignore[no-untyped-def]
    week = report(followed, date(2017, 6, 26))
    assert week.previous_week == date(2017, 6, 19)
    dong_ha = next(d for d in week.districts if d.code == "QT-DONGHA")
    # Đông Hà's 9 units: P1-CB01 and CA on time, CA-CB01 late, P1 and YT overdue; its own report and 3 pilot
    # forums open.
    assert (dong_ha.units, dong_ha.counts.done_on_time, dong_ha.counts.done_late, dong_ha.counts.overdue,
            dong_ha.counts.open) == (9, 2, 1, 2, 4)
    assert dong_ha.counts.share_on_time == pytest.approx(2 / 5)
    # A week earlier: 2 on time, CA-CB01 overdue, so 2/3 on time.
    assert dong_ha.previous is not None and dong_ha.previous.share_on_time == pytest.approx(2 / 3)
    assert dong_ha.share_change == pytest.approx(2 / 5 - 2 / 3)
    assert (dong_ha.done_change, dong_ha.overdue_change) == (1, 1)
    # The other districts did nothing: every one of their level-2 and level-3 pilot reports is now overdue.
    cam_lo = next(d for d in week.districts if d.code == "QT-CAMLO")
    assert (cam_lo.counts.done, cam_lo.counts.overdue, cam_lo.previous.overdue) == (0, 7, 2)  # type: ignore[union-attr]
    assert [d.code for d in week.districts] == ["QT-CAMLO", "QT-DONGHA", "QT-GIOLINH", "QT-KCQ"]


def test_first_week_has_no_change(followed) -> None:  # type: ignore[no-untyped-def]
    first = report(followed, date(2017, 6, 12))
    assert first.previous_week is None
    assert all(d.previous is None and d.share_change is None and d.done_change is None for d in first.districts)


def test_overdue_units_by_level_with_working_days_and_escalation(followed) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(followed) as uow:
        uow.session.execute(update(ObligationRow).where(
            ObligationRow.unit_id == select(UnitRow.id).where(UnitRow.code == "QT-DONGHA-YT").scalar_subquery()
        ).values(escalation_step=7))
        uow.commit()
    run(followed, take_snapshot, at(2017, 6, 26, 10))
    week = report(followed, date(2017, 6, 26))
    grouped = week.overdue_by_level()
    assert sorted(grouped) == [2, 3]
    # Level 2 was due 22/6 (2 working days before Monday 26/6: 23 and 26); level 3 on 15/6 (16, 19–23, 26: 7 days).
    assert {(u.overdue_since, u.days_overdue) for u in grouped[2]} == {(date(2017, 6, 22), 2)}
    assert {(u.overdue_since, u.days_overdue) for u in grouped[3]} == {(date(2017, 6, 15), 7)}
    assert len(grouped[2]) == 13 and len(grouped[3]) == 5
    yt = next(u for u in grouped[2] if u.code == "QT-DONGHA-YT")
    assert (yt.escalation_step, yt.district) == (7, "Thành ủy Đông Hà")
    cell = next(u for u in grouped[3] if u.code == "QT-CAMLO-CAMTHANH-CB01")
    assert cell.belongs_to == "Đảng bộ xã Cam Thành (Huyện ủy Cam Lộ)"
    # Most days overdue first within a level; Đông Hà's own chi bộ reported late, so none of its are listed at level 3.
    assert not any(u.district == "Thành ủy Đông Hà" for u in grouped[3])


def test_level_totals_add_up_to_the_whole(followed) -> None:  # type: ignore[no-untyped-def]
    week = report(followed, date(2017, 6, 26))
    assert [(lv.level, lv.units) for lv in week.levels] == [(1, 4), (2, 15), (3, 19)]
    assert sum(lv.counts.total for lv in week.levels) == week.totals.total
    assert sum(d.counts.total for d in week.districts) == week.totals.total  # every unit lies under one district


def test_series_keeps_every_week_for_the_chart(followed) -> None:  # type: ignore[no-untyped-def]
    week = report(followed, date(2017, 6, 26))
    # Đông Hà's completion: 1 of 9 opened obligations done, then 2 of 9, then 3 of 9.
    assert week.series["Thành ủy Đông Hà"] == [
        (date(2017, 6, 12), pytest.approx(1 / 9)), (date(2017, 6, 19), pytest.approx(2 / 9)),
        (date(2017, 6, 26), pytest.approx(3 / 9)),
    ]
    assert [p.name for p in week.phases] == ["pilot", "review", "rollout"]
    assert week.phases[0].start == date(2017, 4, 3)
    # An earlier week's report stops its series at that week.
    assert len(report(followed, date(2017, 6, 19)).series["Thành ủy Đông Hà"]) == 2


def test_missing_week_is_refused_with_the_weeks_kept(followed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as caught:
        report(followed, date(2017, 6, 5))
    assert "5/6/2017" in str(caught.value) and "26/6/2017" in str(caught.value)
    with UnitOfWork(followed) as uow:
        directive = actions.find_directive(uow.session, NUMBER)
        assert snapshot_weeks(uow.session, directive.id) == [date(2017, 6, 12), date(2017, 6, 19), date(2017, 6, 26)]


def test_unrelated_advance_does_not_change_a_kept_snapshot(followed) -> None:  # type: ignore[no-untyped-def]
    before = report(followed, date(2017, 6, 19))
    submit(followed, "QT-DONGHA-P1", at(2017, 6, 27))
    run(followed, advance, at(2017, 6, 27))
    after = report(followed, date(2017, 6, 19))
    assert after.totals == before.totals
