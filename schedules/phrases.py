"""Bring deadline and phase phrases as printed in plans to the wording schedules.expressions reads.

Plans print the same deadline many ways: "Thời hạn gửi báo cáo chậm nhất là ngày 15/11/2021",
"hạn chót nộp 10h00 ngày 5/8/2024", "16g00", "tháng 5-2021", "tháng 9-10/2023". This module only
rewrites wording; it never decides a date. Rules:
- Case, whitespace and Unicode form do not matter; "hằng" is "hàng"; brackets, ",", ";", ":", a
  final "." or "./." are spaces.
- Dates: "2024-08-05" and "5 tháng 8 năm 2024" become "5/8/2024"; "tháng 5-2021", "tháng 5.2021" and
  "tháng 02 năm 2020" become "tháng 5/2021", "tháng 02/2020", a bare "6/2024" becomes "tháng 6/2024";
  "thượng/trung tuần tháng" become "đầu/giữa tháng" ("hạ tuần tháng" is kept); "tháng 9-10/2023",
  "tháng 9 - tháng 10/2023" and "tháng 6 đến tháng 8-2020" become "từ tháng 9 đến tháng 10/2023".
- Trailing words that add no date ("trở đi", "trở về sau", "dứt điểm") are dropped.
- Hours: "16g00", "16g", "16 giờ 00 phút", "16:00", "16h00'" become "16h00" / "16h".
- Lead-in words, from a closed list, are peeled off the front: fillers that carry no meaning ("thời gian",
  "dự kiến", "hoàn thành", "thực hiện", "gửi báo cáo", "nộp", "vào lúc", "hết"…), words that mean "no later
  than" ("thời hạn", "hạn chót", "chậm nhất là", "từ nay đến", "đến"…) which become one "chậm nhất",
  and "trước", which is kept (the day written is then already late). Unknown words are never dropped.
- Weekday names ("thứ hai", "thứ 2", "chủ nhật") are kept for the grammar, which checks them
  against the date (`weekday_mismatch`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from schedules.render import format_day, weekday_name

__all__ = ["WEEKDAY", "normalize", "vague_period", "weekday_mismatch"]

# A weekday as written: "thứ hai" … "thứ bảy", "thứ 2" … "thứ 7", "chủ nhật".
WEEKDAY = r"thứ (?:hai|ba|tư|năm|sáu|bảy|bẩy|[2-7])|chủ nhật"
_WEEKDAY_INDEX = {
    "hai": 0, "2": 0, "ba": 1, "3": 1, "tư": 2, "4": 2, "năm": 3, "5": 3,
    "sáu": 4, "6": 4, "bảy": 5, "bẩy": 5, "7": 5,
}

_MONTH_NUMBER = r"(\d{1,2}|iv|i{1,3})"
_REWRITES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bhằng\b"), "hàng"),
    (re.compile(r"\bsáu tháng\b"), "6 tháng"),
    (re.compile(r"\s*\./\.\s*$"), ""),
    (re.compile(r"[()\[\]]"), " "),
    (re.compile(r"(\d)\s*['’]"), r"\1"),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})t?"), r"\3/\2/\1 "),
    (re.compile(r"(\d{1,2}) tháng (\d{1,2}) năm (\d{4})"), r"\1/\2/\3"),
    (re.compile(r"(\d{1,2}) tháng (\d{1,2})\b(?!/| lần)"), r"\1/\2"),
    # "tháng 5-2021", "tháng 5 . 2021": a month and its year.
    (re.compile(r"\btháng (\d{1,2}) ?[-–.] ?(\d{4})(?!\d)"), r"tháng \1/\2"),
    # "tháng 9-10/2023", "từ tháng 9 – tháng 10 năm 2023": a range of months.
    (
        re.compile(r"\b(?:từ |trong )?tháng (\d{1,2}) ?[-–—] ?(?:tháng )?(\d{1,2})(?![\d.-])"),
        r"từ tháng \1 đến tháng \2",
    ),
    (re.compile(rf"\b(tháng|quý) {_MONTH_NUMBER} năm (\d{{4}})"), r"\1 \2/\3"),
    # "6/2024" alone is a month: not the end of a day ("10/6/2024") nor a quarter ("quý 3/2024").
    (re.compile(r"(?<![\d/.-])(?<!tháng )(?<!quý )(\d{1,2})/(\d{4})(?![\d/])"), r"tháng \1/\2"),
    # The thirds of a month: thượng tuần is "đầu tháng", trung tuần "giữa tháng"; "hạ tuần tháng" is kept so that
    # its meaning names it (it is due as "cuối tháng").
    (re.compile(r"\bthượng tuần(?= tháng)"), "đầu"),
    (re.compile(r"\btrung tuần(?= tháng)"), "giữa"),
    # "tháng 6 đến tháng 8-2020": a range of months written without its "từ".
    (re.compile(r"^(?:trong )?tháng (\d{1,2}) (?:đến|tới) (?=(?:hết |cuối )?tháng \d)"), r"từ tháng \1 đến "),
    # "16g00", "16g": the hour written with "g" (giờ).
    (re.compile(r"(?<!\d)(\d{1,2}) ?g(?: ?(\d{2}))?(?![^\W\d_])"), r"\1h\2"),
    # "h" must not start a word ("25 hàng tháng" is not 25h).
    (re.compile(r"(\d{1,2}) ?(?:giờ|h(?![^\W\d_]))(?: ?(\d{1,2})(?![\d/]))?(?: ?phút)?"), r"\1h\2"),
    (re.compile(r"(\d{1,2}):(\d{2})\b"), r"\1h\2"),
    (re.compile(r"[,;:]|\s[-–—]\s|\.$"), " "),
    (re.compile(r"\s+"), " "),
    # Trailing words that add no date: "từ cuối tháng 5 trở về sau", "… đến ngày 18/11/2019 dứt điểm".
    (re.compile(r" ?\b(?:trở đi|trở về sau|trở lại đây|dứt điểm)\s*$"), ""),
]

# Lead-in words and what they mean: "by" (no later than), "before" (the day is already late), "" (nothing).
_LEADS: dict[str, str] = {
    "thời hạn": "by", "hạn chót": "by", "hạn cuối": "by", "hạn nộp": "by", "hạn gửi": "by", "hạn": "by",
    "chậm nhất là": "by", "chậm nhất vào": "by", "chậm nhất": "by", "muộn nhất là": "by", "muộn nhất": "by",
    "từ nay đến": "by", "từ nay cho đến": "by", "từ nay tới": "by", "cho đến": "by", "đến": "by",
    "trước": "before",
    "thời gian": "", "dự kiến": "", "hoàn thành": "", "kết thúc": "", "gửi báo cáo": "", "nộp báo cáo": "",
    "báo cáo kết quả": "", "báo cáo": "", "gửi": "", "nộp": "", "là": "", "vào lúc": "", "vào hồi": "",
    "vào": "", "lúc": "", "hồi": "", "hết": "", "thực hiện": "", "triển khai": "", "tổ chức": "",
}
_LEAD = re.compile("(" + "|".join(sorted(map(re.escape, _LEADS), key=len, reverse=True)) + r")(?: |$)")
# What may follow "chậm nhất" in the grammar: a number, a day, a month, a weekday, "hết"/"cuối"/"đầu"/"giữa" a month.
_BY_TAKES = re.compile(rf"(?:\d|ngày |tháng |hết |cuối |đầu |giữa |hạ tuần |{WEEKDAY})")


def _peel(text: str) -> str:
    """Drop known lead-in words from the front; keep "trước", and one "chậm nhất" where the grammar reads it."""
    roles: set[str] = set()
    while m := _LEAD.match(text):
        roles.add(_LEADS[m[1]])
        text = text[m.end():]
    if not text:
        return ""
    if "before" in roles:
        return f"trước {text}"
    if "by" in roles and _BY_TAKES.match(text):
        return f"chậm nhất {text}"
    return text


def normalize(text: str) -> str:
    """The phrase in the grammar's wording: lowercase NFC, dates and hours in one form, lead-in words peeled."""
    t = unicodedata.normalize("NFC", text).lower().strip()
    for pattern, repl in _REWRITES:
        t = pattern.sub(repl, t)
    return _peel(t.strip())


def weekday_mismatch(written: str | None, d: date) -> str | None:
    """None when no weekday is written or it is d's; else the sentence that names both."""
    if written is None:
        return None
    index = 6 if written.startswith("chủ") else _WEEKDAY_INDEX[written.split()[-1]]
    if index == d.weekday():
        return None
    named = "Chủ nhật" if index == 6 else f"thứ {('Hai', 'Ba', 'Tư', 'Năm', 'Sáu', 'Bảy')[index]}"
    return (
        f"văn bản ghi {named} nhưng ngày {format_day(d)} là {weekday_name(d)}; hãy sửa thứ hoặc ngày cho khớp "
        f"(ví dụ hợp lệ: “{weekday_name(d)}, ngày {format_day(d)}”)"
    )


_VAGUE = re.compile(r"(?<!tháng )\b(?:đầu|giữa|cuối) (?:năm|quý)\b|\b(?:thượng|trung|hạ) tuần\b")


def vague_period(norm: str) -> str | None:
    """The words that name a part of a month, quarter or year without a day ("đầu tháng", "cuối năm"), if any."""
    m = _VAGUE.search(norm)
    return m[0] if m else None
