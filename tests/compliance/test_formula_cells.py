"""The weekly workbook writes a unit name that looks like a formula as text (read back: no formula)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from compliance.run import run_compliance
from storage import UnitOfWork
from storage.models import UnitRow
from tests.hardening.test_formula_cells import LINK, shown_as_text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_weekly_workbook_writes_formula_like_unit_names_as_text(followed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(followed) as uow:
        uow.session.execute(update(UnitRow).where(UnitRow.kind == "huyen_uy").values(name=LINK))
        uow.session.execute(update(UnitRow).where(UnitRow.kind == "chi_bo").values(name="@SUM(A1:A9)"))
        uow.commit()
    paths = run_compliance(followed, datetime(2017, 6, 30, 8, tzinfo=UTC), tmp_path / "out")
    [workbook] = [p for p in paths if p.suffix == ".xlsx"]
    shown_as_text(workbook, LINK)
    shown_as_text(workbook, "@SUM(A1:A9)")
