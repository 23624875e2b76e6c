"""Numbers and dates as Vietnamese documents write them, for every page, letter, report and CLI line.

Numbers follow CLDR's Vietnamese locale through Babel: a dot groups thousands, a comma marks decimals
(3.542; 2,5; 64,7%). Dates and instants come from schedules.render ("ngày 30 tháng 6 năm 2017",
"16h00 ngày 19/6/2024"), re-exported here so that callers need one import.
"""

from __future__ import annotations

import math
from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from schedules.render import format_day, format_day_long, format_instant, format_short, format_time

__all__ = [
    "format_day",
    "format_day_long",
    "format_instant",
    "format_short",
    "format_time",
    "number",
    "percent",
    "points",
    "size",
]

LOCALE = "vi"
NOTHING = "–"  # shown where there is no figure yet (nothing due, no earlier week)


def number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """3542 → "3.542"; 2.5 → "2,5"; `decimals` fixes the digits after the comma (else up to 2); None → "–"."""
    if value is None:
        return NOTHING
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"number: expected a number, got {type(value).__name__}")
    if isinstance(value, int) and not decimals:
        # What Babel writes for an integer in Vietnamese, without its pattern machinery (~0.1 ms a call: a list
        # page shows hundreds of numbers, a national report 100,000); the tests check it against Babel.
        return f"{value:,}".replace(",", ".")
    if not math.isfinite(value):
        raise TypeError(f"number: expected a finite number, got {value!r}")
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "" if decimals == 0 else ".##")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(value: float | None, decimals: int = 1) -> str:
    """A share as a percentage: 0.6667 → "66,7%" (decimals=1), "67%" (decimals=0); None → "–"."""
    if value is None:
        return NOTHING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=pattern, locale=LOCALE)


def points(change: float | None) -> str:
    """A change of share in percentage points: +6,7 / −33,3 / 0,0; None → "–"."""
    if change is None:
        return NOTHING
    text = number(abs(change) * 100, decimals=1)
    return ("+" if change > 0 else "−" if change < 0 else "") + text



def size(n_bytes: int) -> str:
    """A file size as people read it: 812 byte; 3,4 KB; 45,2 MB; 1,2 GB (1 KB = 1.024 byte)."""
    if n_bytes < 1024:
        return f"{number(n_bytes)} byte"
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        if n_bytes < scale * 1024 or unit == "GB":
            return f"{number(n_bytes / scale, decimals=1)} {unit}"
    raise AssertionError("unreachable")
