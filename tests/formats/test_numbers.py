"""Numbers as Vietnamese documents write them: the integer shortcut writes exactly what Babel's locale does."""

from __future__ import annotations

from babel.numbers import format_decimal
from hypothesis import given, strategies as st

import formats


@given(st.integers(min_value=-10**16, max_value=10**16))
def test_an_integer_is_grouped_by_dots_as_babel_writes_it_for_vietnamese(value: int) -> None:
    assert formats.number(value) == format_decimal(value, format="#,##0.##", locale="vi")
    assert formats.number(value, decimals=0) == format_decimal(value, format="#,##0", locale="vi")


def test_thousands_take_a_dot_and_decimals_a_comma() -> None:
    assert formats.number(3542) == "3.542" and formats.number(1_234_567) == "1.234.567"
    assert formats.number(2.5) == "2,5" and formats.number(7, decimals=1) == "7,0" and formats.number(None) == "–"


def test_counts_of_a_national_report() -> None:
    assert [formats.number(n) for n in (0, 999, 1000, 53472, -1234567)] == ["0", "999", "1.000", "53.472", "-1.234.567"]
