"""The hierarchy as a graph: the rules a set of units must satisfy, and walks over parent -> child edges."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import networkx as nx

from errors import Problem
from hierarchy.fields import COLUMNS
from hierarchy.model import ALLOWED_CHILDREN, ROOT_KINDS, Kind, Unit
from hierarchy.naming import ascii_slug

# Column names of the spreadsheet format; a Problem names the field as the person wrote it.
FIELD_NAMES: dict[str, str] = {attribute: column for column, attribute in COLUMNS.items()}

# Party organisations that can lead a Đoàn unit: every Party kind except a department.
PARTY_COMMITTEE_KINDS = frozenset(k for k in Kind if not k.is_doan and k is not Kind.BAN)

# Records a broken rule: the unit, the attribute at fault, the message.
Report = Callable[[Unit, str, str], None]


def _labels(kinds: Iterable[Kind]) -> str:
    names = sorted((k.label for k in kinds), key=ascii_slug)
    return ", ".join(f"“{n}”" for n in names) if names else "không có loại nào"


def _describe(unit: Unit) -> str:
    return f"“{unit.code}” ({unit.name})" if unit.name else f"“{unit.code}”"


def validate(
    units: Iterable[Unit],
    *,
    existing: Mapping[str, Unit] | None = None,
    source: str | None = None,
    lines: Mapping[str, int] | None = None,
    fields: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every broken hierarchy rule among `units` (checked against `existing` too), each with its line and
    field."""
    units = list(units)
    existing = existing or {}
    lines = lines or {}
    names = {**FIELD_NAMES, **(fields or {})}
    problems: list[Problem] = []

    def report(unit: Unit, attr: str, message: str) -> None:
        problems.append(Problem(message, source=source, line=lines.get(unit.code), field=names[attr]))

    mine: dict[str, Unit] = {}
    for unit in units:
        if not unit.code.strip():
            report(unit, "code", "Mã đơn vị đang trống; mỗi đơn vị cần một mã riêng, ví dụ “TU-QT”.")
            continue
        if unit.code in mine:
            report(unit, "code", f"Mã “{unit.code}” xuất hiện nhiều lần; mỗi đơn vị phải có một mã riêng.")
            continue
        mine[unit.code] = unit
    # The file wins over what is recorded: a unit listed again is being updated.
    known: dict[str, Unit] = {**existing, **mine} if existing else mine

    departments: dict[str, list[str]] = {}
    for unit in known.values():
        if unit.kind is Kind.BAN and unit.parent_code:
            departments.setdefault(unit.parent_code, []).append(unit.code)

    for unit in mine.values():
        if not unit.name.strip():
            report(unit, "name", f"Đơn vị “{unit.code}” chưa có tên; hãy ghi tên đầy đủ, ví dụ “Chi bộ thôn 1”.")
        if unit.member_count < 0:
            report(unit, "member_count",
                   f"Số đảng viên của “{unit.code}” là {unit.member_count}; phải là số nguyên từ 0 trở lên.")
        if unit.valid_from and unit.valid_to and unit.valid_to <= unit.valid_from:
            report(unit, "valid_to",
                   f"Ngày hết hiệu lực {unit.valid_to:%d/%m/%Y} của “{unit.code}” không sau ngày bắt đầu "
                   f"{unit.valid_from:%d/%m/%Y}; phải là một ngày sau {unit.valid_from:%d/%m/%Y} hoặc để trống.")
        _check_parent(unit, known, report)
        _check_route(unit, known, departments, report)
        _check_leader(unit, known, report)

    for cycle in _cycles(mine, known):
        first = mine[cycle[0]]
        path = " → ".join(f"“{c}”" for c in [*cycle, cycle[0]])
        report(first, "parent_code",
               f"Quan hệ cấp trên tạo thành vòng lặp: {path}; một đơn vị không thể là cấp trên của chính nó. "
               "Hãy sửa mã cấp trên của một trong các đơn vị này.")
    return problems


def _check_parent(unit: Unit, known: Mapping[str, Unit], report: Report) -> None:
    if not unit.parent_code:
        if unit.kind not in ROOT_KINDS:
            report(unit, "parent_code",
                   f"{_describe(unit)} là “{unit.kind.label}” nên phải có mã cấp trên; chỉ {_labels(ROOT_KINDS)} "
                   "mới đứng đầu hệ thống.")
        return
    parent = known.get(unit.parent_code)
    if parent is None:
        report(unit, "parent_code",
               f"Mã cấp trên “{unit.parent_code}” của “{unit.code}” không có trong tệp và chưa được đăng ký; "
               "hãy ghi mã của một đơn vị đã có.")
        return
    allowed = ALLOWED_CHILDREN[parent.kind]
    if unit.kind not in allowed:
        report(unit, "kind",
               f"{_describe(unit)} là “{unit.kind.label}”, không thể trực thuộc “{parent.kind.label}” "
               f"{_describe(parent)}; dưới "
               f"“{parent.kind.label}” chỉ có thể là: {_labels(allowed)}.")


def _check_route(unit: Unit, known: Mapping[str, Unit], departments: Mapping[str, list[str]], report: Report) -> None:
    if not unit.route_via:
        return
    via = known.get(unit.route_via)
    if via is not None and via.kind is Kind.BAN and unit.parent_code and via.parent_code == unit.parent_code:
        return
    choices = sorted(departments.get(unit.parent_code or "", []))
    valid = ("các ban của cấp trên: " + ", ".join(f"“{c}”" for c in choices)) if choices else (
        "cấp trên chưa có ban nào, hãy để trống")
    what = "không tồn tại" if via is None else (
        "không phải là một ban" if via.kind is not Kind.BAN else "không thuộc cấp trên của đơn vị")
    report(unit, "route_via",
           f"Báo cáo của “{unit.code}” đi qua “{unit.route_via}”, nhưng đơn vị này {what}; "
           f"phải là một ban của cấp trên trực tiếp ({valid}).")


def _check_leader(unit: Unit, known: Mapping[str, Unit], report: Report) -> None:
    if not unit.led_by:
        return
    if not unit.kind.is_doan:
        report(unit, "led_by",
               f"Chỉ đơn vị Đoàn mới ghi đảng ủy lãnh đạo; “{unit.code}” là “{unit.kind.label}”, hãy để trống.")
        return
    leader = known.get(unit.led_by)
    if leader is None or leader.kind not in PARTY_COMMITTEE_KINDS:
        what = "không tồn tại" if leader is None else f"là “{leader.kind.label}”"
        report(unit, "led_by",
               f"Đảng ủy lãnh đạo “{unit.led_by}” của “{unit.code}” {what}; phải là mã của một tổ chức Đảng "
               f"({_labels(PARTY_COMMITTEE_KINDS)}).")


def _cycles(mine: Mapping[str, Unit], known: Mapping[str, Unit]) -> list[list[str]]:
    # Each unit has one parent, so following parents from any unit either ends at a root or closes a loop:
    # one linear walk with a colour per code finds every loop once.
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    found: list[list[str]] = []
    for start in mine:
        if start in state:
            continue
        path: list[str] = []
        code: str | None = start
        while code is not None and code not in state:
            state[code] = 1
            path.append(code)
            unit = known.get(code)
            code = unit.parent_code if unit is not None else None
        if code is not None and state[code] == 1:
            loop = path[path.index(code):]
            if any(c in mine for c in loop):
                turn = loop.index(min(loop))
                found.append(loop[turn:] + loop[:turn])
        for c in path:
            state[c] = 2
    return found


def build_graph(units: Iterable[Unit]) -> nx.DiGraph[str]:
    """A directed graph with one node per unit (attribute "unit") and an edge from each parent to its child."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    units = list(units)
    graph.add_nodes_from((u.code, {"unit": u}) for u in units)
    graph.add_edges_from((u.parent_code, u.code) for u in units if u.parent_code and u.parent_code in graph)
    return graph


def subtree(graph: nx.DiGraph[str], code: str) -> list[Unit]:
    """The unit `code` and everything under it, each parent before its children, siblings by code."""
    order = nx.dfs_preorder_nodes(graph, code, sort_neighbors=sorted)
    return [graph.nodes[c]["unit"] for c in order]


def ancestors(graph: nx.DiGraph[str], code: str) -> list[Unit]:
    """The chain of superiors of `code`, nearest first, up to the top of the hierarchy."""
    chain: list[Unit] = []
    seen = {code}
    preds = list(graph.predecessors(code))
    # A graph built from unvalidated units may hold a loop; stop where it closes.
    while preds and preds[0] not in seen:
        code = preds[0]
        seen.add(code)
        chain.append(graph.nodes[code]["unit"])
        preds = list(graph.predecessors(code))
    return chain


def depth(graph: nx.DiGraph[str], code: str) -> int:
    """How many levels `code` stands below the top of its hierarchy (the top itself is 0)."""
    return len(ancestors(graph, code))


def level(graph: nx.DiGraph[str], code: str, root: str) -> int:
    """How many levels `code` stands below `root` (1 = direct child); -1 when it is not under `root`."""
    if code == root:
        return 0
    for distance, unit in enumerate(ancestors(graph, code), start=1):
        if unit.code == root:
            return distance
    return -1
