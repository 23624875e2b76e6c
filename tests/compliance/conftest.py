"""Fixtures: 47-KH/TU issued to the small Quảng Trị 2017 hierarchy, then followed through three weekly runs."""

from __future__ import annotations

import pytest

from hierarchy.generate import small_quang_tri_2017
from rollout.reconcile import advance
from rollout.service import issue_plan
from storage import UnitOfWork
from storage.units import apply_hierarchy

from compliance_scenario import CAL, PLAN, at, follow_pilot, run


@pytest.fixture
def issued(engine):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=at(2017, 3, 1), actor="test")
        issue_plan(uow.session, PLAN, now=at(2017, 3, 22), actor="vp", calendar=CAL)
        uow.commit()
    run(engine, advance, at(2017, 4, 3))
    return engine


@pytest.fixture
def followed(issued):  # type: ignore[no-untyped-def]
    follow_pilot(issued)
    return issued
