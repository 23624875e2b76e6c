"""A small Quảng Trị 2017 hierarchy under 47-KH/TU, followed week by week through the pilot's reports.

Pilot reports are due 15/6 (chi bộ, level 3), 22/6 (grassroots, level 2) and 29/6 (districts, level 1), each at 17h00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from rollout import actions
from rollout.reconcile import advance
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow, UnitRow

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
CAL = WorkingCalendar()
NUMBER = "47-KH/TU"
REPORT = "bao-cao-chi-dao-diem"


def at(y: int, m: int, d: int, h: int = 9) -> datetime:
    """A local (UTC+7) wall-clock time (7h–23h) as a UTC instant."""
    return datetime(y, m, d, h - 7, tzinfo=UTC)


def run(engine, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        out = fn(uow.session, *args, **kwargs)
        uow.commit()
    return out


def owing(engine, district: str, level: int, key: str = REPORT) -> list[str]:  # type: ignore[no-untyped-def]
    """Codes of the units of a district's subtree at `level` that owe `key`, in code order."""
    with UnitOfWork(engine) as uow:
        return list(uow.session.scalars(
            select(UnitRow.code).join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
            .where(ObligationRow.key == key, ObligationRow.level == level, UnitRow.code.startswith(district))
            .order_by(UnitRow.code)
        ))


def submit(engine, code: str, when: datetime, key: str = REPORT) -> None:  # type: ignore[no-untyped-def]
    run(engine, actions.submit, NUMBER, code, key, data={"so_dien_dan": 1, "so_dang_vien_tham_du": 20},
        now=when, actor="test")


def follow_pilot(engine) -> None:  # type: ignore[no-untyped-def]
    """Three weekly runs (12/6, 19/6, 26/6/2017); in Đông Hà: P1-CB01 reports on 9/6, CA on 16/6 (both on time),
    CA-CB01 on 20/6 (late: due 15/6); P1 and YT never report (overdue from 22/6). Nobody else reports."""
    from compliance.snapshot import take_snapshot

    submit(engine, "QT-DONGHA-P1-CB01", at(2017, 6, 9))
    run(engine, advance, at(2017, 6, 12))
    run(engine, take_snapshot, at(2017, 6, 12))
    submit(engine, "QT-DONGHA-CA", at(2017, 6, 16))
    run(engine, advance, at(2017, 6, 19))
    run(engine, take_snapshot, at(2017, 6, 19))
    submit(engine, "QT-DONGHA-CA-CB01", at(2017, 6, 20))
    run(engine, advance, at(2017, 6, 26))
    run(engine, take_snapshot, at(2017, 6, 26))
