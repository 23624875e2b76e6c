"""Cells of every .xlsx and .csv the project writes, safe to open in Excel or LibreOffice.

A stored text that starts like a formula ("=HYPERLINK(…)", "+84…", "-1+1", "@SUM(…)", a tab or a carriage
return) would be evaluated when the file is opened (CSV injection, OWASP). In a workbook such a cell is written
as text with Excel's quote prefix, so Excel shows the text and never evaluates it; in a CSV file it gets a
leading single quote, as OWASP recommends, which our own readers take off again (`from_csv`). Numbers are left
alone: a negative figure stays a number.
"""

from __future__ import annotations

from typing import Any, TypeVar

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell, MergedCell

__all__ = ["FORMULA_STARTS", "as_text", "from_csv", "to_csv", "write_only"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


C = TypeVar("C", bound=Cell | MergedCell)


def as_text(cell: C) -> C:
    """`cell` with a formula-like text marked as text (type string, quote prefix); other cells unchanged."""
    if _formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_only(sheet: Any, value: object) -> object:
    """What to append to a write-only sheet for `value`: a text cell when it looks like a formula, else the value."""
    if not _formula_like(value):
        return value
    return as_text(WriteOnlyCell(sheet, value=str(value)))


def to_csv(value: object) -> object:
    """A CSV cell for `value`: a formula-like text with a leading single quote, anything else unchanged."""
    return f"'{value}" if _formula_like(value) else value


def from_csv(text: str) -> str:
    """A cell of a CSV file as it was before `to_csv`: the quote taken off a quoted formula-like text."""
    return text[1:] if text.startswith("'") and _formula_like(text[1:]) else text
