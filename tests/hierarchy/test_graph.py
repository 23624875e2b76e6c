"""The hierarchy rules: each kind of mistake is found, with the line and field a person must fix."""

from __future__ import annotations

from datetime import date

from hierarchy import Kind, Unit, ancestors, build_graph, depth, level, small_quang_tri_2017, subtree, validate


def _tree() -> list[Unit]:
    return [
        Unit("TU", "Tỉnh ủy A", Kind.TINH_UY),
        Unit("TU-BTG", "Ban Tuyên giáo Tỉnh ủy", Kind.BAN, "TU"),
        Unit("TU-VP", "Văn phòng Tỉnh ủy", Kind.BAN, "TU"),
        Unit("XA", "Đảng ủy xã B", Kind.DANG_UY_XA, "TU", route_via="TU-BTG"),
        Unit("XA-CB1", "Chi bộ thôn 1", Kind.CHI_BO, "XA", member_count=20),
        Unit("TD", "Tỉnh đoàn A", Kind.TINH_DOAN, led_by="TU"),
    ]


def _lines(units: list[Unit]) -> dict[str, int]:
    return {u.code: i + 2 for i, u in enumerate(units)}  # row 1 is the header


def _only(units: list[Unit], **kwargs) -> object:
    problems = validate(units, lines=_lines(units), source="don-vi.csv", **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_correct_tree_has_no_problem() -> None:
    assert validate(_tree()) == []


def test_unknown_parent_names_the_line_and_the_parent_column() -> None:
    units = [*_tree(), Unit("CB-X", "Chi bộ X", Kind.CHI_BO, "KHONG-CO")]
    problem = _only(units)
    assert (problem.source, problem.line, problem.field) == ("don-vi.csv", 8, "ma_cap_tren")
    assert "KHONG-CO" in problem.message


def test_a_parent_already_recorded_is_accepted() -> None:
    recorded = {u.code: u for u in _tree()}
    assert validate([Unit("XA-CB2", "Chi bộ thôn 2", Kind.CHI_BO, "XA")], existing=recorded) == []


def test_kind_not_allowed_under_parent_lists_the_allowed_kinds() -> None:
    units = [*_tree(), Unit("CB-TU", "Chi bộ lạc chỗ", Kind.CHI_BO, "TU")]
    problem = _only(units)
    assert (problem.line, problem.field) == (8, "loai")
    assert "“Huyện ủy”" in problem.message and "“Đảng ủy xã/phường”" in problem.message


def test_a_parentless_unit_must_be_a_top_kind() -> None:
    units = [*_tree(), Unit("HU", "Huyện ủy mồ côi", Kind.HUYEN_UY)]
    problem = _only(units)
    assert problem.field == "ma_cap_tren" and "“Tỉnh ủy”" in problem.message and "“Tỉnh đoàn”" in problem.message


def test_duplicate_empty_code_and_empty_name() -> None:
    units = [*_tree(), Unit("XA", "Trùng", Kind.DANG_UY_XA, "TU"), Unit("", "Không mã", Kind.CHI_BO, "XA"),
             Unit("XA-CB2", " ", Kind.CHI_BO, "XA")]
    fields = sorted(p.field for p in validate(units))
    assert fields == ["ma", "ma", "ten"]


def test_a_cycle_is_reported_once_with_its_path() -> None:
    units = [*_tree(), Unit("DB1", "Đảng bộ 1", Kind.DANG_BO_CO_SO, "DB2"), Unit("DB2", "Đảng bộ 2",
                                                                              Kind.DANG_BO_CO_SO, "DB1")]
    problems = validate(units, lines=_lines(units))
    cycles = [p for p in problems if "vòng lặp" in p.message]
    assert len(cycles) == 1
    assert cycles[0].line == 8 and "“DB1” → “DB2” → “DB1”" in cycles[0].message


def test_route_via_must_be_a_department_of_the_parent() -> None:
    units = [*_tree(), Unit("XA2", "Đảng ủy xã C", Kind.DANG_UY_XA, "TU", route_via="XA")]
    problem = _only(units)
    assert (problem.line, problem.field) == (8, "bao_cao_qua")
    assert "“TU-BTG”, “TU-VP”" in problem.message


def test_route_via_a_department_of_another_committee_is_refused() -> None:
    units = [*_tree(), Unit("XA-BTG", "Ban Tuyên giáo xã", Kind.BAN, "XA"),
             Unit("XA2", "Đảng ủy xã C", Kind.DANG_UY_XA, "TU", route_via="XA-BTG")]
    assert _only(units).field == "bao_cao_qua"


def test_leader_of_a_doan_unit_must_be_a_party_committee() -> None:
    units = [*_tree(), Unit("DCS", "Đoàn xã B", Kind.DOAN_CO_SO, "TD", led_by="TU-BTG")]
    problem = _only(units)
    assert problem.field == "dang_uy_lanh_dao" and "Ban" in problem.message


def test_negative_members_and_reversed_validity() -> None:
    units = [*_tree(), Unit("XA-CB2", "Chi bộ thôn 2", Kind.CHI_BO, "XA", member_count=-3,
                            valid_from=date(2025, 7, 1), valid_to=date(2025, 7, 1))]
    problems = validate(units, lines=_lines(units))
    assert [(p.line, p.field) for p in problems] == [(8, "so_dang_vien"), (8, "hieu_luc_den")]
    assert "01/07/2025" in problems[1].message


def test_field_names_follow_the_keys_the_file_used() -> None:
    units = [*_tree(), Unit("CB-X", "Chi bộ X", Kind.CHI_BO, "KHONG-CO")]
    assert validate(units, fields={"parent_code": "parent"})[0].field == "parent"


def test_graph_walks_on_the_small_quang_tri() -> None:
    graph = build_graph(small_quang_tri_2017())
    assert [u.code for u in ancestors(graph, "QT-GIOLINH-GIOAN-CB01")] == ["QT-GIOLINH-GIOAN", "QT-GIOLINH", "TU-QT"]
    assert depth(graph, "TU-QT") == 0 and depth(graph, "QT-GIOLINH-GIOAN-CB01") == 3
    assert level(graph, "QT-GIOLINH-GIOAN-CB01", "QT-GIOLINH") == 2
    assert level(graph, "QT-GIOLINH-GIOAN-CB01", "QT-CAMLO") == -1
    cam_lo = [u.code for u in subtree(graph, "QT-CAMLO")]
    assert cam_lo[0] == "QT-CAMLO" and len(cam_lo) == 12
    assert cam_lo.index("QT-CAMLO-CAMTHANH") < cam_lo.index("QT-CAMLO-CAMTHANH-CB01")
