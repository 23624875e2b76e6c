"""A wrong report is corrected by a new version: the figures in force change, the roll-up follows, the earlier
version stays in the history with who, when and why; a refused correction records nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from errors import ConflictError, InputError
from rollout import actions
from rollout.rollup import rollup
from storage import UnitOfWork
from storage.models import AuditEntry, ObligationRow, SubmissionRow, UnitRow
from tests.hardening.cli import refused, trienkhai
from tests.hardening.test_report_values import KEY, NUMBER, PLAN, local, pilot_cell  # noqa: F401  (the fixture)


def _row(engine: Engine, code: str) -> ObligationRow:
    with UnitOfWork(engine) as uow:
        row = uow.session.scalars(select(ObligationRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                                  .where(UnitRow.code == code, ObligationRow.key == KEY)).one()
        uow.session.expunge(row)
        return row


def _count(engine: Engine, *where: object) -> int:
    with UnitOfWork(engine) as uow:
        return uow.session.scalar(select(func.count()).select_from(SubmissionRow).where(*where)) or 0  # type: ignore[arg-type]


def test_a_correction_replaces_the_figures_and_keeps_the_first_report(pilot_cell: tuple[Engine, str]) -> None:  # noqa: F811
    engine, code = pilot_cell
    with UnitOfWork(engine) as uow:
        actions.submit(uow.session, NUMBER, code, KEY, data={"so_dien_dan": 2, "so_dang_vien_tham_du": "180"},
                       now=local(2017, 6, 10), actor="web:giolinh")
        uow.commit()
    first = _row(engine, code)
    with UnitOfWork(engine) as uow:
        actions.correct(uow.session, NUMBER, code, KEY, data={"so_dien_dan": "2", "so_dang_vien_tham_du": "18"},
                        reason="Gõ nhầm 180 thay cho 18", now=local(2017, 6, 20), actor="web:vp")
        uow.commit()
        assert rollup(uow.session, NUMBER, "TU-QT").sums["so_dang_vien_tham_du"] == 18
        versions = uow.session.scalars(select(SubmissionRow).where(SubmissionRow.obligation_id == first.id)
                                       .order_by(SubmissionRow.id)).all()
        audit = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.correct")).one()
    row = _row(engine, code)
    assert row.data == {"so_dien_dan": 2, "so_dang_vien_tham_du": 18}
    # The report arrived on time on 10/6; a correction on 20/6 (after the deadline) does not make it late.
    assert row.status == first.status == "done_on_time" and row.submitted_at == first.submitted_at
    assert [(v.action, v.actor, v.data, v.reason) for v in versions] == [
        ("submit", "web:giolinh", {"so_dien_dan": 2, "so_dang_vien_tham_du": 180}, None),
        ("correct", "web:vp", {"so_dien_dan": 2, "so_dang_vien_tham_du": 18}, "Gõ nhầm 180 thay cho 18"),
    ]
    assert audit.reason == "Gõ nhầm 180 thay cho 18" and audit.details["before"]["so_dang_vien_tham_du"] == 180


@pytest.mark.parametrize(("data", "reason", "error", "fragment"), [
    ({"so_dien_dan": "9" * 400}, "Sửa số diễn đàn", InputError, "phải là số nguyên từ 0 đến 1.000.000.000.000"),
    ({"so_dien_dan": "3"}, "  ", InputError, "phải ghi rõ lý do sửa"),
    ({"so_dien_dan": "2"}, "Không đổi gì", ConflictError, "Số liệu không khác lần báo cáo trước"),
    ({"khong_co": "1"}, "Trường lạ", InputError, "các trường hợp lệ: so_dien_dan"),
])
def test_a_refused_correction_records_nothing(pilot_cell: tuple[Engine, str], data: dict[str, str], reason: str,  # noqa: F811
                                              error: type[Exception], fragment: str) -> None:
    engine, code = pilot_cell
    with UnitOfWork(engine) as uow:
        actions.submit(uow.session, NUMBER, code, KEY, data={"so_dien_dan": 2}, now=local(2017, 6, 10), actor="cb")
        uow.commit()
    with UnitOfWork(engine) as uow, pytest.raises(error) as caught:
        actions.correct(uow.session, NUMBER, code, KEY, data=data, reason=reason, now=local(2017, 6, 20), actor="vp")
    assert fragment in str(caught.value)
    assert _row(engine, code).data == {"so_dien_dan": 2}
    assert _count(engine, SubmissionRow.action == "correct") == 0


def test_only_a_recorded_report_can_be_corrected(pilot_cell: tuple[Engine, str]) -> None:  # noqa: F811
    engine, code = pilot_cell
    with UnitOfWork(engine) as uow, pytest.raises(ConflictError) as caught:
        actions.correct(uow.session, NUMBER, code, KEY, data={"so_dien_dan": 1}, reason="Sửa", now=local(2017, 6, 20),
                        actor="vp")
    assert "chưa có báo cáo để sửa, hãy nộp báo cáo" in str(caught.value)


def test_report_correct_on_the_command_line(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).code == 0
    assert trienkhai("plan", "issue", str(PLAN), home=tmp_path).code == 0
    assert trienkhai("advance", "--now", "2017-04-03T09:00", home=tmp_path).code == 0
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        [(unit,)] = db.execute("SELECT u.code FROM obligations o JOIN units u ON u.id = o.unit_id WHERE o.key = ? "
                               "ORDER BY u.code LIMIT 1", (KEY,)).fetchall()
    assert trienkhai("report", "submit", NUMBER, unit, KEY, "-f", "so_dien_dan=2", home=tmp_path).code == 0
    bad = trienkhai("report", "correct", NUMBER, unit, KEY, "-f", "so_dien_dan=inf", "--reason", "Sửa",
                    home=tmp_path)
    refused(bad, InputError, "trường “so_dien_dan”", "phải là số nguyên")
    good = trienkhai("report", "correct", NUMBER, unit, KEY, "-f", "so_dien_dan=3", "--reason", "Thêm một diễn đàn",
                     home=tmp_path)
    assert good.code == 0 and "Đã sửa báo cáo" in good.out, good.err
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        versions = db.execute("SELECT s.action, s.reason FROM submissions s JOIN obligations o ON o.id = "
                              "s.obligation_id JOIN units u ON u.id = o.unit_id WHERE u.code = ? ORDER BY s.id",
                              (unit,)).fetchall()
    assert versions == [("submit", None), ("correct", "Thêm một diễn đàn")]
