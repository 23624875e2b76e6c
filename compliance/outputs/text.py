"""Figures as Vietnamese documents write them (decimal comma), and the file names of a run's outputs."""

from __future__ import annotations

from datetime import date

from babel.numbers import format_decimal, format_percent

from notifications.docx_letter import _ascii_slug

__all__ = ["file_stem", "number", "percent", "points", "signed", "short_department"]

# CLDR's Vietnamese locale: a dot groups thousands, a comma marks decimals (3.542; 64,7%).
LOCALE = "vi"


def number(value: float | None) -> str:
    """3542 → "3.542"; 2.5 → "2,5"; None → "–"."""
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


def percent(value: float | None, decimals: int = 1) -> str:
    """0.6667 → "66,7%"; None (nothing due yet) → "–"."""
    if value is None:
        return "–"
    return format_percent(value, format="#,##0." + "0" * decimals + "%", locale=LOCALE)


def points(change: float | None) -> str:
    """A change of share in percentage points: +6,7 / −33,3 / 0,0; None → "–"."""
    if change is None:
        return "–"
    text = f"{abs(change) * 100:.1f}".replace(".", ",")
    return ("+" if change > 0 else "−" if change < 0 else "") + text


def signed(change: int | None) -> str:
    """+3 / −2 / 0; None (no earlier snapshot) → "–"."""
    if change is None:
        return "–"
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


def short_department(department: str, issuer: str) -> str:
    """"Ban Tuyên giáo Tỉnh ủy" under "Tỉnh ủy Quảng Trị" → "Ban Tuyên giáo": the header names the committee
    above it."""
    words, issuer_words = department.split(), issuer.split()
    for cut in range(1, len(words)):
        tail = words[cut:]
        if issuer_words[: len(tail)] == tail:
            return " ".join(words[:cut])
    return department


def file_stem(number: str, week: date) -> str:
    """ASCII stem shared by a directive's files of one week: bao-cao-tong-hop_47-KH-TU_2017-06-26."""
    return f"bao-cao-tong-hop_{_ascii_slug(number)}_{week.isoformat()}"
