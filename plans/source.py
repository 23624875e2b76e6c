"""Reading YAML while keeping the line of every node, and turning pydantic errors into Vietnamese problems."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from errors import PlanError, Problem
from hierarchy.limits import LimitError, YamlLimits, check_lines, compose_yaml, read_bounded, shown, yaml_error

__all__ = ["MAX_PLAN_BYTES", "LineMap", "dotted", "load_yaml_with_lines", "read_plan_bytes", "translate_errors"]

# A plan is a few kilobytes; five megabytes leave room for long lists of unit codes.
MAX_PLAN_BYTES = 5_000_000
# Plans may share a block by anchor and alias (e.g. the same report fields for two obligations): a few dozen
# aliases, and the whole plan with every alias expanded well under the node budget.
_YAML_LIMITS = YamlLimits(
    max_aliases=100, max_nodes=200_000,
    alias_hint="hãy ghi trực tiếp các giá trị thay cho bí danh, hoặc chia kế hoạch thành nhiều tệp",
)

Path = tuple[str | int, ...]


class LineMap:
    """Line numbers (1-based) of every mapping key and sequence item, by path from the document root."""

    def __init__(self) -> None:
        self.lines: dict[Path, int] = {}

    def line(self, path: Path) -> int | None:
        """The line of the deepest known node on `path` (a missing key points at its parent mapping)."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return None


def dotted(path: Path) -> str:
    """A field path as a person reads it: ("phases", 1, "gate", "share") -> "phases[1].gate.share"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_plan_bytes(path: FsPath) -> bytes:
    """The bytes of a plan file; PlanError when it is larger than MAX_PLAN_BYTES (read no further than that)."""
    try:
        return read_bounded(path, MAX_PLAN_BYTES)
    except LimitError as exc:
        raise PlanError([Problem(exc.message, source=str(path))]) from None


def load_yaml_with_lines(text: str, source: str | None) -> tuple[Any, LineMap, list[Problem]]:
    """Parse YAML safely within limits (size, line length, nesting, aliases); returns the data, the line of each
    node and problems (syntax, limits, duplicate keys)."""
    lines = LineMap()
    problems: list[Problem] = []
    try:
        if len(text) > MAX_PLAN_BYTES:
            raise LimitError(f"kế hoạch dài hơn giới hạn {MAX_PLAN_BYTES // 1_000_000} MB; hãy chia thành nhiều tệp")
        check_lines(text)
        node = compose_yaml(text, _YAML_LIMITS)
    except LimitError as exc:
        problems.append(Problem(exc.message, source=source, line=exc.line))
        return None, lines, problems
    except yaml.YAMLError as exc:
        what, line = yaml_error(exc, text)
        problems.append(
            Problem(
                f"tệp YAML sai cú pháp ({what}); kiểm tra thụt lề, dấu “:” và dấu ngoặc kép",
                source=source,
                line=line,
            )
        )
        return None, lines, problems
    if node is None:
        problems.append(Problem("tệp kế hoạch trống; cần ít nhất các mục directive và hierarchy", source=source))
        return None, lines, problems
    constructor = yaml.SafeLoader("")
    data = _build(node, (), lines, problems, source, constructor)
    lines.lines[()] = node.start_mark.line + 1
    return data, lines, problems


def _build(node: yaml.Node, path: Path, lines: LineMap, problems: list[Problem], source: str | None,
           constructor: yaml.SafeLoader) -> Any:
    # Walk the composed node tree so that each value's line is known, and duplicate keys are caught
    # (PyYAML itself silently keeps the last of two equal keys).
    lines.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(key_node, path, LineMap(), problems, source, constructor)
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                problems.append(
                    Problem(
                        f"khóa “{key}” ghi hai lần trong cùng một mục (dòng {lines.lines[child]} "
                        f"và dòng {key_node.start_mark.line + 1}); giữ lại một",
                        source=source,
                        line=key_node.start_mark.line + 1,
                        field=dotted(child),
                    )
                )
                continue
            lines.lines[child] = key_node.start_mark.line + 1
            result[key] = _build(value_node, child, lines, problems, source, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), lines, problems, source, constructor)
            for index, item in enumerate(node.value)
        ]
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, yaml.YAMLError):
        # An impossible timestamp such as 2017-13-40: keep the text so the schema check reports it with its line.
        return node.value


def _valid_list(ctx: Mapping[str, Any]) -> str:
    expected = str(ctx.get("expected", ""))
    return expected.replace(" or ", " hoặc ")


def _message(err: Mapping[str, Any]) -> str:
    # Map pydantic's error types to sentences a clerk understands, each saying what would be valid.
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    quoted = shown(given) if isinstance(given, str | int | float) and not isinstance(given, bool) else "giá trị này"
    table = {
        "missing": "thiếu trường bắt buộc này; hãy bổ sung",
        "extra_forbidden": "trường này không có trong mẫu kế hoạch; kiểm tra chính tả hoặc xóa đi",
        "literal_error": f"{quoted} không hợp lệ; giá trị hợp lệ: {_valid_list(ctx)}",
        "enum": f"{quoted} không hợp lệ; giá trị hợp lệ: {_valid_list(ctx)}",
        "int_parsing": f"{quoted} không phải số nguyên; ghi một số nguyên, ví dụ 5",
        "int_type": f"{quoted} không phải số nguyên; ghi một số nguyên, ví dụ 5",
        "int_from_float": f"{quoted} không phải số nguyên; ghi một số nguyên, ví dụ 5",
        "int_parsing_size": f"{quoted} quá dài để là một số; ghi một số nguyên nhỏ hơn, ví dụ 5",
        "finite_number": f"{quoted} không phải một số hữu hạn; ghi một số, ví dụ 0.8",
        "float_parsing": f"{quoted} không phải số; ghi một số, ví dụ 0.8",
        "float_type": f"{quoted} không phải số; ghi một số, ví dụ 0.8",
        "bool_parsing": f"{quoted} không phải giá trị đúng/sai; ghi true hoặc false",
        "bool_type": f"{quoted} không phải giá trị đúng/sai; ghi true hoặc false",
        "date_parsing": f"{quoted} không phải ngày; ghi dạng 2017-03-22 hoặc 22/3/2017",
        "date_from_datetime_parsing": f"{quoted} không phải ngày; ghi dạng 2017-03-22 hoặc 22/3/2017",
        "date_type": f"{quoted} không phải ngày; ghi dạng 2017-03-22 hoặc 22/3/2017",
        "string_type": f"{quoted} phải là một chuỗi chữ; đặt trong dấu ngoặc kép nếu cần",
        "string_too_short": "không được để trống",
        "string_pattern_mismatch": f"{quoted} chỉ được gồm chữ thường không dấu, số và “_”, ví dụ so_dien_dan",
        "too_short": f"cần ít nhất {ctx.get('min_length')} mục",
        "too_long": f"nhiều nhất {ctx.get('max_length')} mục",
        "greater_than_equal": f"{quoted} quá nhỏ; giá trị hợp lệ từ {ctx.get('ge')} trở lên",
        "less_than_equal": f"{quoted} quá lớn; giá trị hợp lệ tới {ctx.get('le')}",
        "list_type": "cần một danh sách (mỗi mục một dòng bắt đầu bằng “- ”)",
        "tuple_type": "cần một danh sách hai số, ví dụ [1, 2]",
        "dict_type": "cần một mục có các trường con (dạng khóa: giá trị)",
        "model_type": "cần một mục có các trường con (dạng khóa: giá trị)",
        "model_attributes_type": "cần một mục có các trường con (dạng khóa: giá trị)",
    }
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind in table:
        return table[kind]
    return f"giá trị không hợp lệ ({err['msg']})"


def translate_errors(exc: ValidationError, lines: LineMap, source: str | None) -> list[Problem]:
    """Every pydantic error as a Problem with the file's line and the dotted field path."""
    problems = []
    for err in exc.errors(include_url=False):
        # Union members and function validators add loc parts that are not keys of the file.
        path = tuple(p for p in err["loc"] if isinstance(p, int) or not str(p).startswith(("function-", "literal[")))
        path = tuple(p for p in path if p not in {"str", "date", "list[str]", "tuple[int, int]"})
        problems.append(Problem(_message(err), source=source, line=lines.line(path), field=dotted(path) or None))
    return problems
