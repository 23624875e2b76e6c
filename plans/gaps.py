"""Gaps left in a draft plan: the placeholder "THIẾU" that `plan draft` writes where a document says nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from errors import Problem
from plans.source import LineMap, dotted

__all__ = ["GAP", "gap_problems"]

GAP = "THIẾU"


def _walk(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, str) and value.strip().upper().startswith(GAP):
        yield path


def gap_problems(data: dict[str, Any], lines: LineMap, origin: str | None) -> list[Problem]:
    """One problem per value still written "THIẾU": the draft did not find it in the document."""
    return [
        Problem(f"còn để trống (“{GAP}”): bản nháp không tìm thấy giá trị này trong văn bản gốc; hãy điền theo "
                "văn bản hoặc theo hệ thống tổ chức (lời nhắc ở chú thích cạnh trường)",
                source=origin, line=lines.line(path), field=dotted(path))
        for path in _walk(data, ())
    ]
