"""Generators: the real national shape after 1/7/2025, and Quảng Trị as plan 47-KH/TU found it in 2017."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from hierarchy import Category, Kind, build_graph, subtree, validate
from hierarchy.files import read_units
from hierarchy.generate import generate_national, generate_quang_tri_2017, small_quang_tri_2017

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "hierarchy"


@pytest.fixture(scope="module")
def national() -> list:
    return generate_national()


@pytest.mark.slow
def test_national_has_the_34_provinces_and_3321_communes(national: list) -> None:
    kinds = Counter(u.kind for u in national)
    assert kinds[Kind.TINH_UY] == 34 and kinds[Kind.TINH_DOAN] == 34
    assert kinds[Kind.DANG_UY_XA] == 3321 and kinds[Kind.DOAN_CO_SO] == 3321
    by_code = {u.code: u for u in national}
    assert by_code["TU-01"].name == "Thành ủy Hà Nội" and by_code["TU-44"].name == "Tỉnh ủy Quảng Trị"
    communes = Counter(u.category for u in national if u.kind is Kind.DANG_UY_XA)
    assert communes == {Category.NONG_THON: 2621 + 13, Category.PHUONG_THI_TRAN: 687}


@pytest.mark.slow
def test_national_size_and_membership_match_the_country(national: list) -> None:
    members = sum(u.member_count for u in national if not u.kind.is_doan)
    assert 5_600_000 * 0.97 <= members <= 5_600_000 * 1.03
    assert 285_000 <= len(national) <= 315_000
    assert all(5 <= u.member_count <= 60 for u in national if u.kind in (Kind.CHI_BO, Kind.CHI_BO_CO_SO))
    # Each province has its own mail domain, so counting chi bộ by domain counts them per province.
    cells_per_province = Counter(str(u.contacts.email).partition("@")[2] for u in national if u.kind is Kind.CHI_BO)
    assert len(cells_per_province) == 34
    assert all(2_000 <= n <= 40_000 for n in cells_per_province.values())


@pytest.mark.slow
def test_national_is_valid_ordered_and_deterministic(national: list) -> None:
    assert validate(national) == []
    seen: set[str] = set()
    for unit in national:
        assert unit.parent_code is None or unit.parent_code in seen
        seen.add(unit.code)
    assert generate_national() == national
    assert generate_national(seed=7) != national


@pytest.mark.slow
def test_national_doan_is_led_by_the_party_at_the_same_level(national: list) -> None:
    by_code = {u.code: u for u in national}
    assert by_code["TD-44"].led_by == "TU-44"
    doan = [u for u in national if u.kind is Kind.DOAN_CO_SO]
    assert all(by_code[u.led_by].kind is Kind.DANG_UY_XA for u in doan)
    assert all(u.contacts.email and u.contacts.email.isascii() and u.contacts.email.endswith(".dcs.vn")
               for u in national)


def test_quang_tri_2017_has_the_ten_districts_and_the_bloc_committees() -> None:
    units = generate_quang_tri_2017()
    assert validate(units) == []
    assert generate_quang_tri_2017() == units and len(units) < 5000
    by_code = {u.code: u for u in units}
    assert by_code["TU-QT"].name == "Tỉnh ủy Quảng Trị" and by_code["TU-QT-BTG"].kind is Kind.BAN
    districts = [u for u in units if u.kind is Kind.HUYEN_UY]
    assert [u.name for u in districts] == [
        "Thành ủy Đông Hà", "Thị ủy Quảng Trị", "Huyện ủy Vĩnh Linh", "Huyện ủy Gio Linh", "Huyện ủy Cam Lộ",
        "Huyện ủy Triệu Phong", "Huyện ủy Hải Lăng", "Huyện ủy Hướng Hóa", "Huyện ủy Đakrông", "Huyện ủy Cồn Cỏ"]
    assert all(u.valid_to == date(2025, 7, 1) and u.route_via == "TU-QT-BTG" for u in districts)
    blocs = {u.name for u in units if u.kind is Kind.DANG_UY_TRUC_THUOC}
    assert {"Đảng ủy Khối các cơ quan tỉnh", "Đảng ủy Khối Doanh nghiệp tỉnh", "Đảng ủy Quân sự tỉnh",
            "Đảng ủy Công an tỉnh"} <= blocs
    graph = build_graph(units)
    for district in districts:
        below = subtree(graph, district.code)[1:]
        grassroots = [u for u in below if u.parent_code == district.code and u.kind is not Kind.BAN]
        assert all(u.route_via == f"{district.code}-BTG" for u in grassroots)
        assert {Category.CO_QUAN, Category.DOANH_NGHIEP, Category.SU_NGHIEP,
                Category.LUC_LUONG_VU_TRANG} <= {u.category for u in grassroots}
    # The two mainland districts with communes have both rural and town organisations.
    cam_lo = {u.category for u in units if u.parent_code == "QT-CAMLO"}
    assert {Category.NONG_THON, Category.PHUONG_THI_TRAN} <= cam_lo
    assert "QT-CAMLO-CAMTHANH" in by_code and "QT-CAMLO-CAMTHANH2" in by_code  # Cam Thành and Cam Thanh


def test_small_quang_tri_numbers_a_clerk_can_check() -> None:
    units = small_quang_tri_2017()
    assert validate(units) == []
    assert len(units) == 46
    assert sum(u.member_count for u in units) == 466
    by_parent = Counter(u.parent_code for u in units)
    assert by_parent["TU-QT"] == 7  # three departments, three districts, one bloc committee
    assert by_parent["QT-GIOLINH"] == 6  # its Ban Tuyên giáo and five grassroots organisations
    gio_an = [u.member_count for u in units if u.parent_code == "QT-GIOLINH-GIOAN"]
    assert gio_an == [20, 24, 17]
    cells = [u for u in units if u.kind in (Kind.CHI_BO, Kind.CHI_BO_CO_SO)]
    assert len(cells) == 26 and all(u.category is not None for u in cells)


@pytest.mark.parametrize(("name", "generator"), [
    ("quang-tri-2017.yaml", generate_quang_tri_2017),
    ("quang-tri-2017.csv", generate_quang_tri_2017),
    ("quang-tri-2017-nho.yaml", small_quang_tri_2017),
])
def test_example_files_equal_their_generator(name: str, generator) -> None:  # type: ignore[no-untyped-def]
    units, _lines = read_units(EXAMPLES / name)
    assert units == generator(), f"examples/hierarchy/{name} is stale: run examples/hierarchy/regenerate.py"
