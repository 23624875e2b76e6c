"""An issued directive's plan is read back typed from the stored JSON, once per row; a stored plan this version
cannot read is refused with the directive's number and the field at fault."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from errors import StorageError
from hierarchy.generate import small_quang_tri_2017
from plans.schema import Plan
from rollout.service import issue_plan
from rollout.stored_plan import field_specs, plan_of, titles
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import DirectiveRow
from storage.units import apply_hierarchy

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"


def _issue(engine) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2017, 3, 1, tzinfo=UTC), actor="test")
        issue_plan(uow.session, PLAN, now=datetime(2017, 3, 22, 2, tzinfo=UTC), actor="vp", calendar=WorkingCalendar())
        uow.commit()


def test_the_stored_plan_reads_back_as_the_typed_plan_once_per_row(engine) -> None:  # type: ignore[no-untyped-def]
    _issue(engine)
    with UnitOfWork(engine) as uow:
        directive = uow.session.scalars(select(DirectiveRow)).one()
        plan = plan_of(directive)
        assert isinstance(plan, Plan) and plan.directive.number == directive.number == "47-KH/TU"
        assert plan_of(directive) is plan  # validated once, not on every read
        assert plan.directive.issued_on.isoformat() == "2017-03-22"
        key = plan.obligations[0].key
        assert titles(plan)[key] == plan.obligations[0].title
        assert field_specs(plan, key) == list(plan.obligations[0].fields)
        assert field_specs(plan, "khong-co") == []
        # An amendment replaces the stored JSON: the next read follows it.
        directive.plan = {**directive.plan, "chase_channel": "direct"}
        assert plan_of(directive).chase_channel == "direct"


def test_a_stored_plan_that_no_longer_validates_names_the_directive_and_the_field(engine) -> None:  # type: ignore[no-untyped-def]
    _issue(engine)
    with UnitOfWork(engine) as uow:
        stored = uow.session.scalars(select(DirectiveRow.plan)).one()
        broken = {**stored, "chase_channel": "fax"}
        uow.session.execute(update(DirectiveRow).values(plan=broken))
        uow.commit()
    with UnitOfWork(engine) as uow:
        directive = uow.session.scalars(select(DirectiveRow)).one()
        with pytest.raises(StorageError) as caught:
            plan_of(directive)
    message = str(caught.value)
    assert "Kế hoạch đã lưu của văn bản số “47-KH/TU” không còn hợp lệ" in message
    assert "chase_channel" in message and "trienkhai db upgrade" in message
