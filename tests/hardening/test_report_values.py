"""Report values as they are typed (web form, `report submit -f`, the API): odd ones are refused whole with the field
and the valid range, Vietnamese thousands are read, and nothing of a refused report is recorded."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from errors import InputError
from hierarchy.generate import small_quang_tri_2017
from plans.schema import FieldDef
from rollout import actions, fields
from rollout.reconcile import advance
from rollout.rollup import rollup
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import AuditEntry, ObligationRow, SubmissionRow, UnitRow
from storage.units import apply_hierarchy
from tests.hardening.cli import refused, trienkhai

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
NUMBER = "47-KH/TU"
KEY = "bao-cao-chi-dao-diem"
CAL = WorkingCalendar()
INTEGER = "phải là số nguyên từ 0 đến 1.000.000.000.000 (ví dụ 1.234)"


def local(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h - 7, tzinfo=UTC)


@pytest.fixture
def pilot_cell(engine: Engine) -> tuple[Engine, str]:
    """47-KH/TU issued and its pilot opened; the code of a pilot chi bộ that owes the pilot report."""
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=local(2017, 3, 1), actor="test")
        prepared, _ = issue_plan(uow.session, PLAN, now=local(2017, 3, 22), actor="vp", calendar=CAL)
        advance(uow.session, local(2017, 4, 3), calendar=CAL)
        uow.commit()
    return engine, sorted(c.code for c in prepared.compiled.pilot)[0]


def _submit(engine: Engine, code: str, data: dict[str, Any]) -> None:
    with UnitOfWork(engine) as uow:
        actions.submit(uow.session, NUMBER, code, KEY, data=data, now=local(2017, 5, 2), actor="cb")
        uow.commit()


ODD_INTEGERS: list[Any] = ["9" * 400, "inf", "nan", "-5", "1,5", "1e3", "", float("inf"), float("nan"), 10**400,
                           -1, True, [1], {"a": 1}, "1.234.5678"]


@pytest.mark.parametrize("value", ODD_INTEGERS, ids=[repr(v)[:20] for v in ODD_INTEGERS])
def test_an_odd_figure_is_refused_with_the_field_and_the_range_and_nothing_recorded(
        pilot_cell: tuple[Engine, str], value: Any) -> None:
    engine, code = pilot_cell
    with pytest.raises(InputError) as caught:
        _submit(engine, code, {"so_dien_dan": value, "so_dang_vien_tham_du": "12"})
    [problem] = caught.value.problems
    assert problem.field == "so_dien_dan" and INTEGER in problem.message
    assert "kiểu" not in str(caught.value) and "Traceback" not in str(caught.value)
    assert len(problem.message) < 300  # 400 digits are cut, not echoed
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(SubmissionRow)) == 0
        assert uow.session.scalar(select(func.count()).where(AuditEntry.action == "report.submit")) == 0


def test_thousands_written_the_vietnamese_way_are_read_and_summed(pilot_cell: tuple[Engine, str]) -> None:
    engine, code = pilot_cell
    _submit(engine, code, {"so_dien_dan": "2", "so_dang_vien_tham_du": "1.234",
                           "giai_phap": ["Mô hình A", "Mô hình B"], "kien_nghi": "Dòng một\r\nDòng hai"})
    with UnitOfWork(engine) as uow:
        row = uow.session.scalars(select(ObligationRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                                  .where(UnitRow.code == code, ObligationRow.key == KEY)).one()
        assert row.data == {"so_dien_dan": 2, "so_dang_vien_tham_du": 1234, "giai_phap": ["Mô hình A", "Mô hình B"],
                            "kien_nghi": "Dòng một\nDòng hai"}
        assert rollup(uow.session, NUMBER, "TU-QT").sums["so_dang_vien_tham_du"] == 1234


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("kien_nghi", "Đề nghị \u202etăng cường", "ký tự đảo chiều văn bản U+202E ở ký tự thứ 9"),
    ("kien_nghi", "Đề nghị\x00", "ký tự NUL"),
    ("kien_nghi", "Đ" * 6000, "dài 6.000 ký tự, quá giới hạn 5.000 ký tự"),
    ("giai_phap", ["Mô hình A", "Mô hình\tB"], "mục thứ 2 có dấu tab"),
    ("giai_phap", ";".join(["x"] * 501), "có 501 mục, quá giới hạn 500 mục"),
    ("giai_phap", {"a": 1}, "phải là một danh sách"),
])
def test_odd_text_is_refused_with_the_field(pilot_cell: tuple[Engine, str], field: str, value: Any,
                                            fragment: str) -> None:
    engine, code = pilot_cell
    with pytest.raises(InputError) as caught:
        _submit(engine, code, {field: value})
    [problem] = caught.value.problems
    assert problem.field == field and fragment in problem.message, problem.message


def _check(field_type: str, value: Any) -> Any:
    return fields.check_fields([FieldDef(name="x", label="X", type=field_type)], {"x": value})["x"]


@pytest.mark.parametrize(("text", "number"), [
    ("12,5", 12.5), ("1.234", 1234.0), ("1.234,5", 1234.5), ("0.85", 0.85), ("0,85", 0.85), ("1 234", 1234.0),
    (3, 3.0), (0.5, 0.5),
])
def test_decimal_figures_read_the_vietnamese_way(text: Any, number: float) -> None:
    assert _check("float", text) == number


@pytest.mark.parametrize("value", ["inf", "-inf", "nan", float("nan"), float("inf"), -0.5, "1e400", 10**13, "abc"])
def test_odd_decimal_figures_are_refused_with_the_range(value: Any) -> None:
    with pytest.raises(InputError) as caught:
        _check("float", value)
    message = caught.value.problems[0].message
    assert "phải là một số từ 0 đến 1.000.000.000.000 (ví dụ 1.234 hoặc 12,5)" in message and "kiểu" not in message


def test_report_submit_on_the_command_line_refuses_odd_figures_and_reads_thousands(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).code == 0
    assert trienkhai("plan", "issue", str(PLAN), home=tmp_path).code == 0
    assert trienkhai("advance", "--now", "2017-04-03T09:00", home=tmp_path).code == 0
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        [(unit,)] = db.execute("SELECT u.code FROM obligations o JOIN units u ON u.id = o.unit_id WHERE o.key = ? "
                               "ORDER BY u.code LIMIT 1", (KEY,)).fetchall()
    bad = trienkhai("report", "submit", NUMBER, unit, KEY, "-f", "so_dien_dan=" + "9" * 400,
                    "-f", "so_dang_vien_tham_du=inf", home=tmp_path)
    refused(bad, InputError, "trường “so_dien_dan”", "trường “so_dang_vien_tham_du”", INTEGER, "(400 ký tự)",
            "chưa ghi nhận")
    good = trienkhai("report", "submit", NUMBER, unit, KEY, "-f", "so_dien_dan=2", "-f", "so_dang_vien_tham_du=1.234",
                     home=tmp_path)
    assert good.code == 0, good.err
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        [(data,)] = db.execute("SELECT o.data FROM obligations o JOIN units u ON u.id = o.unit_id "
                               "WHERE o.key = ? AND u.code = ?", (KEY, unit)).fetchall()
    assert json.loads(data) == {"so_dien_dan": 2, "so_dang_vien_tham_du": 1234}
