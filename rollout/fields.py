"""A report's figures as units hand them in: each value checked against its declared field, and read back in SQL
(`report_figure`) so that a stored odd value never fails or skews a sum."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Float, SQLColumnExpression, String, case, cast, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

import formats
from errors import InputError, Problem
from hierarchy.limits import read_decimal, read_integer, shown, text_problem
from plans.schema import FieldDef

__all__ = ["MAX_FIGURE", "check_fields", "report_figure"]


# Report figures are counts and amounts (in đồng for money): never negative, at most a thousand billion.
MAX_FIGURE = 10**12
MAX_TEXT_CHARS = 5_000
MAX_LIST_ITEMS = 500
MAX_ITEM_CHARS = 1_000


def check_fields(fields: list[FieldDef], data: dict[str, Any]) -> dict[str, Any]:
    """Report data must match the declared fields, each value within its type's range: integers and numbers
    from 0 to MAX_FIGURE (written 1.234 or 1234, decimals 12,5), text and list items NFC without control or
    bidi characters and within their length."""
    known = {f.name: f for f in fields}
    problems, clean = [], {}
    for name, value in data.items():
        spec = known.get(name)
        if spec is None:
            valid = ", ".join(known) or "(kế hoạch không khai báo trường nào)"
            problems.append(Problem(f"không có trường này; các trường hợp lệ: {valid}", field=name))
            continue
        checked = _FIELD_CHECKS[spec.type](value)
        if isinstance(checked, _Refusal):
            problems.append(Problem(checked.message, field=name))
        else:
            clean[name] = checked
    if problems:
        raise InputError(problems, title="Báo cáo không hợp lệ, chưa ghi nhận")
    return clean


class _Refusal(NamedTuple):
    message: str


def _range_text() -> str:
    return f"từ 0 đến {formats.number(MAX_FIGURE)}"


def _as_int(value: Any) -> int | _Refusal:
    number: int | float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        number = read_integer(value)
    if isinstance(number, int) and 0 <= number <= MAX_FIGURE:
        return number
    return _Refusal(f"giá trị {shown(value)} không hợp lệ: phải là số nguyên {_range_text()} (ví dụ 1.234)")


def _as_float(value: Any) -> float | _Refusal:
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = float(value) if abs(value) <= MAX_FIGURE else None
    elif isinstance(value, float):
        number = value
    elif isinstance(value, str):
        number = read_decimal(value)
    if number is not None and math.isfinite(number) and 0 <= number <= MAX_FIGURE:
        return number
    return _Refusal(f"giá trị {shown(value)} không hợp lệ: phải là một số {_range_text()} "
                    "(ví dụ 1.234 hoặc 12,5)")


def _as_text(value: Any) -> str | _Refusal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return _Refusal("phải là một đoạn văn bản")
    text = unicodedata.normalize("NFC", str(value).replace("\r\n", "\n")).strip()
    trouble = text_problem(text, max_chars=MAX_TEXT_CHARS, multiline=True)
    return _Refusal(f"nội dung {trouble}") if trouble is not None else text


def _as_list(value: Any) -> list[str] | _Refusal:
    if isinstance(value, str):
        parts = value.split(";")
    elif isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        parts = [str(v) for v in value]
    else:
        return _Refusal("phải là một danh sách, mỗi mục một dòng (hoặc các mục cách nhau bởi dấu “;”)")
    items = [unicodedata.normalize("NFC", part).strip() for part in parts if part.strip()]
    if len(items) > MAX_LIST_ITEMS:
        return _Refusal(f"có {formats.number(len(items))} mục, quá giới hạn {MAX_LIST_ITEMS} mục")
    for index, item in enumerate(items, 1):
        trouble = text_problem(item, max_chars=MAX_ITEM_CHARS)
        if trouble is not None:
            return _Refusal(f"mục thứ {index} {trouble}")
    return items


_FIELD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "int": _as_int, "float": _as_float, "text": _as_text, "list": _as_list,
}

# A JSON number the database can turn into a float without overflow: at most 15 digits, a short exponent.
_FIGURE_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,2})?$"


def figure_of(data: dict[str, Any] | None, name: str) -> float | None:
    """What `report_figure` reads in SQL, read from a report in Python: a JSON number from 0 to MAX_FIGURE, as a
    float; anything else (absent, text, true/false, out of range) is None."""
    value = (data or {}).get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_FIGURE:
        return None
    return float(value)


class report_figure(FunctionElement[float]):  # noqa: N801  (an SQL function, named as SQL names them)
    """A report field of an obligation's `data` as a float in SQL, or NULL unless it is a JSON number from 0 to
    MAX_FIGURE: what was stored before entry was bounded (400 digits, 1e999, text) never fails or skews a sum."""

    type = Float()
    inherit_cache = True

    def __init__(self, data: SQLColumnExpression[Any], name: str) -> None:
        super().__init__(data, literal(name, String), literal(f'$."{name}"', String))


@compiles(report_figure)
def _figure_sqlite(element: report_figure, compiler: SQLCompiler, **kw: Any) -> str:
    data, _name, path = element.clauses
    value = func.json_extract(data, path)
    in_range = case((value.between(0, MAX_FIGURE), value))
    return compiler.process(case((func.json_type(data, path).in_(["integer", "real"]), in_range)), **kw)


@compiles(report_figure, "postgresql")
def _figure_postgresql(element: report_figure, compiler: SQLCompiler, **kw: Any) -> str:
    # Nested CASE: PostgreSQL evaluates a branch only when its condition holds, so the cast never sees bad text.
    data, name, _path = element.clauses
    text = data.op("->>", return_type=String)(name)
    number = cast(text, Float)
    in_range = case((number.between(0, MAX_FIGURE), number))
    readable = case((text.regexp_match(_FIGURE_PATTERN), in_range))
    return compiler.process(case((func.json_typeof(data.op("->")(name)) == "number", readable)), **kw)
