"""Authority follows the issuer: a district administrator records its own units' reports but cannot waive what the
Tỉnh ủy's directive asks of them (Forbidden, HTTP 403). Units closed by a hierarchy re-import are no longer chased:
the next advance waives what they still owe, with the reason, and they leave the gate's count and the weekly
snapshot from that day."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from compliance.snapshot import take_snapshot
from errors import Forbidden
from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.reconcile import advance
from rollout.status import CLOSED_REASON, Status
from storage import UnitOfWork
from storage.models import (
    ComplianceSnapshotRow,
    DirectiveRow,
    EventRow,
    ObligationRow,
    OutboxRow,
    SubmissionRow,
    UnitRow,
)
from storage.units import apply_hierarchy
from tests.rollout.test_engine import CAL, NUMBER, at, issued, run  # noqa: F401  (the fixture)


def _codes(engine):  # type: ignore[no-untyped-def]
    """The issuer, a huyện ủy under it and a chi bộ under that huyện ủy with an obligation of the directive."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        directive = s.scalars(select(DirectiveRow)).one()
        issuer = s.get_one(UnitRow, directive.issuer_id)
        district = s.scalars(select(UnitRow).where(UnitRow.kind == "huyen_uy").order_by(UnitRow.code)).first()
        assert district is not None
        cell, key = s.execute(
            select(UnitRow.code, ObligationRow.key).join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
            .where(UnitRow.path.startswith(district.path), UnitRow.kind == "chi_bo",
                   ObligationRow.key == "bao-cao-hang-nam")
            .order_by(UnitRow.code)).first()  # type: ignore[misc]
        return issuer.code, district.code, cell, key


def _status(engine, code: str, key: str) -> str:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return uow.session.scalars(select(ObligationRow.status).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                                   .where(UnitRow.code == code, ObligationRow.key == key)
                                   .order_by(ObligationRow.period)).first() or ""


def test_a_district_admin_cannot_waive_the_provinces_items_but_the_issuer_can(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    issuer, district, cell, key = _codes(engine)
    with UnitOfWork(engine) as uow, pytest.raises(Forbidden) as caught:
        actions.waive(uow.session, NUMBER, cell, key, reason="Chi bộ đang kiện toàn", now=at(2017, 4, 5),
                      actor="web:hu", by_unit=district)
    said = str(caught.value)
    assert "không có quyền miễn nội dung của văn bản 47-KH/TU" in said and "đơn vị ban hành" in said
    assert caught.value.http_status == 403 and caught.value.exit_code == Forbidden.exit_code
    assert _status(engine, cell, key) != Status.WAIVED
    # The issuer's office may, and the district still records its own units' reports.
    run(engine, actions.waive, NUMBER, cell, key, reason="Chi bộ đang kiện toàn", now=at(2017, 4, 5),
        actor="web:tu", by_unit=issuer)
    assert _status(engine, cell, key) == Status.WAIVED


def test_closed_units_are_waived_not_chased_and_leave_the_gate_count(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    run(engine, advance, at(2017, 4, 3), calendar=CAL)
    _issuer, _district, cell, key = _codes(engine)
    # The re-import of 10/4/2017 no longer lists the chi bộ: it is closed from that day.
    units = [u for u in small_quang_tri_2017() if u.code != cell]
    run(engine, apply_hierarchy, units, now=at(2017, 4, 10), actor="vp")
    with UnitOfWork(engine) as uow:
        unit = uow.session.scalars(select(UnitRow).where(UnitRow.code == cell)).one()
        assert unit.valid_to is not None
        owed_before = uow.session.scalars(select(ObligationRow.id).where(
            ObligationRow.unit_id == unit.id, ObligationRow.status.in_(["pending", "open", "overdue"]))).all()
    assert owed_before
    result = run(engine, advance, at(2017, 4, 10, 10), calendar=CAL)
    assert result.closed == len(owed_before)
    # Later passes chase everyone else into the autumn, never this unit.
    for day in (at(2017, 7, 3), at(2017, 7, 12), at(2017, 8, 1), at(2017, 12, 20)):
        run(engine, advance, day, calendar=CAL)
    with UnitOfWork(engine) as uow:
        s = uow.session
        rows = s.scalars(select(ObligationRow).where(ObligationRow.id.in_(owed_before))).all()
        assert {r.status for r in rows} == {Status.WAIVED} and {r.note for r in rows} == {CLOSED_REASON}
        assert s.scalar(select(SubmissionRow.reason).where(SubmissionRow.obligation_id == owed_before[0])) \
            == CLOSED_REASON
        assert len(s.scalars(select(EventRow).where(EventRow.dedup.like("closed:%"))).all()) == len(owed_before)
        chased = s.scalars(select(OutboxRow).where(OutboxRow.unit_id == unit.id,
                                                   OutboxRow.created_at >= at(2017, 4, 10))).all()
        assert chased == []
        assert s.scalars(select(OutboxRow).where(OutboxRow.created_at >= at(2017, 7, 3))).first() is not None
    # The weekly snapshot leaves it out: it no longer counts among the organisations nor in any share.
    with UnitOfWork(engine) as uow:
        week = take_snapshot(uow.session, at(2017, 12, 22))
        uow.commit()
    with UnitOfWork(engine) as uow:
        units = set(uow.session.scalars(select(ComplianceSnapshotRow.unit_id)
                                        .where(ComplianceSnapshotRow.week == week.week)))
    assert unit.id not in units and len(units) == week.rows == 37
