"""Whole numbers take a fast path; it must print exactly what Babel's Vietnamese pattern prints."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given, strategies as st

from formats import number


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_read_as_babel_writes_them(value: int) -> None:
    assert number(value) == format_decimal(value, format="#,##0.##", locale="vi")
    assert number(value, decimals=0) == format_decimal(value, format="#,##0", locale="vi")


def test_counts_of_a_national_report() -> None:
    assert [number(n) for n in (0, 999, 1000, 53472, -1234567)] == ["0", "999", "1.000", "53.472", "-1.234.567"]
