"""The text of a table saved by a spreadsheet: UTF-8, UTF-16 (Excel's "Unicode Text") or Windows-1258."""

from __future__ import annotations

import codecs
import unicodedata

from errors import HierarchyError, Problem

__all__ = ["decode_table"]

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf16_without_bom(data: bytes) -> str | None:
    # ASCII text in UTF-16 has a zero in every other byte; which half tells the byte order.
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    encoding = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_table(data: bytes, source: str) -> tuple[str, str]:
    """The NFC text of a spreadsheet export and the encoding it was in: UTF-8 (BOM or not), UTF-16 (BOM, or
    zero bytes in every other place), else Windows-1258, the code page of Vietnamese Windows."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise _unreadable(data, exc.start, source, "UTF-16") from None
    elif (text := _utf16_without_bom(data)) is not None:
        return text, "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        first_bad = utf8_error.start
    try:
        # Windows-1258 writes tone marks as separate combining characters: NFC joins them to the letter.
        return unicodedata.normalize("NFC", data.decode("cp1258")), "Windows-1258"
    except UnicodeDecodeError:
        raise _unreadable(data, first_bad, source, "UTF-8") from None


def _unreadable(data: bytes, index: int, source: str, tried: str) -> HierarchyError:
    line = data.count(b"\n", 0, index) + 1
    return HierarchyError([Problem(
        f"Tệp không phải UTF-8, UTF-16 hay Windows-1258: byte {index} (giá trị 0x{data[index]:02X}) không đọc "
        f"được theo {tried}. Hãy lưu lại tệp trong Excel với kiểu “CSV UTF-8 (Comma delimited)” hoặc "
        "“Sổ làm việc Excel (.xlsx)”.", source=source, line=line)])
