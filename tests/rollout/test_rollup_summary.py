"""The kept roll-ups never drift from the obligations: after every step of a rollout (issue, advance, reports,
a correction, a waiver, a consolidation, a unit closed by a re-import, a unit moved) every kept row equals a count
made from scratch, and every figure the pages read equals the live computation over the subtree, on both backends."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from hierarchy.generate import small_quang_tri_2017
from rollout import actions
from rollout.reconcile import advance
from rollout.rollup import live_rollup, rollup
from rollout.summary import NO_DUE, ids_of, rebuild_touching
from storage import UnitOfWork
from storage.models import DirectiveRow, ObligationRow, RollupCountRow, UnitRow
from storage.units import apply_hierarchy
from tests.rollout.test_engine import CAL, NUMBER, at, issued, run  # noqa: F401  (the fixture)
from tests.rollout.test_rollup_consolidation import KEY, _commune_with_cells
from web import heatmap, queries as q


def _counted_from_scratch(session) -> Counter:  # type: ignore[no-untyped-def]
    """What rollup_counts must hold: every obligation counted at each unit strictly above its own."""
    expected: Counter = Counter()
    rows = session.execute(select(ObligationRow.directive_id, UnitRow.path, ObligationRow.key, ObligationRow.status,
                                  ObligationRow.due_at).join(UnitRow, UnitRow.id == ObligationRow.unit_id))
    for directive_id, path, key, status, due in rows:
        for above in ids_of(path)[:-1]:
            expected[(directive_id, above, key, status, due or NO_DUE)] += 1
    return expected


def check(engine, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Every kept row, and every figure of every unit's page, equals its live computation."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        kept = {(r.directive_id, r.unit_id, r.key, r.status, r.due_at): r.n for r in s.scalars(select(RollupCountRow))}
        assert kept == dict(_counted_from_scratch(s))
        directive = s.scalars(select(DirectiveRow).where(DirectiveRow.number == NUMBER)).one()
        keys = [o.key for o in q.plan_of(directive).obligations]
        for unit in s.scalars(select(UnitRow).order_by(UnitRow.path)):
            read, live = rollup(s, NUMBER, unit.code), live_rollup(s, NUMBER, unit.code)
            assert (read.counts, read.sums) == (live.counts, pytest.approx(live.sums)), unit.code
            for key in keys:
                read, live = rollup(s, NUMBER, unit.code, key=key), live_rollup(s, NUMBER, unit.code, key=key)
                assert (read.counts, read.sums) == (live.counts, pytest.approx(live.sums)), (unit.code, key)
            assert q.children_counts(s, directive.id, unit) == q.live_children_counts(s, directive.id, unit)
            assert q.key_lines(s, directive, unit, now) == q.live_key_lines(s, directive, unit, now)
            assert heatmap.heat_map(s, directive, unit, now) == heatmap.live_heat_map(s, directive, unit, now)


def test_kept_rollups_equal_the_live_ones_after_every_step(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    check(engine, at(2017, 3, 22))
    run(engine, advance, at(2017, 4, 3), calendar=CAL)
    check(engine, at(2017, 4, 3))

    commune, cells = _commune_with_cells(engine)
    for code, (forums, members) in zip(cells, [(7, 120), (12, 234)], strict=False):
        run(engine, actions.submit, NUMBER, code, KEY, data={"so_dien_dan": forums, "so_dang_vien_tham_du": members},
            now=at(2017, 12, 1), actor="cb")
    check(engine, at(2017, 12, 1))
    with UnitOfWork(engine) as uow:
        province = uow.session.scalars(select(UnitRow.code).where(UnitRow.parent_id.is_(None))).one()
        assert rollup(uow.session, NUMBER, province, key=KEY).sums == {"so_dien_dan": 19.0,
                                                                       "so_dang_vien_tham_du": 354.0}
    # The commune consolidates with other figures: its report replaces its cells' sum, up to the province.
    run(engine, actions.submit, NUMBER, commune, KEY, data={"so_dien_dan": 20, "so_dang_vien_tham_du": 360},
        now=at(2017, 12, 8), actor="dux")
    check(engine, at(2017, 12, 8))
    run(engine, actions.correct, NUMBER, cells[0], KEY, data={"so_dien_dan": 8, "so_dang_vien_tham_du": 121},
        reason="Sai số liệu", now=at(2017, 12, 9), actor="cb")
    check(engine, at(2017, 12, 9))
    run(engine, actions.correct, NUMBER, commune, KEY, data={"so_dien_dan": 21, "so_dang_vien_tham_du": 361},
        reason="Cộng lại", now=at(2017, 12, 10), actor="dux")
    check(engine, at(2017, 12, 10))
    with UnitOfWork(engine) as uow:
        # The province's figure is the commune's corrected report: its cells' figures are replaced by it.
        assert rollup(uow.session, NUMBER, province, key=KEY).sums == {"so_dien_dan": 21.0,
                                                                       "so_dang_vien_tham_du": 361.0}

    with UnitOfWork(engine) as uow:
        owing = uow.session.execute(
            select(UnitRow.code, ObligationRow.key).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(ObligationRow.status == "open", UnitRow.code.not_in([commune, *cells]))
            .order_by(UnitRow.path).limit(1)).one()
    run(engine, actions.waive, NUMBER, owing[0], owing[1], reason="Chi bộ sáp nhập", now=at(2017, 12, 11), actor="vp")
    check(engine, at(2017, 12, 11))
    run(engine, advance, at(2018, 1, 8), calendar=CAL)
    check(engine, at(2018, 1, 8))

    # The re-import of 10/1/2018 no longer lists a chi bộ that still owes something: the next advance waives it.
    with UnitOfWork(engine) as uow:
        closing = uow.session.scalars(
            select(UnitRow.code).join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
            .where(UnitRow.kind == "chi_bo", ObligationRow.status.in_(["open", "overdue", "pending"]),
                   UnitRow.code.not_in([commune, *cells]))
            .order_by(UnitRow.code).limit(1)).one()
    remaining = [u for u in small_quang_tri_2017() if u.code != closing]
    run(engine, apply_hierarchy, remaining, now=at(2018, 1, 10), actor="vp")
    result = run(engine, advance, at(2018, 1, 11), calendar=CAL)
    assert result.closed > 0
    check(engine, at(2018, 1, 11))

    # A reported chi bộ moves to another grassroots committee: its figures and counts follow it (as `hierarchy
    # import` does it).
    other = next(u.code for u in remaining if u.kind.value == "dang_bo_co_so" and u.code != commune)
    moved = [replace(u, parent_code=other) if u.code == cells[1] else u for u in remaining]
    with UnitOfWork(engine) as uow:
        imported = apply_hierarchy(uow.session, moved, now=at(2018, 1, 12), actor="vp")
        assert imported.moved == [cells[1]]
        rebuild_touching(uow.session, imported.moved)
        uow.commit()
    check(engine, at(2018, 1, 12))
