"""The rollout engine on real databases: issue 47-KH/TU to a small Quảng Trị 2017 hierarchy and follow it.

The small hierarchy has 3 huyện ủy and 1 đảng ủy trực thuộc (level 1), 15 grassroots organisations
(level 2) and 19 chi bộ (level 3): few enough that every figure below can be checked by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from errors import ConflictError, InputError
from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.reconcile import advance
from rollout.rollup import children_status, rollup
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import EventRow, ObligationRow, PhaseRow
from storage.units import apply_hierarchy

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
CAL = WorkingCalendar()
NUMBER = "47-KH/TU"


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    """A local (UTC+7) wall-clock time as a UTC instant."""
    return datetime(y, m, d, h - 7, 0, tzinfo=UTC) if h >= 7 else datetime(y, m, d - 1, h + 17, tzinfo=UTC)


@pytest.fixture
def issued(engine):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=at(2017, 3, 1), actor="test")
        prepared, result = issue_plan(uow.session, PLAN, now=at(2017, 3, 22), actor="vp", calendar=CAL)
        uow.commit()
    return engine, prepared, result


def statuses(engine, key: str | None = None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        query = select(ObligationRow.status, func.count()).group_by(ObligationRow.status)
        if key:
            query = query.where(ObligationRow.key == key)
        return dict(uow.session.execute(query).all())


def run(engine, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        out = fn(uow.session, *args, **kwargs)
        uow.commit()
    return out


def test_issue_creates_every_obligation_once_and_reissue_creates_nothing(issued) -> None:  # type: ignore[no-untyped-def]
    engine, prepared, result = issued
    assert result.created and result.units == 38
    with UnitOfWork(engine) as uow:
        total = uow.session.scalar(select(func.count()).select_from(ObligationRow))
        per_key = dict(uow.session.execute(
            select(ObligationRow.key, func.count(func.distinct(ObligationRow.unit_id))).group_by(ObligationRow.key)
        ).all())
    assert total == result.obligations
    # 14 pilot chi bộ hold the pilot forum; they and their 11 ancestors below the Tỉnh ủy report on it.
    assert per_key["dien-dan-diem"] == 14 and per_key["bao-cao-chi-dao-diem"] == 25
    assert per_key["bao-cao-hang-nam"] == 38 and per_key["dien-dan"] == 26
    with UnitOfWork(engine) as uow:
        again = issue_plan(uow.session, PLAN, now=at(2017, 3, 23), actor="vp", calendar=CAL)[1]
        uow.commit()
    assert not again.created
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(ObligationRow)) == total


def test_changed_plan_is_refused_with_its_differences(issued, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine, _, _ = issued
    changed = tmp_path / "47.yaml"
    changed.write_text(PLAN.read_text(encoding="utf-8").replace("trước ngày 30/6/2017", "trước ngày 15/6/2017"),
                       encoding="utf-8")
    with UnitOfWork(engine) as uow, pytest.raises(ConflictError) as caught:
        issue_plan(uow.session, changed, now=at(2017, 3, 23), actor="vp", calendar=CAL)
    assert "30/6/2017" in str(caught.value) and "15/6/2017" in str(caught.value)


def test_pilot_opens_on_its_first_working_day_and_lateness_is_marked_once(issued) -> None:  # type: ignore[no-untyped-def]
    engine, _, _ = issued
    assert not run(engine, advance, at(2017, 3, 31)).changed  # 3/4/2017 is the first working day of April
    first = run(engine, advance, at(2017, 4, 3))
    assert first.phases_opened == [f"{NUMBER}:pilot"] and first.opened == 14 + 25
    # A chi bộ's pilot report is due 5 working days before its đảng bộ's (22/6), itself 5 before the district's (29/6).
    with UnitOfWork(engine) as uow:
        dues = dict(uow.session.execute(
            select(ObligationRow.level, func.max(ObligationRow.due_at))
            .where(ObligationRow.key == "bao-cao-chi-dao-diem").group_by(ObligationRow.level)
        ).all())
    assert dues == {1: at(2017, 6, 29, 17), 2: at(2017, 6, 22, 17), 3: at(2017, 6, 15, 17)}
    # 7 of the 14 pilot cells are chi bộ at level 3; the other 7 are chi bộ cơ sở at level 2 (due 22/6).
    levels = {t.code: t.level for t in issued[1].compiled.targets}
    pilot_chi_bo = sorted(c.code for c in issued[1].compiled.pilot if levels[c.code] == 3)
    assert len(pilot_chi_bo) == 7
    run(engine, actions.submit, NUMBER, pilot_chi_bo[0], "bao-cao-chi-dao-diem",
        data={"so_dien_dan": "1", "so_dang_vien_tham_du": "23"}, now=at(2017, 6, 14), actor="cb")
    run(engine, actions.submit, NUMBER, pilot_chi_bo[1], "bao-cao-chi-dao-diem",
        data={"so_dien_dan": 2, "so_dang_vien_tham_du": 30}, now=at(2017, 6, 16), actor="cb")
    run(engine, actions.waive, NUMBER, pilot_chi_bo[2], "bao-cao-chi-dao-diem", reason="Chi bộ sáp nhập",
        now=at(2017, 6, 1), actor="vp")
    after = run(engine, advance, at(2017, 6, 16, 8))
    # The 4 other level-3 pilot reports were due at 17h00 on 15/6; levels 1 and 2 are not due yet.
    assert after.overdue == 4
    assert run(engine, advance, at(2017, 6, 16, 8)).overdue == 0  # idempotent
    counts = statuses(engine, "bao-cao-chi-dao-diem")
    assert counts == {"done_on_time": 1, "done_late": 1, "waived": 1, "overdue": 4, "open": 25 - 7}
    with UnitOfWork(engine) as uow:
        r = rollup(uow.session, NUMBER, "TU-QT", key="bao-cao-chi-dao-diem")
        assert r.sums == {"so_dang_vien_tham_du": 53.0, "so_dien_dan": 3.0}
        assert r.share_on_time == pytest.approx(1 / 6)  # on time ÷ (on time + late + overdue)
        events = uow.session.scalar(select(func.count()).select_from(EventRow).where(EventRow.kind == "overdue"))
    assert events == 4


def test_rollout_gate_waits_for_reports_and_approval(issued) -> None:  # type: ignore[no-untyped-def]
    engine, prepared, _ = issued
    run(engine, advance, at(2017, 4, 3))
    run(engine, advance, at(2017, 7, 3))
    with UnitOfWork(engine) as uow:
        phase = uow.session.scalar(select(PhaseRow).where(PhaseRow.name == "rollout"))
        assert phase.state == "pending"
    with UnitOfWork(engine) as uow:
        owed = list(uow.session.execute(
            select(ObligationRow.unit_id).where(ObligationRow.key == "bao-cao-chi-dao-diem")
        ))
    from storage.models import UnitRow

    with UnitOfWork(engine) as uow:
        codes = [uow.session.get(UnitRow, uid).code for (uid,) in owed]
    for code in codes[: int(len(codes) * 0.8) + 1]:
        run(engine, actions.submit, NUMBER, code, "bao-cao-chi-dao-diem", data={}, now=at(2017, 7, 4), actor="x")
    assert run(engine, advance, at(2017, 7, 5)).phases_opened == []  # reports are in, approval is not
    run(engine, actions.approve_gate, NUMBER, "rollout", now=at(2017, 7, 5), actor="bt")
    assert run(engine, advance, at(2017, 7, 6)).phases_opened == [f"{NUMBER}:rollout"]


def test_report_with_unknown_or_mistyped_field_is_refused_whole(issued) -> None:  # type: ignore[no-untyped-def]
    engine, prepared, _ = issued
    run(engine, advance, at(2017, 4, 3))
    code = sorted(c.code for c in prepared.compiled.pilot)[0]
    with pytest.raises(InputError) as caught:
        run(engine, actions.submit, NUMBER, code, "bao-cao-chi-dao-diem", data={"so_dien_dan": "hai", "so_khac": 1},
            now=at(2017, 5, 2), actor="cb")
    message = str(caught.value)
    assert "so_dien_dan" in message and "so_khac" in message and "so_dang_vien_tham_du" in message
    assert statuses(engine, "bao-cao-chi-dao-diem").get("done_on_time") is None


def test_consolidation_knows_which_children_reported(issued) -> None:  # type: ignore[no-untyped-def]
    engine, prepared, _ = issued
    run(engine, advance, at(2017, 4, 3))
    district = sorted(t.code for t in prepared.compiled.targets if t.level == 1)[0]
    with UnitOfWork(engine) as uow:
        children = children_status(uow.session, NUMBER, district, "bao-cao-chi-dao-diem")
    assert children and all(c.status == "open" for c in children)
    run(engine, actions.submit, NUMBER, children[0].code, "bao-cao-chi-dao-diem", data={}, now=at(2017, 5, 2),
        actor="x")
    with UnitOfWork(engine) as uow:
        after = children_status(uow.session, NUMBER, district, "bao-cao-chi-dao-diem")
    assert [c.status for c in after][0] == "done_on_time"


def test_hold_stops_advance_and_shows_who_and_why(issued) -> None:  # type: ignore[no-untyped-def]
    engine, _, _ = issued
    run(engine, actions.set_state, NUMBER, "hold", reason="Chờ ý kiến Thường trực", now=at(2017, 3, 30), actor="vp")
    assert not run(engine, advance, at(2017, 4, 3)).changed
    with pytest.raises(InputError):
        run(engine, actions.set_state, NUMBER, "resume", reason=" ", now=at(2017, 4, 3), actor="vp")
    with pytest.raises(ConflictError, match="đang ở trạng thái “tạm dừng”, không thể tạm dừng"):
        run(engine, actions.set_state, NUMBER, "hold", reason="Lần nữa", now=at(2017, 4, 3), actor="vp")
    directive = run(engine, actions.set_state, NUMBER, "resume", reason="Đã có ý kiến", now=at(2017, 4, 4), actor="vp")
    assert (directive.state, directive.state_by, directive.state_reason) == ("active", "vp", "Đã có ý kiến")
    assert run(engine, advance, at(2017, 4, 4)).phases_opened == [f"{NUMBER}:pilot"]


def test_issuing_announces_the_directive_to_each_unit_it_is_addressed_to(issued) -> None:  # type: ignore[no-untyped-def]
    from notifications.compose import compose
    from storage.models import OutboxRow

    engine, prepared, _ = issued
    with UnitOfWork(engine) as uow:
        rows = list(uow.session.scalars(select(OutboxRow).where(OutboxRow.template == "thong_bao_trien_khai")))
        assert len(rows) == 4  # the 3 huyện ủy and the Khối cơ quan: level 1 of the small hierarchy
        cam_lo = next(r for r in rows if "Cam Lộ" in compose(uow.session, r, at(2017, 3, 22), CAL).envelope.text)
        text = compose(uow.session, cam_lo, at(2017, 3, 22), CAL).envelope.text
    # The district owes the pilot report (it has pilot units) and the yearly report; each with its deadline.
    assert "Báo cáo kết quả chỉ đạo điểm tổ chức diễn đàn" in text and "29/6/2017" in text
    assert "47-KH/TU" in text and "Kính gửi: Huyện ủy Cam Lộ" in text


def test_amendment_moves_what_is_still_owed_and_records_who_and_why(issued, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rollout.service import amend_plan
    from storage.models import AuditEntry

    engine, prepared, _ = issued
    run(engine, advance, at(2017, 4, 3))
    first = sorted(c.code for c in prepared.compiled.pilot)[0]
    run(engine, actions.submit, NUMBER, first, "bao-cao-chi-dao-diem", data={}, now=at(2017, 5, 2), actor="cb")
    changed = tmp_path / "47.yaml"
    text = PLAN.read_text(encoding="utf-8").replace("trước ngày 30/6/2017", "trước ngày 15/7/2017")
    changed.write_text(text.replace("  - key: ke-hoach-chi-bo", "  - key: ke-hoach-chi-bo-bo", 1), encoding="utf-8")
    with UnitOfWork(engine) as uow, pytest.raises(InputError):
        amend_plan(uow.session, changed, now=at(2017, 5, 3), actor="vp", reason=" ", calendar=CAL)
    with UnitOfWork(engine) as uow:
        _, result = amend_plan(uow.session, changed, now=at(2017, 5, 3), actor="vp", reason="Lùi hạn theo đề nghị",
                               calendar=CAL)
        uow.commit()
    assert any("15/7/2017" in line for line in result.differences)
    # 24 pilot reports still owed move (the one handed in keeps the deadline it was judged against);
    # the renamed chi bộ plan item: the old one is waived (26), the new one issued (26).
    assert (result.rescheduled, result.waived, result.added) == (24, 26, 26)
    with UnitOfWork(engine) as uow:
        dues = dict(uow.session.execute(select(ObligationRow.level, func.max(ObligationRow.due_at)).where(
            ObligationRow.key == "bao-cao-chi-dao-diem", ObligationRow.status != "done_on_time"
        ).group_by(ObligationRow.level)).all())
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "directive.amend"))
    assert dues[1] == at(2017, 7, 14, 17)  # "trước ngày 15/7/2017": Friday 14/7 at the end of office hours
    assert (entry.actor, entry.reason) == ("vp", "Lùi hạn theo đề nghị")
    with UnitOfWork(engine) as uow:  # the same file again changes nothing
        again = amend_plan(uow.session, changed, now=at(2017, 5, 4), actor="vp", reason="x", calendar=CAL)[1]
        assert again.differences == []
