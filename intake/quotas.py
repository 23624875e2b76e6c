"""Who attends the event and how many each unit sends: the "Thành phần" section and quota sentences.

Participants are the bullet lines under a "Thành phần …" heading (or the text after its colon). A quota rule is
a number of people per unit: "mỗi chi đoàn cử 02 đoàn viên", "cứ 02 đồng chí", "đơn vị có trên 50 đoàn viên: 03
đại biểu; từ 50 đoàn viên trở xuống: 02 đại biểu". Member bounds are inclusive: "trên 50" is 51 and more.
"""

from __future__ import annotations

import re

from intake.model import Draft, Found, QuotaRuleFound
from intake.words import clean, fold, unit_kinds

__all__ = ["read_participants", "read_quota_rules", "read_total"]

_BULLET = re.compile(r"^\s*[-–+•*]\s*")
_PARTICIPANTS = re.compile(r"^(?:[\dIVX]+(?:\.\d+)*\s*[.)]\s*|[a-zđ]\)\s*|[-–+]\s*)?thành phần\b[^:]{0,80}?(?::\s*|$)",
                           re.IGNORECASE)
# A new numbered or lettered item, or a Roman heading, ends the section.
_ITEM = re.compile(r"^\s*(?:[IVX]+\s*[.\-]|\d+(?:\.\d+)*\s*[.)]|[a-zđ]\))\s*\S")
# What a quota counts and what a unit's size is counted in.
_PEOPLE = (r"đại biểu|đồng chí|đội tuyển|đội|đoàn viên|đảng viên|hội viên|thanh niên|học sinh|sinh viên|"
           r"vận động viên|thí sinh|suất")
_MEMBERS = r"đoàn viên|đảng viên|hội viên|thành viên"
_NUM = r"(?<![\d/.,])(?P<n>\d{1,3})(?![\d/.,])"
# "mỗi <units> [cử|được|…] [tối đa|ít nhất|khoảng] 02 <people>" and "cứ 02 đồng chí" ("cứ", a frequent slip for "cử").
_EACH = re.compile(rf"\b(?P<lead>mỗi|cứ|cử)\b(?P<who>[^;:.()]{{0,120}}?)\s*(?:\b(?:cử|được(?: phân bổ| cử)?|chọn|"
                   rf"giới thiệu|đăng ký|gồm|có)\s+)?(?P<bound>tối đa|ít nhất|không quá|khoảng\s+)?\s*{_NUM}\s*"
                   rf"(?P<what>{_PEOPLE})\b", re.IGNORECASE)
# "có trên 50 đoàn viên: 03 đại biểu", "từ 50 đoàn viên trở xuống được 02 đại biểu", "dưới 30 đảng viên - 01 đại biểu".
_SIZED = re.compile(rf"(?P<rel>trên|dưới|từ|không quá|ít hơn|nhiều hơn)\s+(?P<m>\d{{1,6}})(?:\s+(?:đến|-|–)\s+"
                    rf"(?P<m2>\d{{1,6}}))?\s+(?P<mw>{_MEMBERS})(?P<dir>\s+trở\s+(?:lên|xuống))?\s*(?:[:\-–]|"
                    rf"\bthì\b|\bđược\b(?:\s+(?:phân bổ|cử))?|\bcử\b|,)\s*(?:cử\s+|được\s+)?{_NUM}\s*"
                    rf"(?P<what>{_PEOPLE})\b",
                    re.IGNORECASE)
_TOTAL = re.compile(r"(?:tổng số|dự kiến|khoảng|gồm|số lượng)\s*(?:đại biểu\s*)?(?:là|:|dự kiến|khoảng)?\s*"
                    r"(?P<n>\d{1,3}(?:\.\d{3})?|\d{1,5})\s+đại biểu", re.IGNORECASE)


def _as_written(text: str, folded: str) -> str:
    """The words of `text` that read as `folded` (found in the lowercased, folded line), case kept as written."""
    m = re.search(r"\s+".join(map(re.escape, folded.split())), text, re.IGNORECASE)
    return m.group(0) if m else folded


def read_total(text: str) -> tuple[int, str] | None:
    """The expected delegate total of a line ("Dự kiến 80 đại biểu", "tổng số 120 đại biểu"), with its words."""
    m = _TOTAL.search(fold(text))
    if m is None or re.search(r"(?i)\bmỗi\b", fold(text)[: m.start()][-40:]):
        return None  # "mỗi đơn vị khoảng 3 đại biểu" is a quota, not the total
    return int(m["n"].replace(".", "")), _as_written(text, m.group(0))


def read_participants(draft: Draft) -> None:
    """One participant per bullet line of the first "Thành phần …" section, or the text after its colon."""
    lines = draft.lines
    for index, line in enumerate(lines):
        text = clean(line.text)
        m = _PARTICIPANTS.match(text)
        if m is None or len(text) > 300:
            continue
        rest = text[m.end():].strip()
        if rest and not rest.startswith("("):
            rest = re.sub(r"(?i)^là\s+", "", rest).strip(" .;,")
            if rest:
                draft.participants.append(Found(rest, line.number, text, 0.7))
            return
        for nxt in lines[index + 1:]:
            item = clean(nxt.text)
            if not item:
                continue
            if not _BULLET.match(item) or _ITEM.match(item):
                break
            value = _BULLET.sub("", item).strip(" .;,")
            if value:
                draft.participants.append(Found(value, nxt.number, item, 0.8))
        if draft.participants:
            return


def read_quota_rules(draft: Draft, number: int, text: str) -> None:
    """Quota rules of one line: "mỗi <đơn vị> 02 <người>" and member thresholds; a threshold without a named unit
    kind takes the kinds named earlier on the line ("Đoàn cơ sở có trên 50 đoàn viên: 03; từ 50 … trở xuống: 02")."""
    low = fold(text)
    spans: list[tuple[int, int]] = []
    line_kinds: tuple[list[str], list[str]] = ([], [])
    for m in _SIZED.finditer(low):
        upper = int(m["m2"]) if m["m2"] else None
        lo, hi = _bounds(m["rel"], int(m["m"]), upper, (m["dir"] or "").split()[-1:])
        if lo is None and hi is None:
            continue
        start = max(low.rfind(";", 0, m.start()), low.rfind(".", 0, m.start()), 0)
        kinds = unit_kinds(low[start:m.start()])
        if kinds[0]:
            line_kinds = kinds
        else:
            kinds = line_kinds
        _add(draft, number, text, m, kinds, lo, hi)
        spans.append(m.span())
    for m in _EACH.finditer(low):
        if any(a <= m.start("n") < b for a, b in spans) or (m["bound"] and "ít nhất" in m["bound"]):
            continue  # read as a threshold already, or a floor ("ít nhất 60 đại biểu") that allocates nothing
        who = m["who"]
        if m["lead"] != "mỗi":
            # "các huyện ủy … cử 02 đồng chí": the units stand before the verb, in the same clause, and are many.
            before = low[max(low.rfind(";", 0, m.start()), low.rfind(":", 0, m.start()), 0): m.start()]
            if not re.search(r"\b(?:mỗi|các|từng)\b", before):
                continue
            who = f"{before} {who}"
        _add(draft, number, text, m, unit_kinds(who), None, None)


def _bounds(rel: str, m: int, m2: int | None, direction: list[str]) -> tuple[int | None, int | None]:
    rel = rel.lower()
    if m2:
        return m, m2
    if rel in ("trên", "nhiều hơn"):
        return m + 1, None
    if rel in ("dưới", "ít hơn"):
        return None, m - 1
    if rel == "không quá":
        return None, m
    if rel == "từ":
        return (m, None) if direction != ["xuống"] else (None, m)
    return None, None


def _add(draft: Draft, number: int, text: str, m: re.Match[str], kinds: tuple[list[str], list[str]],
         lo: int | None, hi: int | None) -> None:
    value = Found(int(m["n"]), number, _as_written(text, m.group(0)), 0.75 if kinds[0] else 0.5)
    draft.quota_rules.append(QuotaRuleFound(value, list(kinds[0]), list(kinds[1]), lo, hi, m["what"]))
