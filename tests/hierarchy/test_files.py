"""Hierarchy files as offices fill them: CSV from a spreadsheet or YAML; every mistake reported at once."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from errors import HierarchyError
from hierarchy import ALLOWED_CHILDREN, Category, Contacts, Kind, Unit
from hierarchy.files import diff_units, read_units, write_units


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_from_excel_with_bom_semicolons_labels_and_written_dates(tmp_path: Path) -> None:
    path = _write(tmp_path, "don-vi.csv", (
        "ma;ten;loai;ma_cap_tren;loai_hinh;so_dang_vien;bao_cao_qua;hieu_luc_tu\r\n"
        "TU-QT;Tỉnh ủy Quảng Trị;Tỉnh ủy;;;;;\r\n"
        "TU-QT-BTG;Ban Tuyên giáo Tỉnh ủy;ban;TU-QT;;;;\r\n"
        "HU-CL;Huyện ủy Cam Lộ;huyen_uy;TU-QT;;;TU-QT-BTG;22/3/2017\r\n"
        ";;;;;;;\r\n"
        "CL-CT;Đảng bộ xã Cam Thành;Đảng bộ cơ sở;HU-CL;Nông thôn;;;\r\n"
        "CL-CT-1;Chi bộ thôn 1;chi bo;CL-CT;nong_thon; 25 ;;2017-03-22\r\n"
    ), encoding="utf-8-sig")
    units, lines = read_units(path)
    assert [u.code for u in units] == ["TU-QT", "TU-QT-BTG", "HU-CL", "CL-CT", "CL-CT-1"]
    assert lines["CL-CT"] == 6  # the blank row still counts as a line of the file
    assert units[0].kind is Kind.TINH_UY and units[3].category is Category.NONG_THON
    assert units[2].valid_from == date(2017, 3, 22) and units[2].route_via == "TU-QT-BTG"
    assert units[4].member_count == 25 and units[4].kind is Kind.CHI_BO


def test_yaml_nested_children_with_english_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, "don-vi.yaml", """\
- code: TD-TV
  name: Tỉnh đoàn Trà Vinh
  kind: tinh_doan
  children:
    - {code: TD-TV-TC, name: Ban Tổ chức, kind: ban}
    - code: "01"
      name: Huyện đoàn Càng Long
      kind: Huyện đoàn
      route_via: TD-TV-TC
      children:
        - {code: 01-A, name: Đoàn xã An Trường, kind: doan_co_so, members: 40}
""")
    units, lines = read_units(path)
    assert [(u.code, u.parent_code) for u in units] == [
        ("TD-TV", None), ("TD-TV-TC", "TD-TV"), ("01", "TD-TV"), ("01-A", "01")]
    assert lines == {"TD-TV": 1, "TD-TV-TC": 5, "01": 6, "01-A": 11}
    assert units[3].member_count == 40


def test_yaml_problems_name_the_line_and_the_key_written(tmp_path: Path) -> None:
    path = _write(tmp_path, "sai.yaml", """\
- code: TU
  name: Tỉnh ủy
  kind: tinh_uy
  children:
    - code: CB
      name: Chi bộ
      kind: chi_bo
      members: nhiều
""")
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    # Both mistakes in one pass: the bad number, and a chi bộ standing directly under a Tỉnh ủy.
    assert [(p.line, p.field) for p in caught.value.problems] == [(5, "kind"), (8, "members")]


def test_yaml_syntax_error_and_a_parent_contradicting_the_nesting(tmp_path: Path) -> None:
    broken = _write(tmp_path, "hong.yaml", "- ma: TU\n  ten: [Tỉnh ủy\n  loai: tinh_uy\n")
    with pytest.raises(HierarchyError) as caught:
        read_units(broken)
    assert caught.value.problems[0].line == 3 and "cú pháp" in caught.value.problems[0].message
    nested = _write(tmp_path, "long.yaml", """\
- ma: TU
  ten: Tỉnh ủy
  loai: tinh_uy
  children:
    - {ma: XA, ten: Đảng ủy xã, loai: dang_uy_xa, ma_cap_tren: TU-KHAC}
""")
    with pytest.raises(HierarchyError) as caught:
        read_units(nested)
    assert [(p.line, p.field) for p in caught.value.problems] == [(5, "ma_cap_tren")]
    assert "“TU”" in caught.value.problems[0].message


def test_a_row_with_more_cells_than_columns_points_at_the_separator(tmp_path: Path) -> None:
    path = _write(tmp_path, "du-o.csv", "ma;ten;loai\nTU;Tỉnh ủy;tinh_uy\nTD;Tỉnh đoàn; Đoàn A;tinh_doan\n")
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    assert caught.value.problems[0].line == 3 and "“;”" in caught.value.problems[0].message


def test_a_file_with_several_mistakes_lists_every_one(tmp_path: Path) -> None:
    path = _write(tmp_path, "nhieu-loi.csv", (
        "ma,ten,loai,ma_cap_tren,so_dang_vien,hieu_luc_tu,hieu_luc_den\n"
        "TU,Tỉnh ủy,tinh_uy,,,,\n"                       # 2: fine
        "X1,Đơn vị lạ,Ban Chấp hành,TU,,,\n"              # 3: unknown kind
        "X2,Đảng ủy xã,dang_uy_xa,TU,mười,,\n"            # 4: not a number
        "X3,Đảng ủy xã,dang_uy_xa,TU,,31/2/2025,\n"       # 5: impossible date
        "X4,Chi bộ,chi_bo,KHONG-CO,,,\n"                  # 6: unknown parent
        "X2,Trùng mã,dang_uy_xa,TU,,,\n"                  # 7: duplicate of line 4
        "X5,Chi bộ,chi_bo,TU,,,\n"                        # 8: chi bộ directly under a Tỉnh ủy
        "X6,Đảng ủy xã,dang_uy_xa,TU,-1,2025-07-01,1/1/2025\n"  # 9: negative members, reversed dates
    ))
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    found = [(p.line, p.field) for p in caught.value.problems]
    assert found == [(3, "loai"), (4, "so_dang_vien"), (5, "hieu_luc_tu"), (6, "ma_cap_tren"), (7, "ma"),
                     (8, "loai"), (9, "so_dang_vien"), (9, "hieu_luc_den")]
    text = str(caught.value)
    assert "(8 lỗi)" in text and "nhieu-loi.csv, dòng 3" in text and "“Chi bộ”" in text


def test_unknown_column_and_missing_required_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "cot.csv", "ma,ten,cap\nTU,Tỉnh ủy,1\n")
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    messages = [p.message for p in caught.value.problems]
    assert any("“cap” không có" in m and "ma_cap_tren" in m for m in messages)
    assert any("Thiếu cột loai" in m for m in messages)


def test_a_windows_1258_file_is_read_and_an_unreadable_one_says_where(tmp_path: Path) -> None:
    # Windows' Vietnamese code page writes the tone marks as separate bytes; the text is stored joined (NFC).
    old_text = unicodedata.normalize("NFD", "ma,ten,loai\nTU,Tỉnh ủy,tinh_uy\n")
    path = _write(tmp_path, "cu.csv", old_text, encoding="cp1258")
    assert read_units(path)[0][0].name == "Tỉnh ủy"
    broken = tmp_path / "hong.csv"
    broken.write_bytes(b"ma,ten,loai\nTU,Ti\x81nh,tinh_uy\n")  # 0x81 is neither UTF-8 nor Windows-1258
    with pytest.raises(HierarchyError) as caught:
        read_units(broken)
    problem = caught.value.problems[0]
    assert problem.line == 2 and "byte 17" in problem.message and "UTF-8" in problem.message


def test_parents_may_be_units_already_recorded(tmp_path: Path) -> None:
    path = _write(tmp_path, "them.csv", "ma,ten,loai,ma_cap_tren\nXA-CB9,Chi bộ thôn 9,chi_bo,XA\n")
    with pytest.raises(HierarchyError):
        read_units(path)
    recorded = {"TU": Unit("TU", "Tỉnh ủy", Kind.TINH_UY), "XA": Unit("XA", "Đảng ủy xã", Kind.DANG_UY_XA, "TU")}
    units, _ = read_units(path, existing=recorded)
    assert units[0].parent_code == "XA"


def test_diff_lists_added_changed_fields_and_removed() -> None:
    old = {u.code: u for u in (Unit("TU", "Tỉnh ủy", Kind.TINH_UY), Unit("A", "Đảng ủy xã A", Kind.DANG_UY_XA, "TU"),
                               Unit("B", "Đảng ủy xã B", Kind.DANG_UY_XA, "TU"))}
    new = [old["TU"], Unit("A", "Đảng ủy phường A", Kind.DANG_UY_XA, "TU", member_count=3),
           Unit("C", "Đảng ủy xã C", Kind.DANG_UY_XA, "TU")]
    diff = diff_units(old, new)
    assert [u.code for u in diff.added] == ["C"]
    assert [(o.code, fields) for o, _n, fields in diff.changed] == [("A", ("name", "member_count"))]
    assert [u.code for u in diff.removed] == ["B"]


# Property: any valid tree written to a file reads back exactly.
_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029"),
    min_size=1, max_size=20,
).map(lambda s: unicodedata.normalize("NFC", s).strip()).filter(bool)
_maybe = st.none() | _text
# Phones are checked at import: a Vietnamese mobile or landline number.
_maybe_phone = st.none() | st.from_regex(r"0[35789]\d{8}|02\d{9}", fullmatch=True)
# An email cell holds exactly one address (anything else is refused on reading).
_maybe_email = st.none() | st.emails().filter(lambda e: len(e) <= 200)


@st.composite
def _trees(draw: st.DrawFn) -> list[Unit]:
    units: list[Unit] = []
    for i in range(draw(st.integers(1, 20))):
        code = f"{i:02d}" + draw(st.text(alphabet="ABCĐ-.0123456789", max_size=6))
        parents = [u for u in units if ALLOWED_CHILDREN[u.kind]]
        parent = draw(st.sampled_from(parents)) if parents and i else None
        kinds = sorted(ALLOWED_CHILDREN[parent.kind]) if parent else [Kind.TINH_UY, Kind.TINH_DOAN]
        kind = draw(st.sampled_from(kinds))
        departments = [u.code for u in units if parent and u.kind is Kind.BAN and u.parent_code == parent.code]
        leaders = [u.code for u in units if not u.kind.is_doan and u.kind is not Kind.BAN]
        start = draw(st.none() | st.dates(date(1990, 1, 1), date(2040, 1, 1)))
        end = draw(st.none() | st.integers(1, 5000)) if start else None
        units.append(Unit(
            code=code, name=draw(_text), kind=kind, parent_code=parent.code if parent else None,
            category=draw(st.none() | st.sampled_from(list(Category))), member_count=draw(st.integers(0, 10**6)),
            contacts=Contacts(email=draw(_maybe_email), phone=draw(_maybe_phone), webhook=draw(_maybe)),
            route_via=draw(st.none() | st.sampled_from(departments)) if departments else None,
            led_by=draw(st.none() | st.sampled_from(leaders)) if kind.is_doan and leaders else None,
            valid_from=start, valid_to=date.fromordinal(start.toordinal() + end) if start and end else None,
        ))
    return units


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(units=_trees())
def test_round_trip_is_exact(tmp_path: Path, fmt: str, units: list[Unit]) -> None:
    path = tmp_path / f"cay.{fmt}"
    write_units(units, path, format=fmt)
    back, lines = read_units(path)
    assert back == units
    assert list(lines) == [u.code for u in units]
