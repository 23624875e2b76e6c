"""The parts of a document around its body: header, trích yếu, Nơi nhận and the signature block.

Rules:
- The kind line is the first line that begins with a kind word in capitals (KẾ HOẠCH, HƯỚNG DẪN, QUYẾT ĐỊNH…),
  compared without tone marks and inner spaces ("K ÉT LUẬN" from a PDF), or in running case right below the
  header lines of a copy that lost its capitals ("Kế hoạch Tổ chức …"); the trích yếu is what follows it on that
  line and the next lines until a blank line or the first "Căn cứ", "Thực hiện", "Để …" paragraph; a paragraph
  (over 250 characters) or a capitalised line after the title already wrapped onto a lowercase line ends it, and
  a "CỦA <cơ quan>" line under the kind word names the issuer, not the subject.
- Issuing body: the last line in capitals above the kind line (without one: above the number and date lines)
  that is neither the national motto, the number nor the date; the capitals line above it is the parent body.
  A table cell cut over two lines ("BAN CHẤP" / "HÀNH TRUNG ƯƠNG |") is joined back; a header that lost its
  capitals names its body with a body word ("ban chấp hành tỉnh Hà Tây").
- Number: the Party way is normalised ("109 - KH/ĐTN" → 109-KH/ĐTN); the state way is kept as written
  ("50/KH-ĐTN"). Place: the capitalised words before ", ngày", with a district's number ("Quận 6").
  A number or a date printed as a form and left blank ("Số: KH/TĐ", "ngày   tháng 8 năm 2007") is no value:
  it is kept in `Draft.blanks` so the gap says so; the place before such a date is still read.
- The trích yếu goes on past a blank line when its next line starts in lowercase, follows a comma or "và", or
  continues a title set in capitals; its first line may begin "Thực hiện …" when it is short and cites nothing.
- Nơi nhận: the "-" lines after "Nơi nhận"; a line marked "b/c", "báo cáo", "để b/c" starts the group of
  recipients that receive for information; with no mark, bodies above the issuer (Trung ương; the Tỉnh ủy
  for a Đoàn plan) are taken as "b/c" with a lower confidence.
- Signature block: a T/M, K/T or T/L line (also written TM., KT, TL.), the title on the next line, the name
  on the first following line that is not "Đã ký".
"""

from __future__ import annotations

import re
from datetime import date

from intake.model import Draft, Flag, Found, Line, Recipient, SignerFound
from intake.text import place_start
from intake.words import KIND_WORDS, NUMBER, STATE_NUMBER, clean, fold, kind_word, proper, repair

__all__ = ["read_header", "read_recipients", "read_signers"]

_MOTTO = re.compile(r"^(đảng cộng sản việt nam|cộng hòa xã hội chủ nghĩa việt nam|độc lập - tự do - hạnh phúc|"
                    r"đoàn tncs hồ chí minh|đoàn thanh niên cộng sản hồ chí minh)$")
_DATE_LINE = re.compile(r"(?P<place>[^\W\d_][\w\- ]{0,60}?)\s*,\s*ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+"
                        r"năm\s+(?P<y>\d{4})")
# A form printed before the number and the day were written in ("Số: KH/TĐ", "ngày   tháng 8 năm 2007").
_BLANK_NUMBER = re.compile(r"\bSố\s*:?\s*(?P<kind>[A-ZĐ]{1,6})\s*/\s*(?P<body>[A-ZĐƯ][A-ZĐƯ\-]*)\s*$")
_BLANK_DATE = re.compile(r"(?P<place>[^\W\d_][\w\- ]{0,60}?)\s*,\s*ngày\s+(?:tháng\s+\d{1,2}|\d{1,2}\s+tháng)?\s*"
                         r"(?:tháng\s+)?năm\s+\d{4}")
# Lines of a header that lost its capitals still name a body with these words ("ban chấp hành tỉnh Hà Tây").
_BODY_WORDS = re.compile(r"^(ban chấp hành|ban thường vụ|ban bí thư|tỉnh ủy|thành ủy|huyện ủy|thị ủy|đảng ủy|tỉnh đoàn|"
                         r"thành đoàn|huyện đoàn|đoàn trường|ban chấp hành đoàn)\b")
_INTRO = re.compile(r"^(căn cứ|thực hiện|để |nhằm |theo |thi hành|tiếp tục thực hiện|triển khai)", re.IGNORECASE)
_ROMAN = re.compile(r"^[IVX]+\s*[.\-/]")


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def read_header(draft: Draft) -> int:
    """Read number, kind, issuing and parent body, place and date, trích yếu; return the index of the body start."""
    lines = draft.lines
    kind_at = _kind_line(draft)
    for line in lines[: (kind_at or 0) + 12]:
        text = clean(line.text)
        m = re.search(r"\bSố\s*:?\s*", text) if draft.number is None else None
        if m and (n := NUMBER.match(text, m.end())):
            body = re.sub(r"\s*[-–]\s*", "-", n["body"])
            value = f"{n['serial']}-{n['kind']}/{body}"
            draft.number = Found(value, line.number, text[m.start(): n.end()], 0.95)
        elif m and (n := STATE_NUMBER.match(text, m.end())):
            value = re.sub(r"\s+", "", n.group(0))
            draft.number = Found(value, line.number, text[m.start(): n.end()], 0.9)
        if draft.number is None and (b := _BLANK_NUMBER.search(text)):
            draft.blanks.setdefault("number", Found(b.group(0).strip(), line.number, b.group(0).strip(), 0.9))
        if draft.issued_on is None and (b := _BLANK_DATE.search(text)) and not _DATE_LINE.search(text):
            draft.blanks.setdefault("issued_on", Found(b.group(0).strip(), line.number, b.group(0).strip(), 0.9))
            if draft.place is None and (place := _place(b.group(0), b.group(0).index(","))):
                draft.place = Found(place, line.number, b.group(0).strip(), 0.8)
        if draft.issued_on is None and (d := _DATE_LINE.search(text)):
            try:
                day = date(int(d["y"]), int(d["m"]), int(d["d"]))
            except ValueError:
                draft.flags.append(Flag(line.number, f"ngày ban hành “{d.group(0)}” không có trên lịch"))
            else:
                # Capitalised words before the date, not the tail of a number printed on the same line.
                place = _place(text, text.index(",", d.start("place")))
                draft.issued_on = Found(day, line.number, d.group(0).strip(), 0.95)
                if place:
                    draft.place = Found(place, line.number, d.group(0).strip(), 0.9)
    _read_bodies(draft, kind_at)
    if draft.number is not None and draft.kind is not None:
        written = _kind_of(draft.number.value)
        if written != draft.kind.value and not written.startswith(draft.kind.value):
            draft.flags.append(Flag(draft.number.line, f"số hiệu {draft.number.value} ghi loại {written} nhưng tên "
                                                       f"loại văn bản là “{draft.kind.quote}”"))
        elif written != draft.kind.value:
            draft.kind = Found(written, draft.number.line, draft.number.quote, 0.9)
    elif draft.number is not None:
        written = _kind_of(draft.number.value)
        draft.kind = Found(written, draft.number.line, draft.number.quote, 0.8)
    if kind_at is None:
        return 0
    return _read_title(draft, kind_at)


def _kind_line(draft: Draft) -> int | None:
    """The index of the kind line (module rules); a page that repeats the kind and title above the header (a
    portal's title) has its own kind line below the number and date lines, and that one is the document's."""
    candidates: list[tuple[int, tuple[str, str, str]]] = []
    header_only = True  # every line so far is a header line: motto, body, number or date
    for i, line in enumerate(draft.lines):
        text = clean(line.text)
        if _ROMAN.match(text):
            break
        found = kind_word(text)
        # In capitals anywhere above the first heading; in running case only right below the header (a copy that
        # lost its capitals), followed by the title's capital or nothing ("Kế hoạch Tổ chức lễ …").
        if found and (_capitals(found[1]) or (header_only and i > 0 and (not found[2] or found[2][:1].isupper()))):
            candidates.append((i, found))
        if text and not _header_line(text):
            header_only = False
    if not candidates:
        return None
    at, found = candidates[0]
    if len(candidates) > 1 and any(re.match(r"^Số\b", t) or _DATE_LINE.search(t) or _BLANK_DATE.search(t) for t in
                                   (clean(ln.text) for ln in draft.lines[at + 1: candidates[1][0]])):
        at, found = candidates[1]
    line = draft.lines[at]
    draft.kind = Found(KIND_WORDS[found[0]], line.number, found[1], 0.9 if _capitals(found[1]) else 0.7)
    return at


def _kind_of(number: str) -> str:
    """The kind code inside a number: "47-KH/TU" and "50/KH-ĐTN" both say KH."""
    m = re.match(r"\d+-([^/]+)/", number) or re.match(r"\d+/([^/\-]+)", number)
    return m[1] if m else ""


def _place(text: str, comma: int) -> str:
    """The place before ", ngày" (text.place_start), not the tail of a number printed on the same line."""
    return text[place_start(text, comma): comma].strip()


def _header_line(text: str) -> bool:
    """A line a header is made of: the motto, a body's name, the number, the date line, a separator."""
    low = fold(text)
    return bool(_MOTTO.match(low) or _BODY_WORDS.match(low) or _capitals(text) or re.match(r"^Số\b", text)
                or _DATE_LINE.search(text) or _BLANK_DATE.search(text) or set(text) <= set("-_*=—"))


def _header_lines(draft: Draft, kind_at: int | None) -> list[Line]:
    """The lines above the kind line (or, without one, down to the number and date lines), with a table cell cut
    over two lines ("BAN CHẤP" / "HÀNH TRUNG ƯƠNG |") joined back."""
    if kind_at is None:
        marks = [f.line for f in (draft.number, draft.issued_on) if f is not None]
        end = next((i + 1 for i, ln in enumerate(draft.lines) if marks and ln.number == max(marks)), 0)
    else:
        end = kind_at
    out: list[Line] = []
    for line in draft.lines[:end]:
        text = line.text.strip()
        if (out and not out[-1].text.endswith("|") and text.endswith("|") and _capitals(out[-1].text)
                and _capitals(text)):
            out[-1] = Line(out[-1].number, f"{out[-1].text} {text}")
        else:
            out.append(Line(line.number, text))
    return out


def _read_bodies(draft: Draft, kind_at: int | None) -> None:
    bodies: list[Line] = []
    for line in _header_lines(draft, kind_at):
        text = clean(line.text)
        if (_MOTTO.match(fold(text)) or NUMBER.search(text) or _DATE_LINE.search(text) or _BLANK_DATE.search(text)
                or re.match(r"^Số\b", text)):
            continue
        if not _capitals(text):
            if _BODY_WORDS.match(fold(text)) and len(text) < 80:
                bodies.append(Line(line.number, text))  # a header that lost its capitals
            continue
        text = re.split(r"\s{3,}|\|", line.text.strip())[0].strip(" |*")
        if _capitals(text) and not _MOTTO.match(fold(text)):
            bodies.append(Line(line.number, clean(text)))
    if bodies:
        draft.issuer = Found(proper(bodies[-1].text), bodies[-1].number, bodies[-1].text, 0.85)
    if len(bodies) > 1:
        draft.parent_body = Found(proper(bodies[-2].text), bodies[-2].number, bodies[-2].text, 0.8)


def _read_title(draft: Draft, kind_at: int) -> int:
    lines = draft.lines
    found = kind_word(clean(lines[kind_at].text))
    parts: list[str] = [found[2]] if found and found[2] else []
    first = lines[kind_at].number
    i = kind_at + 1
    while i < len(lines) and not parts:
        if clean(lines[i].text):
            break
        i += 1
    while i < len(lines):
        text = clean(lines[i].text)
        if not text and parts and _continues(parts, _next_text(lines, i)):
            i += 1
            continue
        if parts and text and _ends_title(parts, text):
            break
        starts_title = not parts and len(text) < 160 and not re.search(r"(?i)như sau|\bsố\s+\d", text)
        lower = text[:1].islower()
        if (not text or set(text) <= set("-_*=—") or (_INTRO.match(text) and not starts_title and not lower)
                or _ROMAN.match(text) or re.match(r"^\d+\.\s", text)):
            if parts:
                break
            if _INTRO.match(text) or _ROMAN.match(text):
                break
            i += 1
            continue
        parts.append(text)
        i += 1
        if len(parts) >= 6:
            break
    quote = " ".join(parts)
    if len(parts) > 1 and _capitals(parts[0]) and fold(parts[0]).startswith("của "):
        parts = parts[1:]  # "CỦA ĐOÀN THANH NIÊN …" under the kind word names the issuer, not the subject
    title = " ".join(parts).strip(" *")
    if title:
        title = proper(title) if _capitals(title) else " ".join(_cased(p, k == 0) for k, p in enumerate(parts))
        title = repair(title.strip(" *"))
        draft.title = Found(title[0].upper() + title[1:], first, quote, 0.85)
    return i


# A wrapped title line cannot end on these words: the next line completes it.
_OPEN_END = re.compile(r"(?i)(?:,|\bvà|\bcủa|\bvề|\bvới|\bcho|\bcác|\bnhững|\btại|\btrong|\bthực hiện|"
                       r"\btriển khai|[-–])$")


def _ends_title(parts: list[str], text: str) -> bool:
    """A paragraph (over 250 characters), or a line in running case that starts with a capital after the title
    has already wrapped onto a lowercase line, begins the body: "Hội nghị … họp" after "định hướng đến năm 2030"."""
    if len(text) > 250:
        return True
    wrapped = any(p[:1].islower() for p in parts[1:])
    return (wrapped and text[:1].isupper() and not _capitals(text) and not _OPEN_END.search(parts[-1])
            and not _capitals(parts[-1]))


def _cased(part: str, first: bool) -> str:
    """One line of a title mixing capitals and running case, in running case."""
    if not _capitals(part):
        return part
    out = proper(part)
    words = out.split()
    if not first and len(words) > 1 and words[1][:1].islower():
        out = out[:1].lower() + out[1:]
    return out


def _next_text(lines: list[Line], i: int) -> str:
    return next((clean(ln.text) for ln in lines[i:] if clean(ln.text)), "")


def _continues(parts: list[str], following: str) -> bool:
    """A trích yếu goes on past a blank line when its next line starts in lowercase, when the last line ends on a
    comma or "và", or when both are in capitals (a title set in capitals line by line)."""
    if not following or _ROMAN.match(following) or re.match(r"^\d+\.\s", following) or set(following) <= set("-_*=—"):
        return False
    last = parts[-1]
    return (following[:1].islower() or last.endswith(",") or last.endswith(" và")
            or (_capitals(last) and _capitals(following)))


_BC_MARK = re.compile(r"(?:\s{2,}|\s*[,(]\s*|\s+)(?:để\s+)?(?:b/c|bc|báo cáo)\)?\s*[,;.]?\s*$", re.IGNORECASE)
_UPPER = re.compile(r"trung ương|\btw\b|\btư\b|chính phủ|bộ chính trị|ban bí thư")


def read_recipients(draft: Draft) -> None:
    """The Nơi nhận list, "b/c" recipients apart (see the module rules)."""
    lines = draft.lines
    start = next((i for i, ln in enumerate(lines) if re.match(r"^\s*nơi nhận\b", ln.text, re.IGNORECASE)), None)
    if start is None:
        return
    items: list[tuple[Line, str, bool]] = []
    for line in lines[start + 1:]:
        text = clean(line.text)
        if not text:
            continue
        if not re.match(r"^[-+•]", text):
            if items and (re.match(r"^(t/m|tm\b|k/t|kt\b|t/l|tl\b)", text, re.IGNORECASE) or _capitals(text)):
                break
            if items:
                break
            continue
        name = text.lstrip("-+• ").strip()
        marked = bool(_BC_MARK.search(name)) and not re.fullmatch(r"(?i)báo cáo", name)
        name = _BC_MARK.sub("", name) if marked else name
        name = name.rstrip(" ,;.").strip()
        if name:
            items.append((line, name, marked))
    marks = [i for i, (_, _, m) in enumerate(items) if m]
    bc_index: set[int] = set()
    if len(marks) == 1:
        bc_index = set(range(marks[0] + 1))
        for j in range(marks[0] + 1, len(items)):
            if not _UPPER.search(fold(items[j][1])):
                break
            bc_index.add(j)
    elif marks:
        bc_index = set(range(marks[0], marks[-1] + 1))
    issuer = fold(draft.issuer.value) if draft.issuer else ""
    doan_issuer = "đoàn" in issuer or any(s.body and "đoàn" in fold(s.body.value) for s in draft.signers)
    if draft.number is not None and "ĐTN" not in draft.number.value.split("/", 1)[1].split("-")[0]:
        doan_issuer = False  # a joint plan with a Party body ("89-KHPH/BTC-TĐTN"): its Tỉnh ủy is no superior
    for j, (line, name, marked) in enumerate(items):
        low = fold(name)
        inferred = not marks and (
            bool(_UPPER.search(low))
            or (re.search(r"(thường trực|ban thường vụ) tỉnh ủy", low) is not None and "tỉnh ủy" not in issuer)
            or (doan_issuer and re.search(r"tỉnh ủy|\btu\b", low) is not None and "phòng" not in low
                and not any(s.body and "tỉnh ủy" in fold(s.body.value) for s in draft.signers)))
        bc = j in bc_index or inferred
        confidence = 0.9 if marked else (0.75 if bc else 0.85)
        draft.recipients.append(Recipient(Found(name, line.number, clean(line.text), confidence), bc, marked))


_FORM = re.compile(r"^(?P<form>T\s*/\s*M|TM|K\s*/\s*T|KT|T\s*/\s*L|TL)\b\.?\s*(?P<body>.*)$")
_SIGNED = re.compile(r"^\(?\s*(đã ký|đã kí|ký|kí|ký tên|ký và đóng dấu|ký tên, đóng dấu)[^)]*\)?$", re.IGNORECASE)


def read_signers(draft: Draft) -> None:
    """Each signature block: form, body signed for, title, name."""
    lines = draft.lines
    i = 0
    while i < len(lines):
        text = clean(lines[i].text)
        m = _FORM.match(text)
        if not m or not _capitals(text):
            i += 1
            continue
        form = m["form"].replace(" ", "")
        form = {"TM": "T/M", "KT": "K/T", "TL": "T/L"}.get(form, form)
        body = m["body"].strip()
        found_form = Found(form, lines[i].number, text, 0.95)
        found_body = Found(proper(body), lines[i].number, text, 0.85) if body else None
        title = name = None
        j = i + 1
        while j < len(lines) and j <= i + 12:
            t = clean(lines[j].text)
            if not t or _SIGNED.match(t) or re.fullmatch(r"(?i)page\s*\d*", t):
                j += 1
                continue
            if _FORM.match(t) and _capitals(t) or re.match(r"(?i)^nơi nhận", t):
                break
            if title is None and _capitals(t):
                title = Found(proper(t), lines[j].number, t, 0.9)
            elif title is not None and len(t.split()) <= 6 and all(w[:1].isupper() for w in t.split()):
                name = Found(t, lines[j].number, t, 0.9)
                break
            else:
                break
            j += 1
        draft.signers.append(SignerFound(found_form, found_body, title, name))
        i = j + 1 if name else i + 1
