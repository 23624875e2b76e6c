"""The body of a document: what it implements, its phases, deadlines and who owes them, the event it organises.

Rules:
- References: in the paragraphs that begin "Căn cứ", "Thực hiện", "Để góp phần thực hiện", each
  "<loại> số <số hiệu>, ngày <ngày> của <cơ quan> về …" is a parent directive.
- References are also read in any paragraph before the first Roman heading that says "căn cứ", "thực hiện"
  or "quán triệt" (its lines joined: a line wrapped by hand cuts a citation from its date); "Đề án" is cited too,
  and a state number with its year ("08/2022/QĐ-UBND"); a number written the state way ("05/KH- UBH") or only
  as a serial ("Kế hoạch số 155, ngày …") is kept as written.
- Deadlines: every date, month, quarter or "hàng năm" in a sentence is a candidate; the longest phrase
  around it that `schedules.parse_deadline` (the plan language's grammar) reads is the deadline, as
  written (a weekday with its day included); a range written without its "từ" ("24/9/2018 đến ngày
  27/10/2018") is read with it, the written form kept beside it. A date right after a document number
  ("số 04-NQ/TW, ngày 30/10/2016") is that document's date.
  The document's own date line is no deadline, nor is a bare day already past when it was signed
  ("Hội nghị họp ngày 26/4/2022"); "trước ngày …" before the issue day stays, flagged as a misprint.
  "hàng năm" earlier in the same clause makes the deadline yearly.
- Two dates in parentheses joined by a dash ("(23/11/1922 - 23/11/2022)") are an anniversary, and a date with
  no word around it (a page's "Thứ hai - 04/07/2022 04:34") a stamp: neither is a deadline.
- Who owes it: unit kinds named in the clause, else in the sentence, else in the numbered heading above;
  bodies named after "gửi về" / "qua" receive the report and are not owners.
- A deadline sentence about the pilot, its review, the rollout or the close (and not about a report) dates
  that phase; a "Thời gian:" line dates the event, with "Địa điểm:" its place.
"""

from __future__ import annotations

import re
from datetime import date

from errors import DeadlineError
from intake.model import Deadline, Draft, Flag, Found, Line, Parent
from intake.quotas import read_participants, read_quota_rules, read_total
from intake.words import clean, fold, unit_kinds
from schedules import WorkingCalendar, parse_deadline
from schedules.phrases import WEEKDAY, weekday_mismatch

__all__ = ["read_body"]

_REF_KINDS = (r"Nghị quyết|Chỉ thị|Kết luận|Kế hoạch liên tịch|Kế hoạch phối hợp|Kế hoạch|Hướng dẫn|Quy định|"
              r"Công văn|Quyết định|Thông báo|Chương trình hành động|Chương trình|Thông tri|Điều lệ|Đề án")
# A cited number: the Party way ("04-NQ/TW", "298 KH/TWĐTN"), the state way ("05/KH- UBH"), or a bare serial
# right after "số" when the text gives no more ("Kế hoạch số 155, ngày 07/7/2019").
_REF = re.compile(rf"(?P<kind>{_REF_KINDS})\s+(?:số\s+)?(?P<num>\d{{1,5}}/\d{{4}}/[A-ZĐ]{{1,6}}-[A-ZĐ]+"
                  rf"|\d{{1,5}}\s*/\s*[A-ZĐ]{{1,6}}\s*[-–]\s*[A-ZĐƯ][\wĐđ]*"
                  r"|\d{1,5}\s*[-–]?\s*[A-ZĐ][A-Za-zĐđ]{1,5}\s*/\s*[A-ZĐƯ][\wĐđ\-–]*|(?<=số\s)\d{1,5}(?=\s*,?\s*ngày\b))",
                  re.IGNORECASE)
# Words that make a dated phrase a deadline rather than the day something happened ("họp ngày 26/4/2022").
_DUE_WORDS = re.compile(r"(?i)\b(trước|chậm nhất|muộn nhất|hạn|hoàn thành|đến|tới|trong|từ|hết|cuối|hàng|hằng|mỗi)\b")
_REF_DATE = re.compile(r"^\s*,?\s*(?:ban hành\s+)?ngày\s+(\d{1,2})\s*(?:/|\s+tháng\s+)\s*(\d{1,2})\s*(?:/|\s+năm\s+)"
                       r"\s*(\d{4})")
_REF_ISSUER = re.compile(r"^\s*,?\s*(?:của|giữa)\s+(?P<who>.+?)(?=\s+(?:về|“|\"|ban hành|nhằm)\b|[“\",;(]|$)")
_INTRO = re.compile(r"^\s*[-–]?\s*(căn cứ|thực hiện|để góp phần thực hiện|để|tiếp tục thực hiện|triển khai)\b",
                    re.IGNORECASE)
_ANCHOR = re.compile(
    r"\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?(?![\d/])|\d{1,2}[.-]\d{1,2}[.-]\d{4}|ngày\s+\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?"
    r"|tháng\s+\d{1,2}(?:\s*[/.-]\s*\d{4}|\s+năm\s+\d{4})?|quý\s+[IVX1-4]+(?:/\d{4})?|\d+\s+ngày\s+làm\s+việc",
    re.IGNORECASE)
_DOC_DATE_BEFORE = re.compile(r"(?:\d+\s*[-–]?\s*[A-ZĐ]+/[\wĐđ\-]+|\d+\s*/\s*[A-ZĐ]+\s*[-–]\s*[\wĐđ]+|\bsố\s+\d+)"
                              r"\s*,?\s*(?:ngày\s*)?$")
_DAY = r"(?:ngày\s+)?\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{4}"
_SPAN = re.compile(rf"\(\s*{_DAY}\s*[-–]\s*{_DAY}\s*\)", re.IGNORECASE)
_YEARLY = re.compile(r"\b(hàng|hằng|mỗi) năm\b", re.IGNORECASE)
_PHASES = [("pilot", r"chỉ đạo điểm|thí điểm"), ("review", r"rút kinh nghiệm|sơ kết"),
           ("rollout", r"toàn đảng bộ|nhân rộng|đại trà|triển khai (?:trong )?toàn"), ("close", r"tổng kết")]
_RECEIVER = re.compile(r"\((?:qua|thông qua)[^)]*\)|(?:gửi\s+)?về\s+(?:ban|văn phòng|thường trực|tỉnh|huyện)[^(,;]*|"
                       r"\bqua\s+ban\s[^,;)]*", re.IGNORECASE)
_KEEP = frozenset({"trước", "từ", "trong", "chậm", "nhất", "muộn", "hạn", "chót", "đến", "tới", "hết", "cuối", "ngày",
                   "sau", "hàng", "hằng", "mỗi", "quý", "tháng"})
_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.|[a-zđ]\))\s+\S")


def read_body(draft: Draft, start: int, calendar: WorkingCalendar) -> None:
    """References, deadlines, phases, event, pilot rule and dateless assignments of the body (module rules)."""
    issued = draft.issued_day
    heading_owners: tuple[list[str], list[str]] = ([], [])
    in_intro = True
    for paragraph, starts in _intro_paragraphs(draft, start):
        if _INTRO.match(paragraph) or re.search(r"(?i)\b(căn cứ|thực hiện|quán triệt)\b", paragraph):
            _read_references(draft, paragraph, starts)
    for line in draft.lines[start:]:
        text = clean(line.text)
        if not text:
            continue
        if re.match(r"(?i)^nơi nhận\b", text) or re.match(r"^(T/M|TM\.?|K/T|KT|T/L|TL\.?)\s+[A-ZĐ]", text):
            break
        if not in_intro and re.match(r"(?i)^-?\s*căn cứ\b", text):
            _read_references(draft, text, [(0, line.number)])
        if re.match(r"^[IVX]+\s*[.\-]", text):
            in_intro = False
        if _HEADING.match(text):
            heading_owners = unit_kinds(_RECEIVER.sub(" ", text)) if len(text) < 200 else ([], [])
        _read_extras(draft, line.number, text)
        _read_deadlines(draft, line.number, text, issued, calendar, heading_owners)
    read_participants(draft)
    _check_weekdays(draft)


def _intro_paragraphs(draft: Draft, start: int) -> list[tuple[str, list[tuple[int, int]]]]:
    """The paragraphs before the first Roman heading, their lines joined (lines wrapped by hand cut a citation
    from its date or its kind word), each with (offset, line number) of its lines."""
    out: list[tuple[str, list[tuple[int, int]]]] = []
    text, starts = "", list[tuple[int, int]]()
    for line in [*draft.lines[start:], Line(0, "")]:
        piece = clean(line.text)
        if not piece or re.match(r"^[IVX]+\s*[.\-]", piece) or re.match(r"(?i)^nơi nhận\b", piece):
            if text:
                out.append((text, starts))
            text, starts = "", list[tuple[int, int]]()
            if piece:
                break
            continue
        starts.append((len(text) + (1 if text else 0), line.number))
        text = f"{text} {piece}" if text else piece
    return out


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    return next(number for at, number in reversed(starts) if at <= offset)


def _read_references(draft: Draft, text: str, starts: list[tuple[int, int]]) -> None:
    found_refs = list(_REF.finditer(text))
    for index, m in enumerate(found_refs):
        number = _line_at(starts, m.start())
        num = re.sub(r"\s*[-–]\s*", "-", re.sub(r"\s*/\s*", "/", m["num"]))
        num = re.sub(r"^(\d+)\s+", r"\1-", num)
        if any(p.number.value == num for p in draft.parents) or (draft.number and draft.number.value == num):
            continue  # cited twice, or the document's own number (named by a portal's lead)
        # What follows a number, up to the next reference, says its date, issuer and title.
        tail = text[m.end(): found_refs[index + 1].start() if index + 1 < len(found_refs) else m.end() + 400]
        day = issuer = title = None
        if d := _REF_DATE.match(tail):
            try:
                day = Found(date(int(d[3]), int(d[2]), int(d[1])), number, d.group(0).strip(" ,"), 0.9)
            except ValueError:
                draft.flags.append(Flag(number, f"ngày “{d.group(0).strip(' ,')}” của {num} không có trên lịch"))
            tail = tail[d.end():]
        if w := _REF_ISSUER.match(tail):
            who = w["who"].strip()
            issuer = Found(who[0].upper() + who[1:], number, w.group(0).strip(" ,"), 0.8)
            tail = tail[w.end():]
        if t := re.match(r"^\s*,?\s*(?:khóa \w+\s*)?(?:về việc|về)?\s*[“\"](?P<t>[^”\"]+)[”\"]", tail):
            title = Found(t["t"].strip(), number, t.group(0).strip(), 0.7)
        elif t := re.match(r"^\s*,?\s*(?:về việc|về)\s+(?P<t>[^;.]+?)(?=[;.]|,\s*(?:Ban|Ủy|Tỉnh|Huyện|Đảng|Thành)\b|$)",
                           tail):
            title = Found(t["t"].strip(" ,"), number, t.group(0).strip(), 0.6)
        found = Found(num, number, m.group(0)[:120], 0.9)
        draft.parents.append(Parent(found, m["kind"], day, issuer, title))
        if day is not None and draft.issued_day is not None and day.value > draft.issued_day:
            draft.flags.append(Flag(number, f"văn bản {num} ghi ngày {day.quote}, sau ngày ban hành của chính "
                                            "văn bản này"))


def _read_extras(draft: Draft, number: int, text: str) -> None:
    low = fold(text)
    if draft.event_place is None and (m := re.match(r"^(?:[-\d.]+\s*)?địa điểm\s*:\s*(.+)$", low)):
        at = text.lower().find(m[1][:5])
        place = text[at:].strip(" .") if at >= 0 else m[1]
        draft.event_place = Found(place, number, text, 0.85)
    if draft.delegates is None and (total := read_total(text)):
        draft.delegates = Found(total[0], number, total[1], 0.85)
    read_quota_rules(draft, number, text)
    if m := re.search(r"khen thưởng\s+(\d{1,4})\s+tập thể\s+(?:và|,)\s+(\d{1,4})\s+cá nhân", low):
        draft.awards.setdefault("tap_the", Found(int(m[1]), number, m.group(0), 0.85))
        draft.awards.setdefault("ca_nhan", Found(int(m[2]), number, m.group(0), 0.85))
    if draft.pilot_group_kinds is None and "chỉ đạo điểm" in low and (
            m := re.search(r"(?:ít nhất|mỗi[^.;]*?)\s*(\d{1,2})\s+chi bộ", low)):
        kinds, _ = unit_kinds(text[: text.lower().find("chỉ đạo điểm")])
        group = [k for k in kinds if k not in ("chi_bo", "chi_bo_co_so", "dang_bo_co_so")]
        if group:
            draft.pilot_group_kinds = Found((group, int(m[1])), number, m.group(0), 0.7)
    if re.match(r"^-?\s*giao\s", low) and not _ANCHOR.search(text):
        draft.tasks.append(Found(text.lstrip("- "), number, text, 0.7))


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r";\s*|(?<=[a-zđ\)”\"])\.\s+(?=[A-ZĐ])", text) if c.strip()]


def _accepted(phrase: str, issued: date | None, calendar: WorkingCalendar) -> bool:
    try:
        parse_deadline(phrase, issued_on=issued, calendar=calendar)
    except DeadlineError:
        return False
    return True


def _phrase_at(clause: str, start: int, end: int, issued: date | None,
               cal: WorkingCalendar) -> tuple[str, str] | None:
    """The longest phrase around clause[start:end] that the deadline grammar reads, and that phrase as written.
    A range written without its opening word ("24/9/2018 đến ngày 27/10/2018") is read as the grammar has it,
    with "từ" ("từ 24/9/2018 đến ngày 27/10/2018"); the written phrase stays the document's."""
    lefts = [m.start() for m in re.finditer(r"\S+", clause[:start])][-8:]
    lefts = [*lefts, start]
    rights = [end] + [end + m.end() for m in re.finditer(r"\S+", clause[end:])][:4]
    opening = None
    if re.match(r"(?i)\s+(?:đến|tới)\b", clause[end:]) and not re.search(r"(?i)\btừ\s+(?:ngày\s+)?$", clause[:start]):
        opening = start - 5 if re.search(r"(?i)ngày\s$", clause[:start]) else start
    for left in lefts:
        for right in sorted(rights, reverse=True):
            phrase = clause[left:right].strip(" ,;.:()")
            if phrase.count("(") > phrase.count(")") and clause.startswith(phrase + ")", clause.find(phrase)):
                phrase += ")"  # "ngày 24/10/2019 (thứ năm)" keeps the weekday's closing parenthesis
            if phrase and _accepted(phrase, issued, cal):
                return _shortest(phrase, issued, cal), ""
            if opening is not None and left <= opening < right:
                added = (clause[left:opening] + "từ " + clause[opening:right]).strip(" ,;.:()")
                if _accepted(added, issued, cal):
                    readable = _shortest(added, issued, cal)
                    return readable, re.sub(r"^(.*?)từ ", r"\1", readable, count=1)
    return None


def _shortest(phrase: str, issued: date | None, cal: WorkingCalendar) -> str:
    """Drop lead-in words the grammar ignores ("hoàn thành", "dự kiến") while the meaning stays the same; a
    weekday written with the day stays (the grammar checks it against the date)."""
    meaning = parse_deadline(phrase, issued_on=issued, calendar=cal)
    words = phrase.split(" ")
    best = phrase
    for k in range(1, len(words)):
        if words[k - 1].lower().strip(",") in _KEEP or re.match(rf"(?i){WEEKDAY}", " ".join(words[k - 1:])):
            break  # "trước", "từ", "trong" change the meaning even where the instant happens to agree
        shorter = " ".join(words[k:]).strip(" ,;.:")
        try:
            found = parse_deadline(shorter, issued_on=issued, calendar=cal)
        except DeadlineError:
            continue
        if (found.due, found.opens, found.recurrence) == (meaning.due, meaning.opens, meaning.recurrence):
            best = shorter
    return best


def _read_deadlines(draft: Draft, number: int, text: str, issued: date | None, cal: WorkingCalendar,
                    heading: tuple[list[str], list[str]]) -> None:
    if draft.issued_on is not None and number == draft.issued_on.line:
        return  # the document's own date line ("Hà Nội, ngày 25 tháng 8 năm 2021")
    line_owners = unit_kinds(_RECEIVER.sub(" ", text))
    for clause in _clauses(text):
        # An anniversary "(23/11/1922 - 23/11/2022)" names two days, neither of them due.
        taken: list[tuple[int, int]] = [m.span() for m in _SPAN.finditer(clause)]
        for m in _ANCHOR.finditer(clause):
            if any(a <= m.start() < b for a, b in taken) or _DOC_DATE_BEFORE.search(clause[: m.start()]):
                continue
            if re.match(r"\s*[-–]\s*(KH|NQ|CT|KL|HD|QĐ)", clause[m.end():]):
                continue  # a number such as "05-CT/TW" read as a day and month
            read = _phrase_at(clause, m.start(), m.end(), issued, cal)
            if read is None:
                continue
            phrase, written = read
            at = clause.find(written or phrase)
            taken.append((at, at + len(written or phrase)))
            if not re.search(r"[^\W\d_]{2,}", clause[:at] + clause[at + len(written or phrase):]):
                continue  # a date with no words around it is a page's stamp, not a deadline
            recurring = False
            if not _YEARLY.search(phrase) and _YEARLY.search(clause[:at]):
                yearly = f"hàng năm, {phrase}"
                if _accepted(yearly, issued, cal):
                    phrase, recurring = yearly, True
            recurring = recurring or bool(re.search(r"(?i)\b(hàng|hằng|mỗi) (năm|tháng|quý)", phrase))
            _add_deadline(draft, number, text, clause, (phrase, written), recurring, line_owners, heading, issued, cal)


def _add_deadline(draft: Draft, number: int, text: str, clause: str, read: tuple[str, str], recurring: bool,
                  line_owners: tuple[list[str], list[str]], heading: tuple[list[str], list[str]],
                  issued: date | None, cal: WorkingCalendar) -> None:
    phrase, written = read
    if issued is not None and not recurring and not _DUE_WORDS.search(phrase):
        found = parse_deadline(phrase, issued_on=issued, calendar=cal)
        moment = found.due or found.opens
        if moment is not None and moment.date() < issued:
            return  # a day already past when the document was signed is what happened then, not a deadline
    low = fold(clause)
    owners = unit_kinds(_RECEIVER.sub(" ", clause))
    if not owners[0]:
        owners = line_owners if line_owners[0] else heading
    kind = "report" if "báo cáo" in low else ("plan" if "xây dựng kế hoạch" in low else "activity")
    role = "obligation"
    if re.match(r"^(?:[-\d.]+\s*)?(?:thời gian|thời điểm)\s*:", fold(text)):
        role = "event"
    elif kind != "report":
        hits = [(m.start(), name) for name, p in _PHASES if (m := re.search(p, low))]
        if hits and len(clause) < 160:
            role = f"phase:{min(hits)[1]}"
        elif re.match(r"^-?\s*giao\s", low):
            role = "milestone"
    confidence = 0.85 if owners[0] or role != "obligation" else 0.5
    draft.deadlines.append(Deadline(Found(phrase, number, clause.strip(), confidence), clause.strip(),
                                    list(owners[0]), list(owners[1]), kind, recurring, role, written))
    _check_year(draft, number, phrase, issued, cal)


def _check_year(draft: Draft, number: int, phrase: str, issued: date | None, cal: WorkingCalendar) -> None:
    if issued is None:
        return
    found = parse_deadline(phrase, issued_on=issued, calendar=cal)
    moment = found.due or found.opens
    if moment is None:
        return
    day = moment.date()
    if day < issued and found.recurrence is None:
        draft.flags.append(Flag(number, f"hạn “{phrase}” ({day.day}/{day.month}/{day.year}) trước ngày ban hành "
                                        f"{issued.day}/{issued.month}/{issued.year}: kiểm tra lại năm"))
    elif day.year > issued.year + 5:
        draft.flags.append(Flag(number, f"hạn “{phrase}” xa hơn 5 năm so với ngày ban hành: kiểm tra lại năm"))


_WEEKDAY_DATE = re.compile(rf"(?P<dow>{WEEKDAY})\s*,?\s*(?:ngày\s+)?(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})\s*/\s*"
                           r"(?P<y>\d{4})", re.IGNORECASE)


def _check_weekdays(draft: Draft) -> None:
    for line in draft.lines:
        for m in _WEEKDAY_DATE.finditer(line.text):
            try:
                day = date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                draft.flags.append(Flag(line.number, f"ngày “{m.group(0)}” không có trên lịch"))
                continue
            if problem := weekday_mismatch(m["dow"].lower(), day):
                draft.flags.append(Flag(line.number, problem))
