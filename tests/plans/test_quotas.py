"""Quotas: the most specific matching rule gives each unit its number; totals add up."""

from __future__ import annotations

from hierarchy.model import Kind, Unit
from plans.quotas import QuotaRuleSpec, allocate, describe_rule


def doan(code: str, members: int, kind: Kind = Kind.DOAN_CO_SO) -> Unit:
    return Unit(code=code, name=code, kind=kind, parent_code="TD", member_count=members)


UNITS = [doan("A", 30), doan("B", 50), doan("C", 51), doan("D", 120), doan("E", 20, Kind.CHI_DOAN_CO_SO)]
DELEGATES = [
    QuotaRuleSpec(2, kinds=(Kind.DOAN_CO_SO,)),
    QuotaRuleSpec(1, kinds=(Kind.CHI_DOAN_CO_SO,)),
    QuotaRuleSpec(3, kinds=(Kind.DOAN_CO_SO,), min_members=51),
]


def test_delegates_by_kind_and_size():
    result = allocate("dai-bieu", DELEGATES, UNITS)
    assert result.per_unit == {"A": 2, "B": 2, "C": 3, "D": 3, "E": 1}
    assert result.total == 11
    assert result.rules_applied["B"] == "2 đại biểu cho mỗi Đoàn cơ sở"
    assert result.rules_applied["C"] == "3 đại biểu cho mỗi Đoàn cơ sở có từ 51 đoàn viên trở lên"
    assert result.by_rule == {
        "2 đại biểu cho mỗi Đoàn cơ sở": 2,
        "3 đại biểu cho mỗi Đoàn cơ sở có từ 51 đoàn viên trở lên": 2,
        "1 đại biểu cho mỗi Chi đoàn cơ sở": 1,
    }


def test_rule_order_in_the_file_does_not_matter_when_one_is_more_specific():
    assert allocate("x", list(reversed(DELEGATES)), UNITS).per_unit == allocate("x", DELEGATES, UNITS).per_unit


def test_higher_threshold_wins_and_named_units_win_over_everything():
    rules = [*DELEGATES, QuotaRuleSpec(5, kinds=(Kind.DOAN_CO_SO,), min_members=100), QuotaRuleSpec(0, codes=("C",))]
    result = allocate("x", rules, UNITS)
    assert (result.per_unit["D"], result.per_unit["C"]) == (5, 0)
    assert result.rules_applied["C"] == "0 đại biểu, phân bổ đích danh"


def test_equally_specific_rules_the_earlier_one_wins():
    rules = [QuotaRuleSpec(4, kinds=(Kind.DOAN_CO_SO,)), QuotaRuleSpec(2, kinds=(Kind.DOAN_CO_SO,))]
    assert allocate("x", rules, UNITS[:1]).per_unit == {"A": 4}


def test_units_matching_no_rule_get_nothing():
    result = allocate("x", [QuotaRuleSpec(1, kinds=(Kind.CHI_DOAN_CO_SO,))], UNITS)
    assert result.per_unit == {"E": 1} and result.total == 1


def test_rule_sentences():
    assert describe_rule(QuotaRuleSpec(2, kinds=(Kind.CHI_BO,), max_members=10)) == (
        "2 đại biểu cho mỗi Chi bộ có không quá 10 đảng viên"
    )
    assert describe_rule(QuotaRuleSpec(1, min_members=5, max_members=9), "suất") == (
        "1 suất cho mỗi đơn vị có từ 5 đến 9 thành viên"
    )
