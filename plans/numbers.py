"""Directive numbers ("47-KH/TU") as people type them: one written form, one key that is unique, one folded key
that finds a number typed without its Đ.

"47 - KH/TU", "47-KH/TU " and "47–KH/TU" (an en dash from a word processor) are the number "47-KH/TU"; so is
"047-KH/TU" (the serial is a number), while the number keeps the zeros it was issued with ("05-CT/TW" is how the
Central Committee writes it). Keyboards without Vietnamese give "108-KH/DUK" for "108-KH/ĐUK": that is folded
for finding a directive, never for telling two apart.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_number", "folded_key", "number_key"]

# Hyphens and dashes a word processor puts where a "-" was typed, and the minus sign.
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
_SPACED = re.compile(r"\s*([-/])\s*")
_SERIAL = re.compile(r"^0+(?=\d)")


def clean_number(text: str) -> str:
    """The number as written, in one form: NFC, dashes as "-", runs of spaces as one, none around "-" and "/"."""
    text = unicodedata.normalize("NFC", text).translate(_DASHES)
    return _SPACED.sub(r"\1", " ".join(text.split()))


def number_key(text: str) -> str:
    """The form in which a number is unique: cleaned, upper case, the serial without leading zeros."""
    return _SERIAL.sub("", clean_number(text).upper())


def folded_key(text: str) -> str:
    """The key with Đ read as D, to find a number typed on a keyboard without Vietnamese."""
    return number_key(text).replace("Đ", "D")
