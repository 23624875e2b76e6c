"""Vietnamese telephone numbers as people write them: checked at import, turned into the form Zalo expects."""

from __future__ import annotations

import re

__all__ = ["phone_problem", "zalo_phone"]

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile numbers since the 2018 renumbering: 0 then 3, 5, 7, 8 or 9 then 8 digits.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
# Landlines since 2017: 0, a two- or three-digit area code starting with 2, then the subscriber: 11 digits in all.
_LANDLINE = re.compile(r"^02\d{9}$")
EXAMPLE = "0912 345 678 hoặc +84 912 345 678 (máy bàn: 0233 3852 123)"


def _national(text: str) -> str:
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        return "0" + digits[3:]
    if digits.startswith("84") and len(digits) in (11, 12):
        return "0" + digits[2:]
    return digits


def phone_problem(text: str) -> str | None:
    """Why `text` is not a Vietnamese telephone number (a 10-digit mobile or an 11-digit landline, with or
    without +84 and spaces), or None."""
    number = _national(text)
    if _MOBILE.match(number) or _LANDLINE.match(number):
        return None
    return f"không phải số điện thoại Việt Nam; hãy ghi số di động 10 chữ số, ví dụ {EXAMPLE}"


def zalo_phone(text: str) -> str | None:
    """A mobile number in the international form Zalo's API takes (84912345678), or None for a landline or
    a number that is not Vietnamese."""
    number = _national(text)
    return "84" + number[1:] if _MOBILE.match(number) else None
