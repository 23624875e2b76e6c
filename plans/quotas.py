"""Quotas (chỉ tiêu phân bổ): how many delegates (or any count) each unit gets, and the total.

Most specific rule wins. Among the rules a unit matches, the winner is the one with, in this order:
1. explicit unit codes (a rule naming the unit beats any general rule);
2. more conditions (kinds, categories, min_members, max_members each count one);
3. the higher member threshold (min_members 101 beats min_members 51);
4. the earlier position in the file.
So "2 per đoàn cơ sở" and "3 per đoàn cơ sở with more than 50 members" give a 60-member đoàn cơ sở 3, a
30-member one 2. A unit matching no rule gets nothing and is left out of the allocation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hierarchy.model import Category, Kind, Unit

__all__ = ["QuotaAllocation", "QuotaRuleSpec", "allocate", "describe_rule"]


@dataclass(frozen=True, slots=True)
class QuotaRuleSpec:
    """One rule: `value` for each unit matching every given condition."""

    value: int
    kinds: tuple[Kind, ...] = ()
    categories: tuple[Category, ...] = ()
    min_members: int | None = None
    max_members: int | None = None
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuotaAllocation:
    """The result of a quota: number per unit code, the total, and the rule applied to each unit."""

    name: str
    per_unit: dict[str, int]
    total: int
    rules_applied: dict[str, str]
    label: str = ""
    unit_label: str = "đại biểu"
    by_rule: dict[str, int] = field(default_factory=dict)  # rule sentence -> units it applied to


def _specificity(rule: QuotaRuleSpec, position: int) -> tuple[int, int, int, int]:
    conditions = sum(
        (bool(rule.kinds), bool(rule.categories), rule.min_members is not None, rule.max_members is not None)
    )
    return (1 if rule.codes else 0, conditions, rule.min_members or 0, -position)


def _members_word(kinds: Sequence[Kind]) -> str:
    if kinds and all(k.is_doan for k in kinds):
        return "đoàn viên"
    if kinds and not any(k.is_doan for k in kinds):
        return "đảng viên"
    return "thành viên"


def describe_rule(rule: QuotaRuleSpec, unit_label: str = "đại biểu") -> str:
    """The rule as a clerk would write it: "3 đại biểu cho mỗi Đoàn cơ sở có từ 51 đoàn viên trở lên"."""
    if rule.codes:
        return f"{rule.value} {unit_label}, phân bổ đích danh"
    who = " hoặc ".join(k.label for k in rule.kinds) or "đơn vị"
    parts = [f"{rule.value} {unit_label} cho mỗi {who}"]
    if rule.categories:
        parts.append("loại hình " + ", ".join(c.label for c in rule.categories))
    word = _members_word(rule.kinds)
    if rule.min_members is not None and rule.max_members is not None:
        parts.append(f"có từ {rule.min_members} đến {rule.max_members} {word}")
    elif rule.min_members is not None:
        parts.append(f"có từ {rule.min_members} {word} trở lên")
    elif rule.max_members is not None:
        parts.append(f"có không quá {rule.max_members} {word}")
    return " ".join(parts)


def _matches(rule: QuotaRuleSpec, unit: Unit, category: Category | None) -> bool:
    if rule.codes:
        return unit.code in rule.codes
    return (
        (not rule.kinds or unit.kind in rule.kinds)
        and (not rule.categories or category in rule.categories)
        and (rule.min_members is None or unit.member_count >= rule.min_members)
        and (rule.max_members is None or unit.member_count <= rule.max_members)
    )


def allocate(
    name: str,
    rules: Sequence[QuotaRuleSpec],
    units: Sequence[Unit],
    *,
    categories: dict[str, Category | None] | None = None,
    label: str = "",
    unit_label: str = "đại biểu",
) -> QuotaAllocation:
    """Apply the most specific matching rule to each unit (see the module docstring) and total the result."""
    order = sorted(range(len(rules)), key=lambda i: _specificity(rules[i], i), reverse=True)
    ranked = [(rules[i], describe_rule(rules[i], unit_label)) for i in order]
    per_unit: dict[str, int] = {}
    applied: dict[str, str] = {}
    by_rule: dict[str, int] = {}
    categories = categories or {}
    for unit in units:
        category = categories.get(unit.code, unit.category)
        for rule, sentence in ranked:
            if _matches(rule, unit, category):
                per_unit[unit.code] = rule.value
                applied[unit.code] = sentence
                by_rule[sentence] = by_rule.get(sentence, 0) + 1
                break
    return QuotaAllocation(
        name=name,
        per_unit=per_unit,
        total=sum(per_unit.values()),
        rules_applied=applied,
        label=label,
        unit_label=unit_label,
        by_rule=by_rule,
    )
