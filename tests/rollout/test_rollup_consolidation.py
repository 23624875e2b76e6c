"""Figures that add up: a consolidating unit's own report replaces the sum of its children, never both."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from errors import ConflictError
from rollout import actions, summary
from rollout.rollup import rollup
from storage import UnitOfWork
from storage.models import ObligationRow, RollupFigureRow, UnitRow
from tests.rollout.test_engine import NUMBER, at, issued, run  # noqa: F401  (the fixture)

KEY = "bao-cao-hang-nam"  # every chi bộ, its grassroots committee and its district owe it, yearly


def _commune_with_cells(engine) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """A grassroots committee that owes the report, with the chi bộ under it that owe it too."""
    with UnitOfWork(engine) as uow:
        owing = set(uow.session.scalars(select(ObligationRow.unit_id).where(ObligationRow.key == KEY)))
        communes = select(UnitRow).where(UnitRow.kind == "dang_bo_co_so").order_by(UnitRow.code)
        for commune in uow.session.scalars(communes):
            if commune.id not in owing:
                continue
            cells = [u.code for u in uow.session.scalars(select(UnitRow).where(UnitRow.parent_id == commune.id))
                     if u.id in owing]
            if len(cells) >= 2:
                return commune.code, cells
    raise AssertionError("no commune with two chi bộ owing the report")


def _sums(engine, code: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        return rollup(uow.session, NUMBER, code, key=KEY).sums


def test_commune_totals_equal_to_its_cells_leave_the_province_unchanged(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    commune, cells = _commune_with_cells(engine)
    figures = [(7, 120), (12, 234)]
    for code, (forums, members) in zip(cells, figures, strict=False):
        run(engine, actions.submit, NUMBER, code, KEY, data={"so_dien_dan": forums, "so_dang_vien_tham_du": members},
            now=at(2017, 12, 1), actor="cb")
    before = _sums(engine, "TU-QT")
    assert before == {"so_dien_dan": 19.0, "so_dang_vien_tham_du": 354.0}
    # The commune consolidates its cells: 19 forums, 354 members — its report replaces their sum.
    run(engine, actions.submit, NUMBER, commune, KEY, data={"so_dien_dan": 19, "so_dang_vien_tham_du": 354},
        now=at(2017, 12, 8), actor="dux")
    assert _sums(engine, "TU-QT") == before
    assert _sums(engine, commune) == before
    assert _sums(engine, cells[0]) == {"so_dien_dan": 7.0, "so_dang_vien_tham_du": 120.0}  # a cell still sees its own


def test_a_consolidation_that_differs_replaces_the_sum_field_by_field(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    commune, cells = _commune_with_cells(engine)
    run(engine, actions.submit, NUMBER, cells[0], KEY, data={"so_dien_dan": 2, "so_dang_vien_tham_du": 40},
        now=at(2017, 12, 1), actor="cb")
    run(engine, actions.submit, NUMBER, cells[1], KEY, data={"so_dien_dan": 3, "so_dang_vien_tham_du": 50},
        now=at(2017, 12, 1), actor="cb")
    # The commune counted one more forum held by the commune itself, and gave no member count: the members are
    # still the sum of its cells.
    run(engine, actions.submit, NUMBER, commune, KEY, data={"so_dien_dan": 6}, now=at(2017, 12, 8), actor="dux")
    assert _sums(engine, commune) == {"so_dien_dan": 6.0, "so_dang_vien_tham_du": 90.0}
    assert _sums(engine, "TU-QT") == {"so_dien_dan": 6.0, "so_dang_vien_tham_du": 90.0}


def test_a_period_not_yet_open_is_refused_and_nothing_is_written(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = issued[0]
    _, cells = _commune_with_cells(engine)
    # In December 2017 the 2019 report (period 2, opening 28/12/2018) cannot be handed in yet.
    with pytest.raises(ConflictError, match=r"chưa mở.*17h00 ngày 28/12/2018"):
        run(engine, actions.submit, NUMBER, cells[0], KEY, data={"so_dien_dan": 1}, now=at(2017, 12, 1), actor="cb",
            period=2)
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(ObligationRow.status).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                                  .where(UnitRow.code == cells[0], ObligationRow.key == KEY,
                                         ObligationRow.period == 2)) == "pending"


def _kept_figures(engine, *, rebuilt: bool = False) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """The consolidations kept, as the reports left them, or as counting the whole directive again makes them."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        if rebuilt:
            summary.rebuild(s, actions.find_directive(s, NUMBER).id)  # rolled back when the block ends
        return [tuple(r) for r in s.execute(select(RollupFigureRow.unit_id, RollupFigureRow.key, RollupFigureRow.period,
                                                   RollupFigureRow.field, RollupFigureRow.below)
                                            .order_by(RollupFigureRow.unit_id, RollupFigureRow.field))]


def test_each_report_and_correction_leaves_the_consolidations_a_recount_would_make(issued) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    # Changes are carried up the chain of units above; a correction that drops a figure consolidates again from
    # the children. Either way the result must be what counting the whole directive again gives.
    engine = issued[0]
    commune, cells = _commune_with_cells(engine)
    steps = [
        (actions.submit, cells[0], {"so_dien_dan": 2, "so_dang_vien_tham_du": 40}),
        (actions.submit, cells[1], {"so_dien_dan": 3, "so_dang_vien_tham_du": 50}),
        (actions.submit, commune, {"so_dien_dan": 6}),  # its own forums; its members stay the sum of its cells
        (actions.correct, cells[1], {"so_dang_vien_tham_du": 55}),  # the cell's forums dropped
        (actions.correct, commune, {"so_dang_vien_tham_du": 90}),  # the commune's forums dropped, members given
        (actions.correct, cells[0], {"so_dien_dan": 0, "so_dang_vien_tham_du": 41}),
    ]
    for step, (act, code, data) in enumerate(steps):
        extra = {"reason": "Sửa số liệu"} if act is actions.correct else {}
        run(engine, act, NUMBER, code, KEY, data=data, now=at(2017, 12, 1 + step), actor="cb", **extra)
        assert _kept_figures(engine) == _kept_figures(engine, rebuilt=True), (code, data)
    assert _sums(engine, "TU-QT") == {"so_dien_dan": 0.0, "so_dang_vien_tham_du": 90.0}
