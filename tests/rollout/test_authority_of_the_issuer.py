"""Gate approvals, holds and aborts belong to the issuer, like waivers: a Tỉnh ủy plan sent to one district (its
root is that district) cannot be held, aborted or moved on by the district's office, and the Tỉnh ủy's office can;
on the dashboard the district administrator gets no form, and a form posted anyway is refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from errors import Forbidden
from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.service import issue_plan
from storage import UnitOfWork
from storage.models import DirectiveRow, UnitRow
from storage.units import apply_hierarchy
from tests.rollout.test_engine import CAL, NUMBER, PLAN, at


@pytest.fixture
def to_one_district(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The Tỉnh ủy's plan 47-KH/TU issued to the Cam Lộ district only: issuer TU-QT, root QT-CAMLO."""
    plan = tmp_path / "47-KH-TU.yaml"
    plan.write_text(PLAN.read_text(encoding="utf-8").replace("roots: [TU-QT]", "roots: [QT-CAMLO]"), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=at(2017, 3, 1), actor="test")
        issue_plan(uow.session, plan, now=at(2017, 3, 22), actor="vp", calendar=CAL)
        directive = uow.session.scalars(select(DirectiveRow)).one()
        codes = {u.id: u.code for u in uow.session.scalars(select(UnitRow))}
        assert (codes[directive.issuer_id], codes[directive.root_id]) == ("TU-QT", "QT-CAMLO")
        uow.commit()
    return engine


def _refused(engine, act, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow, pytest.raises(Forbidden) as caught:
        act(uow.session, NUMBER, *args, now=at(2017, 7, 3), actor="web:camlo", by_unit="QT-CAMLO", **kwargs)
    return str(caught.value)


def test_the_district_the_plan_is_sent_to_cannot_hold_abort_or_approve_it(to_one_district) -> None:  # type: ignore[no-untyped-def]
    engine = to_one_district
    held = _refused(engine, actions.set_state, "hold", reason="Chờ hướng dẫn")
    assert held == ("Huyện ủy Cam Lộ không có quyền tạm dừng văn bản 47-KH/TU: chỉ văn phòng Tỉnh ủy Quảng Trị (đơn "
                    "vị ban hành) hoặc cấp trên được tạm dừng; Huyện ủy Cam Lộ có thể đề nghị đơn vị ban hành tạm "
                    "dừng.")
    assert "không có quyền hủy đợt triển khai văn bản 47-KH/TU" in _refused(engine, actions.set_state, "abort",
                                                                           reason="Trùng kế hoạch khác")
    assert "không có quyền phê duyệt chuyển giai đoạn của văn bản 47-KH/TU" in _refused(engine, actions.approve_gate,
                                                                                       "rollout")
    with UnitOfWork(engine) as uow:  # nothing was written
        assert uow.session.scalars(select(DirectiveRow.state)).one() == "active"


def test_the_issuers_office_holds_resumes_and_approves(to_one_district) -> None:  # type: ignore[no-untyped-def]
    engine = to_one_district
    with UnitOfWork(engine) as uow:
        actions.set_state(uow.session, NUMBER, "hold", reason="Chờ hướng dẫn của Trung ương", now=at(2017, 7, 3),
                          actor="web:tu", by_unit="TU-QT")
        actions.set_state(uow.session, NUMBER, "resume", reason="Đã có hướng dẫn", now=at(2017, 7, 4),
                          actor="web:tu", by_unit="TU-QT")
        phase = actions.approve_gate(uow.session, NUMBER, "rollout", now=at(2017, 7, 4), actor="web:tu",
                                     by_unit="TU-QT")
        uow.commit()
    assert phase.approved_by == "web:tu" and isinstance(phase.approved_at, datetime)
