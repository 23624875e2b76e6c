"""Hierarchy files an office fills in (CSV from a spreadsheet, or YAML): read with every problem, write, compare."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import yaml

import formats
from errors import HierarchyError, Problem
from formats.spreadsheet import from_csv, to_csv
from hierarchy.columns import column_for
from hierarchy.encodings import decode_table
from hierarchy.fields import COLUMNS, ENGLISH, REQUIRED, Row, parse_row, unit_values
from hierarchy.graph import FIELD_NAMES, validate
from hierarchy.limits import (
    LimitError,
    YamlLimits,
    check_lines,
    compose_yaml,
    read_bounded,
    shown as shown_value,
    yaml_error,
)
from hierarchy.model import Unit
from hierarchy.naming import gc_paused
from hierarchy.phone import phone_problem
from hierarchy.workbook import is_old_excel, is_workbook, read_workbook

__all__ = ["HierarchyDiff", "decode", "diff_units", "read_units", "write_units"]

_BOM = b"\xef\xbb\xbf"
_YAML_SUFFIXES = (".yaml", ".yml")
_CHILDREN = ("children", "don_vi_truc_thuoc")
_DATE_COLUMNS = ("hieu_luc_tu", "hieu_luc_den")
# The national hierarchy (about 300,000 units) is a 35 MB CSV or a 60 MB YAML file; room for contacts on top.
MAX_FILE_BYTES = 100_000_000
MAX_UNITS = 1_000_000
# A hierarchy file lists each unit once: an alias (*name) has nothing to stand for but a copy of a unit or a
# value, so it is refused outright rather than budgeted; that also takes "billion laughs" files off the table.
_YAML_LIMITS = YamlLimits(
    max_aliases=0, max_nodes=None,
    alias_hint="tệp hệ thống tổ chức không dùng bí danh: mỗi đơn vị, mỗi giá trị ghi ra đầy đủ tại chỗ",
)


def decode(data: bytes, source: str) -> str:
    """The UTF-8 text of a file (a leading BOM dropped); an error says at which byte and line it breaks."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise HierarchyError([Problem(
            f"Tệp không phải UTF-8: byte {exc.start} (giá trị 0x{data[exc.start]:02X}) không đọc được. "
            "Hãy lưu lại tệp với mã hóa UTF-8 (trong Excel: “CSV UTF-8 (Comma delimited)”).",
            source=source, line=line)]) from None


def read_units(path: str | Path, *, existing: Mapping[str, Unit] | None = None) -> tuple[list[Unit], dict[str, int]]:
    """Units of a CSV or YAML file and the line of each code; raises HierarchyError listing every problem at once.

    Parents and departments may be units already recorded, passed as `existing`.
    """
    with gc_paused():
        return _read_units(Path(path), existing)


def _read_units(path: Path, existing: Mapping[str, Unit] | None) -> tuple[list[Unit], dict[str, int]]:
    source = str(path)
    try:
        data = read_bounded(path, MAX_FILE_BYTES)
        # What a file is comes from its content: an .xlsx saved under a .csv name is still a workbook.
        if is_workbook(data):
            return read_workbook(path, existing=existing, data=data)
        if is_old_excel(data):
            raise HierarchyError([Problem(
                "Tệp là bảng tính Excel 97–2003 (.xls), chưa đọc được; hãy mở trong Excel và lưu lại với kiểu "
                "“Sổ làm việc Excel (.xlsx)” rồi nhập tệp .xlsx đó.", source=source)])
        yaml_file = path.suffix.lower() in _YAML_SUFFIXES
        text = decode(data, source) if yaml_file else decode_table(data, source)[0]
        check_lines(text)
    except LimitError as exc:
        raise HierarchyError([Problem(f"{exc.message[:1].upper()}{exc.message[1:]}.", source=source, line=exc.line)],
                             title=f"Tệp {source} có lỗi") from None
    if path.suffix.lower() in _YAML_SUFFIXES:
        rows, shown, problems = _yaml_rows(text, source)
    else:
        rows, shown, problems = _csv_rows(text, source)

    units: list[Unit] = []
    lines: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for row in rows:
        line = row.value_lines.get("ma", row.line)
        code = unicodedata.normalize("NFC", row.values.get("ma") or "").strip()
        if code and code in first_seen:
            # Reported even when the first row had other mistakes: both rows need a look.
            problems.append(Problem(
                f"Mã “{code}” đã dùng ở dòng {first_seen[code]}; mỗi đơn vị phải có một mã riêng.",
                source=source, line=line, field=shown["ma"]))
            continue
        first_seen.setdefault(code, line)
        unit, row_problems = parse_row(row, source, shown)
        problems += row_problems
        phone = (row.values.get("dien_thoai") or "").strip()
        if phone and (trouble := phone_problem(phone)) is not None:
            problems.append(Problem(f"Số “{phone}” {trouble}.", source=source,
                                    line=row.value_lines.get("dien_thoai", line), field=shown["dien_thoai"]))
        if unit is not None:
            lines[unit.code] = line
            units.append(unit)
    attr_names = {attr: shown[col] for attr, col in FIELD_NAMES.items()}
    problems += validate(units, existing=existing, source=source, lines=lines, fields=attr_names)
    if problems:
        problems.sort(key=lambda p: (p.line or 0))
        raise HierarchyError(problems, title=f"Tệp {source} có lỗi")
    return units, lines


def _header_names(keys: Iterable[str]) -> tuple[dict[str, str], list[str]]:
    """Column for each written key (Vietnamese or English) and the keys that are neither."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for key in keys:
        norm = key.strip().lower()
        col = norm if norm in COLUMNS else ENGLISH.get(norm) or column_for(key)
        if col is None:
            unknown.append(key)
        else:
            mapping[key] = col
    return mapping, unknown


def _unknown_key(key: str, source: str, line: int) -> Problem:
    valid = ", ".join(COLUMNS)
    return Problem(f"Cột {shown_value(key)} không có; các cột hợp lệ: {valid} "
                   f"(hoặc tên tiếng Anh: {', '.join(ENGLISH)}).", source=source, line=line, field=key)


def _csv_rows(text: str, source: str) -> tuple[list[Row], dict[str, str], list[Problem]]:
    first = text.split("\n", 1)[0]
    # Excel writes "," or ";" (by the regional settings) for CSV and tabs for "Unicode Text".
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    shown = {col: col for col in COLUMNS}
    if not header:
        return [], shown, [Problem(f"Tệp trống; dòng đầu phải là tên cột: {', '.join(COLUMNS)}.", source=source,
                                   line=1)]
    mapping, unknown = _header_names(header)
    problems = [_unknown_key(key, source, 1) for key in unknown]
    shown |= {col: key.strip() for key, col in mapping.items()}
    missing = [col for col in REQUIRED if col not in mapping.values()]
    if missing:
        problems.append(Problem(f"Thiếu cột {', '.join(missing)}; dòng đầu phải có ít nhất các cột "
                                f"{', '.join(REQUIRED)}.", source=source, line=1))
        return [], shown, problems
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) == MAX_UNITS:
                problems.append(_too_many(source, line))
                break
            if len(record) > len(header):
                problems.append(Problem(f"Dòng có {len(record)} ô nhưng tiêu đề chỉ có {len(header)} cột; hãy "
                                        f"kiểm tra dấu phân cách “{delimiter}” trong nội dung.", source=source,
                                        line=line))
                continue
            # A short row (fewer cells than columns) leaves the missing columns empty.
            values: dict[str, str | None] = {
                mapping[key]: from_csv(cell) for key, cell in zip(header, record, strict=False) if key in mapping
            }
            rows.append(Row(line=line, values=values, value_lines={}))
    except csv.Error as exc:
        # A quoted cell left open runs on over the following lines until the field limit stops it.
        problems.append(Problem(f"Ô bắt đầu ở dòng {start} không đọc được ({exc}); hãy kiểm tra dấu ngoặc kép “\"” "
                                "mở mà chưa đóng.", source=source, line=start))
    return rows, shown, problems


def _too_many(source: str, line: int) -> Problem:
    return Problem(f"Tệp có hơn {formats.number(MAX_UNITS)} đơn vị; hãy chia thành nhiều tệp nhỏ hơn.", source=source,
                   line=line)


def _yaml_rows(text: str, source: str) -> tuple[list[Row], dict[str, str], list[Problem]]:
    shown = {col: col for col in COLUMNS}
    try:
        root = compose_yaml(text, _YAML_LIMITS)
    except LimitError as exc:
        return [], shown, [Problem(f"{exc.message[:1].upper()}{exc.message[1:]}.", source=source, line=exc.line)]
    except yaml.YAMLError as exc:
        what, line = yaml_error(exc, text)
        return [], shown, [Problem(f"Tệp YAML sai cú pháp: {what}.", source=source, line=line)]
    if root is None:
        return [], shown, []
    if isinstance(root, yaml.MappingNode):
        # Also accept a mapping with one list under "units"/"don_vi".
        items: dict[str, yaml.Node] = {}
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in items:
                first = items[key_node.value].start_mark.line + 1
                return [], shown, [Problem(
                    f"Khóa “{key_node.value}” ghi hai lần (dòng {first} và dòng {key_node.start_mark.line + 1}); "
                    "hãy giữ lại một.", source=source, line=key_node.start_mark.line + 1, field=key_node.value)]
            if isinstance(key_node, yaml.ScalarNode):
                items[key_node.value] = value_node
        root = items.get("units") or items.get("don_vi") or root
    if not isinstance(root, yaml.SequenceNode):
        return [], shown, [Problem("Tệp YAML phải là một danh sách đơn vị (mỗi mục có ma, ten, loai…).",
                                   source=source, line=root.start_mark.line + 1)]
    rows: list[Row] = []
    problems: list[Problem] = []
    _walk(root, None, source, rows, shown, problems)
    return rows, shown, problems


def _walk(seq: yaml.SequenceNode, parent: str | None, source: str, rows: list[Row], shown: dict[str, str],
          problems: list[Problem]) -> None:
    for item in seq.value:
        line = item.start_mark.line + 1
        if not isinstance(item, yaml.MappingNode):
            problems.append(Problem("Mỗi mục phải là một đơn vị dạng “khóa: giá trị” (ma, ten, loai…).",
                                    source=source, line=line))
            continue
        if len(rows) == MAX_UNITS:
            problems.append(_too_many(source, line))
            return
        values: dict[str, str | None] = {}
        value_lines: dict[str, int] = {}
        children: yaml.Node | None = None
        written: dict[str, tuple[str, int]] = {}  # column (or "children") -> key as written and its line
        for key_node, value_node in item.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1
            mapping, unknown = _header_names([key])
            col = "children" if key in _CHILDREN else mapping.get(key)
            if col is not None and col in written:
                first_key, first_line = written[col]
                same = f"“{key}”" if first_key == key else f"“{first_key}” và “{key}” (cùng một cột)"
                problems.append(Problem(f"Khóa {same} ghi hai lần trong cùng một đơn vị (dòng {first_line} và dòng "
                                        f"{key_line}); hãy giữ lại một.", source=source, line=key_line, field=key))
                continue
            if col is not None:
                written[col] = (key, key_line)
            if key in _CHILDREN:
                children = value_node
                continue
            if unknown or col is None:
                problems.append(_unknown_key(key, source, key_line))
                continue
            shown[col] = key
            value_lines[col] = key_line
            if not isinstance(value_node, yaml.ScalarNode):
                problems.append(Problem(f"Giá trị của “{key}” phải là một giá trị đơn (chữ, số hoặc ngày).",
                                        source=source, line=value_lines[col], field=key))
                continue
            is_null = value_node.tag == "tag:yaml.org,2002:null"
            values[col] = None if is_null else value_node.value
        rows.append(Row(line=line, values=values, value_lines=value_lines, parent_from_nesting=parent))
        if children is not None:
            code = (values.get("ma") or "").strip()
            if isinstance(children, yaml.SequenceNode):
                _walk(children, code, source, rows, shown, problems)
            elif children.tag != "tag:yaml.org,2002:null":
                problems.append(Problem("“children” phải là một danh sách đơn vị.", source=source,
                                        line=children.start_mark.line + 1, field="children"))


def write_units(units: Iterable[Unit], path: str | Path, format: str = "csv") -> None:
    """Write units to CSV (UTF-8 with BOM so that Excel shows the diacritics) or YAML; reading back gives them."""
    path = Path(path)
    rows = [unit_values(u) for u in units]
    if format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            writer.writerows([("" if v is None else to_csv(v)) for v in row.values()] for row in rows)
    elif format == "yaml":
        # Dates go out as YAML dates (unquoted); a zero member count is the default and is left out.
        kept = [{k: date.fromisoformat(str(v)) if k in _DATE_COLUMNS else v for k, v in row.items()
                 if v is not None and not (k == "so_dang_vien" and v == 0)} for row in rows]
        with path.open("w", encoding="utf-8") as out:
            yaml.safe_dump(kept, out, allow_unicode=True, sort_keys=False, width=200)
    else:
        raise ValueError(f"unknown hierarchy file format {format!r}")


@dataclass
class HierarchyDiff:
    """What a new list of units changes against the recorded ones."""

    added: list[Unit] = field(default_factory=list)
    changed: list[tuple[Unit, Unit, tuple[str, ...]]] = field(default_factory=list)
    removed: list[Unit] = field(default_factory=list)


_UNIT_FIELDS = tuple(f.name for f in fields(Unit))


def diff_units(old: Mapping[str, Unit], new: Iterable[Unit]) -> HierarchyDiff:
    """Units added, changed (with the Unit attributes that differ) and removed (in `old`, missing from `new`)."""
    diff = HierarchyDiff()
    seen: set[str] = set()
    for unit in new:
        seen.add(unit.code)
        before = old.get(unit.code)
        if before is None:
            diff.added.append(unit)
        elif before != unit:
            changed = tuple(f for f in _UNIT_FIELDS if getattr(before, f) != getattr(unit, f))
            diff.changed.append((before, unit, changed))
    diff.removed = [u for code, u in old.items() if code not in seen]
    return diff
