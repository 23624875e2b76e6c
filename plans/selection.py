"""Which units a plan reaches, and which it picks for the pilot, with the reason for each pick.

Pilot rule (chỉ đạo điểm): inside each group unit (a unit whose kind is one of `group_kinds`, e.g. every
Huyện ủy and Đảng ủy trực thuộc), for each category of grassroots organisation, pick `at_least` units of the
`pick_kinds` (by default chi bộ and chi bộ cơ sở). A chi bộ has the category of its grassroots organisation.
- order "code": the first ones by code (codes sort as text), so a clerk can repeat the choice by hand;
- order "seeded": a fixed-seed random sample (`random.Random("<seed>:<group>:<category>")`), the same on
  every run and machine.
With no `categories` listed, each category present in the group is covered; with a list, a group lacking
some listed category yields a warning. Units named in `include` are added as chosen by name.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from hierarchy.model import Category, Kind, Unit

__all__ = ["PilotChoice", "UnitIndex", "select_pilot", "unit_predicate"]

_CATEGORY_ORDER = {c: i for i, c in enumerate(Category)}


@dataclass(frozen=True, slots=True)
class PilotChoice:
    """A unit chosen for the pilot and the rule that chose it, as a Vietnamese sentence."""

    code: str
    rule: str


class UnitIndex:
    """The hierarchy seen from a plan: units active on a day, their children, category and level."""

    def __init__(self, units: Iterable[Unit], *, active_on: date | None = None) -> None:
        self.units: dict[str, Unit] = {}
        for unit in units:
            if active_on is None or unit.active_on(active_on):
                self.units[unit.code] = unit
        self.children: dict[str, list[str]] = defaultdict(list)
        for unit in self.units.values():
            if unit.parent_code is not None:
                self.children[unit.parent_code].append(unit.code)
        self.category: dict[str, Category | None] = {}
        self.level: dict[str, int] = {}
        self.root_of: dict[str, str] = {}
        self.order: list[str] = []  # parents before children

    def walk(self, roots: Sequence[str], offsets: Mapping[str, int]) -> None:
        """Visit the subtrees of `roots` (breadth first, children by code), recording level and category."""
        for root in roots:
            if root in self.root_of:
                continue
            unit = self.units[root]
            self.level[root] = offsets.get(root, 0)
            self.category[root] = unit.category
            self.root_of[root] = root
            queue = [root]
            for code in queue:
                self.order.append(code)
                level = self.level[code] + 1
                category = self.category[code]
                for child in sorted(self.children.get(code, ())):
                    if child in self.root_of:
                        continue
                    child_unit = self.units[child]
                    self.level[child] = level
                    # A chi bộ has the category (loại hình) of its grassroots organisation.
                    self.category[child] = child_unit.category or category
                    self.root_of[child] = root
                    queue.append(child)

    def depth_below(self, code: str, ancestor: str) -> int | None:
        """How many steps `code` is below `ancestor`, or None when it is not inside its subtree."""
        steps = 0
        current: str | None = code
        while current is not None:
            if current == ancestor:
                return steps
            unit = self.units.get(current)
            current = unit.parent_code if unit else None
            steps += 1
            if steps > 1000:
                return None  # a cycle; the hierarchy validator reports it
        return None

    def ancestors(self, code: str) -> list[str]:
        """Codes above `code`, nearest first."""
        out: list[str] = []
        unit = self.units.get(code)
        while unit is not None and unit.parent_code is not None and len(out) < 1000:
            out.append(unit.parent_code)
            unit = self.units.get(unit.parent_code)
        return out


def unit_predicate(
    index: UnitIndex,
    *,
    kinds: Sequence[Kind] = (),
    categories: Sequence[Category] = (),
    min_members: int | None = None,
    max_members: int | None = None,
    levels: Sequence[int] = (),
    exclude: Sequence[str] = (),
) -> Callable[[str], bool]:
    """A test for one unit code; every given condition must hold (an empty list means no condition)."""
    kind_set = frozenset(kinds)
    category_set = frozenset(categories)
    level_set = frozenset(levels)
    excluded = frozenset(exclude)
    units, category, level = index.units, index.category, index.level
    only_kinds = not (category_set or level_set or excluded) and min_members is None and max_members is None
    if only_kinds:
        # The common case (a list of kinds, or nothing) is kept to one lookup per unit: 300,000 units add up.
        if not kind_set:
            return lambda code: True
        return lambda code: units[code].kind in kind_set

    def test(code: str) -> bool:
        unit = units[code]
        return (
            (not kind_set or unit.kind in kind_set)
            and (not category_set or category.get(code) in category_set)
            and (min_members is None or unit.member_count >= min_members)
            and (max_members is None or unit.member_count <= max_members)
            and (not level_set or level.get(code) in level_set)
            and code not in excluded
        )

    return test


def _noun(pick_kinds: Sequence[Kind]) -> str:
    labels = [k.label.lower() for k in pick_kinds]
    # "chi bộ" covers both chi bộ and chi bộ cơ sở, as the documents say.
    if set(pick_kinds) <= {Kind.CHI_BO, Kind.CHI_BO_CO_SO}:
        return "chi bộ"
    if set(pick_kinds) <= {Kind.CHI_DOAN, Kind.CHI_DOAN_CO_SO}:
        return "chi đoàn"
    return " hoặc ".join(labels)


def select_pilot(
    index: UnitIndex,
    targets: Sequence[str],
    *,
    group_kinds: Sequence[Kind],
    pick_kinds: Sequence[Kind],
    categories: Sequence[Category] = (),
    at_least: int = 1,
    order: str = "code",
    seed: int = 0,
    include: Sequence[str] = (),
) -> tuple[list[PilotChoice], list[str]]:
    """The pilot units of each group and category, each with its reason, plus warnings (Vietnamese)."""
    group_set, pick_set = frozenset(group_kinds), frozenset(pick_kinds)
    units = index.units
    group_of: dict[str, str] = {}
    candidates: dict[str, dict[Category, list[str]]] = {}
    uncategorised: dict[str, int] = defaultdict(int)
    target_set = frozenset(targets)
    for code in index.order:  # parents come before children, so a group is known before its members
        unit = units[code]
        if unit.kind in group_set:
            group_of[code] = code
            candidates.setdefault(code, {})
        elif unit.parent_code in group_of:
            group_of[code] = group_of[unit.parent_code]
        else:
            continue
        if unit.kind in pick_set and code in target_set:
            category = index.category.get(code)
            if category is None:
                uncategorised[group_of[code]] += 1
            else:
                candidates[group_of[code]].setdefault(category, []).append(code)

    noun = _noun(pick_kinds)
    choices: list[PilotChoice] = []
    warnings: list[str] = []
    chosen: set[str] = set()
    for group in sorted(candidates):
        name = units[group].name
        by_category = candidates[group]
        wanted = list(categories) or sorted(by_category, key=_CATEGORY_ORDER.__getitem__)
        for category in wanted:
            pool = sorted(by_category.get(category, ()))
            if not pool:
                warnings.append(f"{name}: không có {noun} loại hình {category.label} để chỉ đạo điểm")
                continue
            if len(pool) < at_least:
                warnings.append(
                    f"{name}: chỉ có {len(pool)} {noun} loại hình {category.label}, ít hơn {at_least} cần chọn"
                )
            if order == "seeded":
                picked = random.Random(f"{seed}:{group}:{category.value}").sample(pool, min(at_least, len(pool)))
                reasons = [
                    f"{name}: {noun} chọn ngẫu nhiên cố định (hạt giống {seed}) loại hình {category.label}"
                ] * len(picked)
            else:
                picked = pool[:at_least]
                reasons = [
                    f"{name}: {noun} {'đầu tiên' if i == 0 else f'thứ {i + 1}'} (theo mã) loại hình {category.label}"
                    for i in range(len(picked))
                ]
            for code, reason in zip(picked, reasons, strict=True):
                choices.append(PilotChoice(code, reason))
                chosen.add(code)
        if uncategorised.get(group):
            warnings.append(f"{name}: {uncategorised[group]} {noun} chưa có loại hình nên không được xét chỉ đạo điểm")
    for code in include:
        if code in chosen:
            continue
        if code not in units:
            warnings.append(f"Đơn vị “{code}” được chỉ định chỉ đạo điểm nhưng không có trong hệ thống tổ chức")
            continue
        choices.append(PilotChoice(code, f"{units[code].name}: được chỉ định đích danh trong kế hoạch"))
        chosen.add(code)
    return choices, warnings
