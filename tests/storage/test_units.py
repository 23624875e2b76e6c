"""Hierarchy storage against real databases: all-or-nothing imports, differences, subtree questions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from errors import HierarchyError
from hierarchy import Category, Kind, Unit
from storage import UnitOfWork, units as repo
from storage.models import AuditEntry, HierarchyChange, UnitRow

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def small_tree() -> list[Unit]:
    return [
        Unit("TU", "Tỉnh ủy Thử", Kind.TINH_UY),
        Unit("TU-BTG", "Ban Tuyên giáo Tỉnh ủy", Kind.BAN, "TU"),
        Unit("X1", "Đảng ủy xã Một", Kind.DANG_UY_XA, "TU", Category.NONG_THON, route_via=None),
        Unit("X2", "Đảng ủy phường Hai", Kind.DANG_UY_XA, "TU", Category.PHUONG_THI_TRAN),
        Unit("X1-CB1", "Chi bộ thôn 1", Kind.CHI_BO, "X1", Category.NONG_THON, member_count=20),
        Unit("X1-CB2", "Chi bộ thôn 2", Kind.CHI_BO, "X1", Category.NONG_THON, member_count=15),
        Unit("X2-CB1", "Chi bộ khu phố 1", Kind.CHI_BO, "X2", Category.PHUONG_THI_TRAN, member_count=30),
    ]


def apply(engine, units, now=NOW):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        result = repo.apply_hierarchy(uow.session, units, now=now, actor="test", source="tree.yaml")
        uow.commit()
    return result


def test_import_then_subtree_counts_come_from_the_database(engine) -> None:  # type: ignore[no-untyped-def]
    result = apply(engine, small_tree())
    assert len(result.added) == 7
    with UnitOfWork(engine) as uow:
        assert repo.counts_by_kind(uow.session, "X1") == {"dang_uy_xa": (1, 0), "chi_bo": (2, 35)}
        assert repo.counts_by_kind(uow.session, "TU")["chi_bo"] == (3, 65)
        chi_bo = repo.subtree_units(uow.session, "X2", kinds=["chi_bo"])
        assert [u.code for u in chi_bo] == ["X2-CB1"]
        assert [u.depth for u in repo.subtree_units(uow.session, "X1")] == [1, 2, 2]


def test_reimporting_the_same_file_changes_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    apply(engine, small_tree())
    result = apply(engine, small_tree())
    assert result.unchanged
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(HierarchyChange)) == 7
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry)) == 1


def test_changed_file_applies_and_records_the_difference(engine) -> None:  # type: ignore[no-untyped-def]
    apply(engine, small_tree())
    changed = [u for u in small_tree() if u.code != "X1-CB2"]
    changed = [replace(u, parent_code="X2") if u.code == "X1-CB1" else u for u in changed]
    changed = [replace(u, name="Đảng ủy phường Hai Mới") if u.code == "X2" else u for u in changed]
    later = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)
    result = apply(engine, changed, now=later)
    assert sorted(result.changed) == ["X1-CB1", "X2"]
    assert result.closed == ["X1-CB2"]
    with UnitOfWork(engine) as uow:
        moved = repo.find_unit(uow.session, "X1-CB1")
        assert moved.path.startswith(repo.find_unit(uow.session, "X2").path)
        assert repo.find_unit(uow.session, "X1-CB2").valid_to == date(2026, 7, 1)
        # The closed cell still exists for old plans (it counts on the day before) but no longer counts after.
        assert repo.counts_by_kind(uow.session, "X1", day=date(2026, 7, 2)) == {"dang_uy_xa": (1, 0)}
        assert repo.counts_by_kind(uow.session, "X1", day=date(2026, 6, 30))["chi_bo"] == (1, 15)
        actions = dict(uow.session.execute(
            select(HierarchyChange.code, HierarchyChange.action).where(HierarchyChange.at == later)
        ).all())
        assert actions == {"X1-CB1": "changed", "X2": "changed", "X1-CB2": "closed"}


def test_file_with_mistakes_is_rejected_whole_and_nothing_is_written(engine) -> None:  # type: ignore[no-untyped-def]
    apply(engine, small_tree())
    bad = small_tree() + [
        Unit("X3", "Đảng ủy xã Ba", Kind.DANG_UY_XA, "TU"),
        Unit("X3-CB", "Chi bộ lạc", Kind.CHI_BO, "KHONG-CO"),  # unknown parent
        Unit("X3-X", "", Kind.CHI_BO, "X3"),  # empty name
        Unit("X3-TU", "Tỉnh ủy dưới xã", Kind.TINH_UY, "X3"),  # kind not allowed under parent
    ]
    with pytest.raises(HierarchyError) as caught:
        apply(engine, bad)
    assert len(caught.value.problems) >= 3
    text_ = str(caught.value)
    assert "KHONG-CO" in text_ and "X3-X" in text_ and "X3-TU" in text_
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(UnitRow)) == 7


def test_audit_log_refuses_updates_and_deletes(engine) -> None:  # type: ignore[no-untyped-def]
    apply(engine, small_tree())
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with engine.connect() as conn, pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text(statement))
