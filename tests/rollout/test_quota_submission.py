"""A registration against a quota: above the unit's allocation it is refused with the quota named, and nothing is
written; within it, it is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from errors import InputError
from hierarchy.files import read_units
from rollout import actions
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow, QuotaRow, UnitRow
from storage.units import apply_hierarchy

EXAMPLES = Path(__file__).parents[2] / "examples"
NUMBER = "412-CV/TĐTN-PT"


@pytest.fixture
def issued(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The Trà Vinh dialogue plan, with a registration of delegates (field `dai_bieu`, for quota `dai-bieu`)."""
    plan = yaml.safe_load((EXAMPLES / "doi-thoai-thanh-nien-2024.yaml").read_text(encoding="utf-8"))
    hierarchy = EXAMPLES / plan["hierarchy"]["file"]
    plan["hierarchy"]["file"] = str(hierarchy)
    plan["obligations"][0]["fields"].append({"name": "dai_bieu", "label": "Số đại biểu đăng ký dự", "type": "int"})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    units, _ = read_units(hierarchy)
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2024, 6, 1, tzinfo=UTC), actor="test")
        issue_plan(uow.session, path, now=datetime(2024, 6, 5, 2, tzinfo=UTC), actor="vp", calendar=WorkingCalendar())
        uow.commit()
    return engine


def test_a_registration_above_quota_is_refused_with_the_quota(issued) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(issued) as uow:
        unit_code, amount, obligation_id = uow.session.execute(
            select(UnitRow.code, QuotaRow.amount, ObligationRow.id)
            .join(QuotaRow, QuotaRow.unit_id == UnitRow.id)
            .join(ObligationRow, (ObligationRow.unit_id == UnitRow.id) & (ObligationRow.key == "cau-hoi"))
            .where(QuotaRow.name == "dai-bieu").order_by(QuotaRow.amount, UnitRow.code)).first()
    at = datetime(2024, 6, 17, 2, tzinfo=UTC)
    with UnitOfWork(issued) as uow, pytest.raises(InputError) as refused:
        actions.submit(uow.session, NUMBER, unit_code, "cau-hoi", data={"dai_bieu": amount + 3}, now=at, actor="t")
    problem, = refused.value.problems
    assert problem.field == "dai_bieu"
    assert f"đăng ký {amount + 3} vượt chỉ tiêu “Đại biểu đoàn viên, thanh niên dự Hội nghị”" in problem.message
    assert f"tối đa {amount} đại biểu" in problem.message or f"tối đa {amount} " in problem.message
    with UnitOfWork(issued) as uow:
        assert uow.session.get(ObligationRow, obligation_id).data is None  # type: ignore[union-attr]
        row = actions.submit(uow.session, NUMBER, unit_code, "cau-hoi", data={"dai_bieu": amount}, now=at, actor="t")
        uow.commit()
        assert row.data == {"dai_bieu": amount}
