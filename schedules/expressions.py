"""Read the deadline expressions of Vietnamese directives into exact instants.

Every `due` is the last moment the obligation is on time, an aware datetime in Asia/Ho_Chi_Minh.
Rules (chosen once, relied on everywhere):
- "16h00 ngày 19/6/2024", "2024-06-19T16:00": that instant, as written, even on a day off (an hour
  written out is deliberate). "trước 16h00 ngày D" / "chậm nhất 16h00 ngày D" mean the same instant.
- "chậm nhất ngày D", "hạn chót D", "ngày D", "22/3/2017", "2017-03-22": end of office hours on D.
  If D is a day off the offices that receive the work are closed, so the due moves back to the end of
  office hours of the previous working day; `meaning` says so.
- "trước ngày D": D itself is already late, so due is the end of office hours of the last working
  day strictly before D.
- "trong tháng M/Y", "quý III/Y", "6 tháng đầu/cuối năm Y": due at the end of office hours of the last
  working day of the period; opens at the start of office hours of its first working day.
- "từ tháng M/Y": opens at the start of office hours of the first working day of M; no due.
- "hàng tháng", "hàng quý", "6 tháng một lần", "hàng năm[, trước ngày D/M]": `recurrence` is an RFC 5545
  rule for `schedules.recurrence.occurrences(..., roll="previous")`; due is the first occurrence on or
  after `issued_on` when it is given, else None.
- Relative: "N ngày làm việc trước hạn của cấp trên" = N working days before the upper deadline's
  day; "sau/trong N ngày [làm việc] kể từ ngày ban hành" = N (working) days after issued_on, the issue
  day not counted. Calendar-day results on a day off move back like "chậm nhất".
- A day or month without a year takes the first one on or after issued_on; without issued_on it is an
  error. Text is read case-, whitespace- and Unicode-form-insensitively.
"""

from __future__ import annotations

import calendar as _stdcal
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from errors import DeadlineError, Problem
from schedules import recurrence as _rec
from schedules.calendar import WorkingCalendar
from schedules.render import LOCAL_TZ, format_day, format_instant, local_date, local_datetime, to_local

__all__ = ["VALID_FORMS", "Deadline", "parse_deadline"]

VALID_FORMS = (
    "“16h00 ngày 19/6/2024”, “ngày 22 tháng 3 năm 2017”, “22/3/2017”, “2017-03-22”, “2024-06-19T16:00”, "
    "“trước ngày 30/6/2017”, “chậm nhất ngày 12/6/2024”, “hạn chót 20/6/2024”, “trong tháng 6/2017”, "
    "“từ tháng 7/2017”, “quý III/2024”, “6 tháng đầu năm 2024”, “hàng tháng”, “hàng quý”, "
    "“hàng năm, trước ngày 31/12”, “5 ngày làm việc trước hạn của cấp trên”, "
    "“trong 10 ngày làm việc kể từ ngày ban hành”"
)


@dataclass(frozen=True)
class Deadline:
    """A deadline read from text: what kind, when it is due / opens, how it recurs, and what it means."""

    kind: str
    due: datetime | None
    opens: datetime | None
    recurrence: str | None
    meaning: str
    source: str


class _Fail(Exception):
    """Internal: what is wrong, turned into a DeadlineError that also quotes the text and valid forms."""


# -- normalisation ---------------------------------------------------------------------------------

_ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[tT ]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?([zZ]|[+-]\d{2}:?\d{2})?")
_REWRITES = [
    (re.compile(r"\bhằng\b"), "hàng"),
    (re.compile(r"\bsáu tháng\b"), "6 tháng"),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})t?"), r"\3/\2/\1 "),
    (re.compile(r"(\d{1,2}) tháng (\d{1,2}) năm (\d{4})"), r"\1/\2/\3"),
    (re.compile(r"(\d{1,2}) tháng (\d{1,2})\b(?!/)"), r"\1/\2"),
    (re.compile(r"\b(tháng|quý) (\d{1,2}|iv|i{1,3}) năm (\d{4})"), r"\1 \2/\3"),
    # "h" must not start a word ("25 hàng tháng" is not 25h).
    (re.compile(r"(\d{1,2}) ?(?:giờ|h(?![^\W\d_]))(?: ?(\d{1,2})(?![\d/]))?(?: ?phút)?"), r"\1h\2"),
    (re.compile(r"(\d{1,2}):(\d{2})\b"), r"\1h\2"),
    (re.compile(r"[,;:]|\s-\s|\.$"), " "),
    (re.compile(r"\s+"), " "),
]


def _normalize(text: str) -> str:
    t = unicodedata.normalize("NFC", text).lower().strip()
    for pattern, repl in _REWRITES:
        t = pattern.sub(repl, t)
    return t.strip()


_T = r"(?P<hh>\d{1,2})h(?P<mm>\d{1,2})?"
_D = r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}))?"
_M = r"(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?"
_BY = r"(?:chậm nhất|muộn nhất|hạn chót|hạn cuối|thời hạn|hạn)(?: là)?(?: vào)?"
_PRE = rf"(?:(?P<pre>{_BY}|trước) )?"
_FORMS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        ("instant", rf"{_PRE}{_T} (?:ngày )?{_D}"),
        ("instant", rf"{_PRE}(?:ngày )?{_D} (?:lúc )?{_T}"),
        ("day", rf"{_PRE}(?:ngày )?{_D}"),
        ("month", rf"(?:(?P<pre>trong|trước|hết|{_BY}) )?(?:hết )?tháng {_M}"),
        ("from", rf"(?:bắt đầu )?từ (?P<unit>tháng|ngày) (?P<rest>.+)"),
        ("quarter", r"(?:trong )?quý (?P<q>iv|i{1,3}|[1-4])(?:/(?P<y>\d{4}))?"),
        ("half_year", r"(?:trong )?6 tháng (?P<h>đầu|cuối) năm(?:/? ?(?P<y>\d{4}))?"),
        ("relative_upper", r"(?P<n>\d+) ngày (?P<wd>làm việc )?trước (?:thời )?hạn(?: chót)?(?: của cấp trên)?"),
        (
            "relative_issued",
            r"(?:sau|trong|trong vòng|trong thời hạn|chậm nhất|chậm nhất là) (?P<n>\d+) ngày (?P<wd>làm việc )?"
            r"(?:kể )?từ (?:ngày )?(?:ban hành|ký)(?: văn bản| kế hoạch)?",
        ),
        ("yearly", r"(?:định kỳ )?(?:hàng|mỗi) năm(?: (?P<rest>.+))?"),
        ("yearly", r"(?P<rest>.+) (?:hàng|mỗi) năm"),
        ("monthly", r"(?:định kỳ )?(?:hàng|mỗi) tháng(?: (?P<rest>.+))?"),
        ("monthly", r"(?P<rest>.+) (?:hàng|mỗi) tháng"),
        ("quarterly", r"(?:định kỳ )?(?:hàng|mỗi) quý"),
        ("half_yearly", r"(?:định kỳ )?(?:hàng |mỗi )?6 tháng(?: một lần| 1 lần)?"),
    ]
]
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


# -- building blocks -------------------------------------------------------------------------------


def _make_date(day: int, month: int, year: int) -> date:
    if not 1 <= month <= 12:
        raise _Fail(f"tháng {month} không có (tháng phải từ 1 đến 12)")
    last = _stdcal.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _Fail(f"ngày {day}/{month}/{year} không có (tháng {month}/{year} có {last} ngày)")
    return date(year, month, day)


def _infer_year(what: str, issued_on: date | None, first_valid) -> tuple[int, str]:
    """The first year whose period ends on or after issued_on; also the sentence that says so."""
    if issued_on is None:
        raise _Fail(f"{what} không ghi năm và không có ngày ban hành để suy ra năm; hãy ghi thêm năm")
    for year in range(issued_on.year, issued_on.year + 9):
        if first_valid(year):
            note = f" Văn bản không ghi năm: lấy năm {year}, lần gần nhất kể từ ngày ban hành {format_day(issued_on)}."
            return year, note
    raise _Fail(f"{what} không suy ra được năm")  # pragma: no cover - 29/2 recurs within 8 years


def _day(m: re.Match[str], issued_on: date | None) -> tuple[date, str]:
    day, month = int(m["d"]), int(m["m"])
    if m["y"]:
        return _make_date(day, month, int(m["y"])), ""
    _make_date(day, month, 2000)  # leap year: rejects 31/4 or 30/2 before inferring a year

    def fits(year: int) -> bool:
        return _stdcal.monthrange(year, month)[1] >= day and date(year, month, day) >= issued_on

    year, note = _infer_year(f"Ngày {day}/{month}", issued_on, fits)
    return date(year, month, day), note


def _time(m: re.Match[str]) -> time:
    hh, mm = int(m["hh"]), int(m["mm"] or 0)
    if hh > 23:
        raise _Fail(f"{hh} giờ không có (giờ phải từ 0 đến 23; hết ngày thì ghi 23h59)")
    if mm > 59:
        raise _Fail(f"{mm} phút không có (phút phải từ 0 đến 59)")
    return time(hh, mm)


def _period(first: date, last: date, cal: WorkingCalendar, label: str, note: str, kind: str) -> Deadline:
    start, end = cal.first_working_day(first, last), cal.last_working_day(first, last)
    if start is None or end is None:
        raise _Fail(f"{label} không có ngày làm việc nào")
    due, opens = cal.end_of_office_hours(end), cal.start_of_office_hours(start)
    meaning = (
        f"{label[0].upper()}{label[1:]}: bắt đầu từ {format_instant(opens)}; hạn là hết giờ làm việc "
        f"của ngày làm việc cuối cùng, {format_instant(due)}.{note}"
    )
    return Deadline(kind, due, opens, None, meaning, "")


def _by_day(d: date, cal: WorkingCalendar, kind: str, note: str, lead: str) -> Deadline:
    """Due at the end of office hours on d, or on the previous working day if d is a day off."""
    if kind == "before_day":
        due = cal.end_of_office_hours(cal.previous_working_day(d))
        meaning = (
            f"Trước ngày {format_day(d)}: ngày {format_day(d)} đã là trễ hạn; hạn là hết giờ làm việc "
            f"của ngày làm việc liền trước, {format_instant(due)}."
        )
        return Deadline(kind, due, None, None, meaning + note, "")
    due = cal.end_of_office_hours(cal.working_day_on_or_before(d))
    meaning = f"{lead}: hạn là hết giờ làm việc, {format_instant(due)}."
    reason = cal.day_off_reason(d)
    if reason:
        meaning = (
            f"{lead}: ngày {format_day(d)} là ngày nghỉ ({reason}) nên hạn là hết giờ làm việc của "
            f"ngày làm việc liền trước, {format_instant(due)}."
        )
    return Deadline(kind, due, None, None, meaning + note, "")


# -- the forms -------------------------------------------------------------------------------------


def _recurring(kind: str, rest: str | None, issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    rest = (rest or "").strip()
    before = rest.startswith("trước")
    if kind == "yearly":
        if not rest:
            rule, what = _rec.yearly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của năm"
        elif dm := re.fullmatch(rf"{_PRE}(?:ngày )?(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})", rest):
            day, month = int(dm["d"]), int(dm["m"])
            _make_date(day, month, 2000)
            rule = _rec.yearly_rule(day, month, before=before)
            what = (
                f"{'trước' if before else 'chậm nhất'} ngày {day}/{month} "
                f"({'ngày làm việc liền trước ngày đó' if before else 'ngày nghỉ thì lùi về ngày làm việc liền trước'})"
            )
        elif mm := re.fullmatch(r"(?:trong )?tháng (?P<m>\d{1,2})", rest):
            month = int(mm["m"])
            if not 1 <= month <= 12:
                raise _Fail(f"tháng {month} không có")
            rule, what = _rec.yearly_rule(_stdcal.monthrange(2001, month)[1], month), f"trong tháng {month}"
        else:
            raise _Fail(f"phần “{rest}” sau “hàng năm” không đọc được (ví dụ hợp lệ: “hàng năm, trước ngày 31/12”)")
    elif kind == "monthly":
        if not rest:
            rule, what = _rec.monthly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của tháng"
        elif dm := re.fullmatch(rf"{_PRE}ngày (?P<d>\d{{1,2}})", rest):
            day = int(dm["d"])
            if not 1 <= day <= 31:
                raise _Fail(f"ngày {day} trong tháng không có")
            rule = _rec.monthly_rule(day, before=before)
            what = f"{'trước' if before else 'chậm nhất'} ngày {day}"
        else:
            raise _Fail(f"phần “{rest}” kèm “hàng tháng” không đọc được (ví dụ hợp lệ: “trước ngày 25 hàng tháng”)")
    elif kind == "quarterly":
        rule, what = _rec.quarterly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của quý"
    else:
        rule, what = _rec.half_yearly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của mỗi 6 tháng"
    label = {"yearly": "Hàng năm", "monthly": "Hàng tháng", "quarterly": "Hàng quý", "half_yearly": "6 tháng một lần"}
    due = None
    meaning = f"{label[kind]}, hạn là {what}."
    if issued_on is not None:
        found = [
            d
            for d in _rec.occurrences(rule, issued_on, issued_on + timedelta(days=800), cal)
            if d.date() >= issued_on
        ]
        due = found[0] if found else None
        if due is not None:
            meaning += f" Lần đầu kể từ ngày ban hành {format_day(issued_on)}: {format_instant(due)}."
    return Deadline(kind, due, None, rule, meaning, "")


def _parse(
    name: str, m: re.Match[str], issued_on: date | None, upper: datetime | None, cal: WorkingCalendar
) -> Deadline:
    g = m.groupdict()
    pre = g.get("pre") or ""
    if name == "instant":
        d, note = _day(m, issued_on)
        due = local_datetime(d, _time(m))
        return Deadline("instant", due, None, None, f"Hạn là {format_instant(due)}.{note}", "")
    if name == "day":
        d, note = _day(m, issued_on)
        if pre == "trước":
            return _by_day(d, cal, "before_day", note, "")
        lead = f"Chậm nhất ngày {format_day(d)}" if pre else f"Ngày {format_day(d)}"
        return _by_day(d, cal, "day", note, lead)
    if name == "from" and g["unit"] == "ngày":
        dm = re.fullmatch(_D, g["rest"])
        if not dm:
            raise _Fail(f"“từ ngày {g['rest']}” không phải là một ngày")
        d, note = _day(dm, issued_on)
        opens = cal.start_of_office_hours(cal.working_day_on_or_after(d))
        meaning = f"Bắt đầu từ {format_instant(opens)}, không có hạn kết thúc.{note}"
        return Deadline("from_day", None, opens, None, meaning, "")
    if name == "from":
        month_match = re.fullmatch(_M, g["rest"])
        if not month_match:
            raise _Fail(f"“từ tháng {g['rest']}” không phải là một tháng")
        return _month(month_match, "from", issued_on, cal)
    if name == "month":
        return _month(m, pre, issued_on, cal)
    if name in ("quarter", "half_year"):
        return _part_of_year(name, g, issued_on, cal)
    if name in ("relative_upper", "relative_issued"):
        return _relative(name, int(g["n"]), bool(g["wd"]), issued_on, upper, cal)
    return _recurring(name, g.get("rest"), issued_on, cal)


def _last_day(year: int, month: int) -> date:
    return date(year, month, _stdcal.monthrange(year, month)[1])


def _month(m: re.Match[str], pre: str, issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """"trong tháng", "trước tháng" (before its first day) and "từ tháng" (pre == "from")."""
    month = int(m["m"])
    if not 1 <= month <= 12:
        raise _Fail(f"tháng {month} không có (tháng phải từ 1 đến 12)")
    if m["y"]:
        year, note = int(m["y"]), ""
    else:
        year, note = _infer_year(f"Tháng {month}", issued_on, lambda y: _last_day(y, month) >= issued_on)
    first, last = date(year, month, 1), _last_day(year, month)
    if pre == "from":
        opens = cal.start_of_office_hours(cal.working_day_on_or_after(first))
        meaning = (
            f"Từ tháng {month}/{year}: bắt đầu từ {format_instant(opens)} "
            f"(ngày làm việc đầu tiên của tháng), không có hạn kết thúc.{note}"
        )
        return Deadline("from_month", None, opens, None, meaning, "")
    if pre == "trước":
        return _by_day(first, cal, "before_day", note, "")
    return _period(first, last, cal, f"trong tháng {month}/{year}", note, "month")


def _part_of_year(name: str, g: dict, issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    """A quarter ("quý III/2024") or a half-year ("6 tháng đầu năm 2024")."""
    if name == "quarter":
        q = _ROMAN.get(g["q"]) or int(g["q"])
        months, label = (3 * q - 2, 3 * q), f"quý {('I', 'II', 'III', 'IV')[q - 1]}"
    else:
        months = (1, 6) if g["h"] == "đầu" else (7, 12)
        label = f"6 tháng {g['h']} năm"
    if g["y"]:
        year, note = int(g["y"]), ""
    else:
        year, note = _infer_year(label.capitalize(), issued_on, lambda y: _last_day(y, months[1]) >= issued_on)
    full = f"{label} {year}" if name == "half_year" else f"{label}/{year}"
    return _period(date(year, months[0], 1), _last_day(year, months[1]), cal, full, note, name)


def _relative(
    name: str, n: int, working: bool, issued_on: date | None, upper: datetime | None, cal: WorkingCalendar
) -> Deadline:
    """N (working) days before the upper level's deadline, or after the issue day (not counted)."""
    unit = "ngày làm việc" if working else "ngày"
    if name == "relative_upper":
        if upper is None:
            raise _Fail("hạn tính lùi từ hạn của cấp trên, nhưng không có hạn của cấp trên")
        anchor = local_date(upper)
        day = cal.add_working_days(anchor, -n) if working else anchor - timedelta(days=n)
        lead = f"{n} {unit} trước hạn của cấp trên ({format_instant(to_local(upper))})"
    else:
        if issued_on is None:
            raise _Fail("hạn tính từ ngày ban hành, nhưng không có ngày ban hành")
        day = cal.add_working_days(issued_on, n) if working else issued_on + timedelta(days=n)
        lead = f"{n} {unit} kể từ ngày ban hành {format_day(issued_on)} (không tính ngày ban hành)"
    return _by_day(day, cal, "relative", "", lead)


def parse_deadline(
    text: str,
    *,
    issued_on: date | None = None,
    upper_deadline: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Read a Vietnamese or ISO deadline expression; the rules are in the module docstring."""
    cal = calendar or WorkingCalendar()
    source = unicodedata.normalize("NFC", text).strip()
    try:
        dt = None
        if _ISO_INSTANT.fullmatch(source):
            try:
                dt = datetime.fromisoformat(source.upper().replace("Z", "+00:00"))
            except ValueError:
                pass  # the Vietnamese path below says what is impossible about it
        if dt is not None:
            due = dt.replace(tzinfo=LOCAL_TZ) if dt.tzinfo is None else to_local(dt)
            result = Deadline("instant", due, None, None, f"Hạn là {format_instant(due)}.", "")
        else:
            norm = _normalize(source)
            for name, pattern in _FORMS:
                if m := pattern.fullmatch(norm):
                    result = _parse(name, m, issued_on, upper_deadline, cal)
                    break
            else:
                raise _Fail("đây không phải là một cách ghi hạn")
    except _Fail as exc:
        raise DeadlineError(
            [Problem(f"Không đọc được hạn “{source}”: {exc}. Các dạng hợp lệ: {VALID_FORMS}.")]
        ) from None
    return Deadline(result.kind, result.due, result.opens, result.recurrence, result.meaning, source)
