"""Pilot choice is deterministic and explains itself; unit filters combine their conditions."""

from __future__ import annotations

from hierarchy.generate import generate_quang_tri_2017, small_quang_tri_2017
from hierarchy.model import Category, Kind
from plans.selection import UnitIndex, select_pilot, unit_predicate

CELLS = (Kind.CHI_BO, Kind.CHI_BO_CO_SO)
GROUPS = (Kind.HUYEN_UY, Kind.DANG_UY_TRUC_THUOC)


def index_of(units):
    index = UnitIndex(units)
    index.walk(["TU-QT"], {"TU-QT": 0})
    return index


def targets(index):
    return [c for c in index.order if index.units[c].kind is not Kind.BAN and c != "TU-QT"]


def test_a_chi_bo_takes_the_category_of_its_grassroots_organisation():
    index = index_of(small_quang_tri_2017())
    assert index.category["QT-GIOLINH-GIOAN-CB02"] is Category.NONG_THON
    assert index.level["QT-GIOLINH-GIOAN-CB02"] == 3
    assert index.ancestors("QT-GIOLINH-GIOAN-CB02") == ["QT-GIOLINH-GIOAN", "QT-GIOLINH", "TU-QT"]


def test_two_per_category_names_the_first_and_the_second():
    index = index_of(small_quang_tri_2017())
    choices, warnings = select_pilot(index, targets(index), group_kinds=GROUPS, pick_kinds=CELLS, at_least=2,
                                     categories=[Category.NONG_THON])
    assert [(c.code, c.rule) for c in choices if c.code.startswith("QT-GIOLINH")] == [
        ("QT-GIOLINH-GIOAN-CB01", "Huyện ủy Gio Linh: chi bộ đầu tiên (theo mã) loại hình nông thôn"),
        ("QT-GIOLINH-GIOAN-CB02", "Huyện ủy Gio Linh: chi bộ thứ 2 (theo mã) loại hình nông thôn"),
    ]
    assert "Thành ủy Đông Hà: không có chi bộ loại hình nông thôn để chỉ đạo điểm" in warnings


def test_too_few_units_of_a_category_is_reported():
    index = index_of(small_quang_tri_2017())
    _, warnings = select_pilot(index, targets(index), group_kinds=GROUPS, pick_kinds=CELLS, at_least=2,
                               categories=[Category.DOANH_NGHIEP])
    assert "Huyện ủy Gio Linh: chỉ có 1 chi bộ loại hình doanh nghiệp, ít hơn 2 cần chọn" in warnings


def test_seeded_choice_is_repeatable_and_says_its_seed():
    units = generate_quang_tri_2017()
    first_index, second_index = index_of(units), index_of(list(units))
    first, _ = select_pilot(first_index, targets(first_index), group_kinds=GROUPS, pick_kinds=CELLS,
                            order="seeded", seed=47)
    second, _ = select_pilot(second_index, targets(second_index), group_kinds=GROUPS, pick_kinds=CELLS,
                             order="seeded", seed=47)
    assert first == second
    assert first[0].rule == (
        "Đảng ủy Bộ đội Biên phòng tỉnh: chi bộ chọn ngẫu nhiên cố định (hạt giống 47) loại hình lực lượng vũ trang"
    )
    by_code, _ = select_pilot(first_index, targets(first_index), group_kinds=GROUPS, pick_kinds=CELLS)
    other_seed, _ = select_pilot(first_index, targets(first_index), group_kinds=GROUPS, pick_kinds=CELLS,
                                 order="seeded", seed=48)
    # Same groups and categories, but a sample rather than the first by code.
    assert len(first) == len(by_code) == len(other_seed)
    assert [c.code for c in first] != [c.code for c in by_code]
    assert [c.code for c in first] != [c.code for c in other_seed]


def test_units_named_in_the_plan_are_added_with_their_reason():
    index = index_of(small_quang_tri_2017())
    choices, _ = select_pilot(index, targets(index), group_kinds=GROUPS, pick_kinds=CELLS,
                              categories=[Category.CO_QUAN], include=["QT-CAMLO-GD", "QT-CAMLO-CQ"])
    assert ("QT-CAMLO-GD", "Chi bộ Trường Trung học phổ thông Cam Lộ: được chỉ định đích danh trong kế hoạch") in [
        (c.code, c.rule) for c in choices
    ]
    assert [c.code for c in choices].count("QT-CAMLO-CQ") == 1  # already chosen by the rule, not twice


def test_filter_conditions_all_hold():
    index = index_of(small_quang_tri_2017())
    test = unit_predicate(index, kinds=[Kind.CHI_BO], categories=[Category.PHUONG_THI_TRAN], min_members=20,
                          levels=[3], exclude=["QT-DONGHA-P1-CB03"])
    # Chi bộ of phường/thị trấn with at least 20 members: Đông Hà P1 (25, 18, 30), TT Gio Linh (28, 19),
    # TT Cam Lộ (23, 20); P1-CB03 excluded by name.
    assert [c for c in index.order if test(c)] == [
        "QT-CAMLO-TTCAMLO-CB01", "QT-CAMLO-TTCAMLO-CB02", "QT-DONGHA-P1-CB01", "QT-GIOLINH-TTGIOLINH-CB01",
    ]
