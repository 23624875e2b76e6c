"""A directive printed by a portal or a newspaper: the lead above its full text names it.

Rules:
- A copy without a header (no kind line, no number) whose first lines say the full text follows ("giới thiệu
  toàn văn") and name "<loại> số <số hiệu>" there is that directive: its number is read from the lead, its
  date from "Ngày 14-11-2016, … ban hành <loại> số …" in the same sentence, with a lower confidence than a
  header's.
- Its trích yếu is the page heading when that heading begins with the kind word ("Hướng dẫn tuyên truyền …",
  "Nghị quyết của <cơ quan> về …"), the issuer's name before "về" left out.
"""

from __future__ import annotations

import re
from datetime import date

from intake.model import Draft, Found
from intake.words import KIND_WORDS, NUMBER, clean, kind_word

__all__ = ["read_lead"]

_NAMED = re.compile(r"(?i)\b(?P<kind>" + "|".join(sorted(KIND_WORDS, key=len, reverse=True)) + r")\s+số\s+")
_DATE = re.compile(r"(?i)\bngày\s+(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\b[^.]*?\bban hành\s+$")


def read_lead(draft: Draft) -> None:
    """Number, date and trích yếu of a directive printed under a lead that announces its full text."""
    if draft.number is not None or draft.kind is not None:
        return
    lines = [ln for ln in draft.lines if clean(ln.text)][:8]
    for line in lines:
        text = clean(line.text)
        if "toàn văn" not in text.lower():
            continue
        for m in _NAMED.finditer(text):
            n = NUMBER.match(text, m.end())
            if n is None:
                continue
            body = re.sub(r"\s*[-–]\s*", "-", n["body"])
            draft.number = Found(f"{n['serial']}-{n['kind']}/{body}", line.number, text[m.start(): n.end()], 0.8)
            draft.kind = Found(n["kind"], line.number, m["kind"], 0.8)
            if d := _DATE.search(text[: m.start()]):
                try:
                    day = date(int(d[3]), int(d[2]), int(d[1]))
                except ValueError:
                    pass
                else:
                    draft.issued_on = Found(day, line.number, d.group(0).strip(), 0.8)
            _title(draft, lines[0].number, clean(lines[0].text), m["kind"])
            return


def _title(draft: Draft, number: int, heading: str, kind: str) -> None:
    found = kind_word(heading)
    if draft.title is not None or found is None or found[0].lower() != kind.lower() or not found[2]:
        return
    title = re.sub(r"(?i)^của\s.+?\svề\s+", "", found[2])
    draft.title = Found(title[:1].upper() + title[1:], number, heading, 0.75)
