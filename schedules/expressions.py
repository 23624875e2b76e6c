"""Read the deadline expressions of Vietnamese directives into exact instants.

Every `due` is the last moment the obligation is on time, an aware datetime in Asia/Ho_Chi_Minh.
Rules (chosen once, relied on everywhere):
- Wording first: `schedules.phrases.normalize` peels lead-in words ("Thời hạn gửi báo cáo chậm nhất là",
  "hoàn thành", "hạn chót nộp", "từ nay đến"), reads "16g00" as 16h00, "tháng 5-2021" as "tháng 5/2021";
  the rules below are about meaning.
- "16h00 ngày 19/6/2024", "2024-06-19T16:00": that instant, as written, even on a day off (an hour
  written out is deliberate). "trước 16h00 ngày D" / "chậm nhất 16h00 ngày D" mean the same instant.
- "chậm nhất ngày D", "hạn chót D", "đến ngày D", "ngày D", "22/3/2017", "2017-03-22": end of office hours on
  D. If D is a day off the offices that receive the work are closed, so the due moves back to the end of
  office hours of the previous working day; `meaning` says so.
- A weekday written with a day ("8h00, thứ hai, ngày 12/8/2024") is checked against it: a mismatch keeps the
  date (the number is what deadlines are computed from) and adds a warning naming both.
- "trước ngày D": D itself is already late, so due is the end of office hours of the last working
  day strictly before D.
- "trong tháng M/Y", "quý III/Y", "6 tháng đầu/cuối năm Y": due at the end of office hours of the last
  working day of the period; opens at the start of office hours of its first working day.
- "cuối tháng M/Y": due as "trong tháng M/Y", no opening; "cuối tháng" alone is the issue month.
- "đầu tháng M/Y" / "giữa tháng M/Y" (thượng / trung tuần): as "chậm nhất ngày 10/M/Y" / "20/M/Y";
  "hạ tuần tháng" is due as "cuối tháng" and its meaning names it. "trước trung/hạ tuần tháng M": before the
  third's first day (11/M, 21/M); "từ đầu/giữa/cuối tháng M": opens on the first working day from 1/M, 11/M or
  21/M, no due. "triển khai ngay": the issue day, or the next working day when it is off.
- "từ tháng M1 đến [cuối] tháng M2/Y": opens as "trong tháng M1", due as "trong tháng M2"; "từ ngày D1 đến
  ngày D2": opens at the start of office hours of the first working day from D1, due as "chậm nhất ngày D2".
  A start without a year takes the end's year, or the year before when its month/day comes later.
- "từ tháng M/Y": opens at the start of office hours of the first working day of M; no due.
- "hàng tháng", "hàng quý", "6 tháng một lần", "hàng năm[, trước ngày D/M]": `recurrence` is an RFC 5545
  rule for `schedules.recurrence.occurrences(..., roll="previous")`; due is the first occurrence on or
  after `issued_on` when it is given, else None.
- A recurrence followed or preceded by a window of months ("hàng tháng đến tháng 9/2023", "từ tháng 5 đến
  tháng 9/2023 hằng tháng") has `until` = the window's last calendar day (no occurrence after it) and, for
  "từ tháng …", `opens` = the window's opening; due is its first occurrence from the later of both starts.
- Relative: "N ngày làm việc trước hạn của cấp trên" = N working days before the upper deadline's
  day; "sau/trong N ngày [làm việc] kể từ ngày ban hành", "trong N ngày" = N (working) days after issued_on,
  the issue day not counted; "N ngày trước ngày bầu cử", "sau Đại hội N ngày", "trong N ngày sau khi kết
  thúc đại hội" count from the day of `event`; "N ngày [làm việc] trước/sau ngày D" from a written day.
- "ngày" are calendar days, "ngày làm việc" working days (as election law and Party rules count them): N
  working days land on a working day; N calendar days stay on their day, even a day off, at the end of
  office hours, and `meaning` says so.
- Warnings (`Deadline.warnings`, each naming the phrase and the instant understood): a weekday that is not
  the day's, a one-off deadline before issued_on, or more than FAR_YEARS years after it. A day that does
  not exist (31/4) is refused.
- A day or month without a year takes the first one on or after issued_on; without issued_on it is an
  error. Parts of a year or quarter without a day ("cuối năm", "đầu quý") are refused.
"""

from __future__ import annotations

import calendar as _stdcal
import contextlib
import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, timedelta

from errors import DeadlineError, Problem
from schedules import meanings as _mean, month_parts as _parts, recurrence as _rec
from schedules.calendar import WorkingCalendar
from schedules.grammar import BOUNDED, FORMS, ISO_INSTANT, PRE, VALID_FORMS, D, M
from schedules.meanings import Deadline, Unreadable
from schedules.phrases import normalize, vague_period
from schedules.render import LOCAL_TZ, format_day, format_instant, local_date, local_datetime, to_local

__all__ = ["FAR_YEARS", "VALID_FORMS", "Deadline", "parse_deadline"]

# A deadline more than this many years after the issue year is probably a misprinted year.
FAR_YEARS = 5


# -- the forms -------------------------------------------------------------------------------------


def _recurring(kind: str, rest: str | None, issued_on: date | None, cal: WorkingCalendar) -> Deadline:
    rest = (rest or "").strip()
    before = rest.startswith("trước")
    if kind == "yearly":
        if not rest:
            rule, what = _rec.yearly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của năm"
        elif dm := re.fullmatch(rf"{PRE}(?:ngày )?(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})", rest):
            day, month = int(dm["d"]), int(dm["m"])
            _mean.make_date(day, month, 2000)
            rule = _rec.yearly_rule(day, month, before=before)
            what = (
                f"{'trước' if before else 'chậm nhất'} ngày {day}/{month} "
                f"({'ngày làm việc liền trước ngày đó' if before else 'ngày nghỉ thì lùi về ngày làm việc liền trước'})"
            )
        elif mm := re.fullmatch(r"(?:trong )?tháng (?P<m>\d{1,2})", rest):
            month = int(mm["m"])
            if not 1 <= month <= 12:
                raise Unreadable(f"tháng {month} không có")
            rule, what = _rec.yearly_rule(_stdcal.monthrange(2001, month)[1], month), f"trong tháng {month}"
        else:
            raise Unreadable(
                f"phần “{rest}” sau “hàng năm” không đọc được (ví dụ hợp lệ: “hàng năm, trước ngày 31/12”)"
            )
    elif kind == "monthly":
        if not rest:
            rule, what = _rec.monthly_rule(), "hết giờ làm việc của ngày làm việc cuối cùng của tháng"
        elif dm := re.fullmatch(rf"{PRE}ngày (?P<d>\d{{1,2}})", rest):
            day = int(dm["d"])
            if not 1 <= day <= 31:
                raise Unreadable(f"ngày {day} trong tháng không có")
            rule = _rec.monthly_rule(day, before=before)
            what = f"{'trước' if before else 'chậm nhất'} ngày {day}"
        else:
            raise Unreadable(
                f"phần “{rest}” kèm “hàng tháng” không đọc được (ví dụ hợp lệ: “trước ngày 25 hàng tháng”)"
            )
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
    name: str, m: re.Match[str], issued_on: date | None, upper: datetime | None, event: datetime | None,
    cal: WorkingCalendar,
) -> Deadline:
    pre = m.groupdict().get("pre") or ""
    if name in ("instant", "day"):
        d, note = _mean.day_of(m, issued_on)
        warnings = _mean.check_weekday(m, d, "dow", "dowa")
        if name == "instant":
            due = local_datetime(d, _mean.clock(m))
            read = Deadline("instant", due, None, None, f"Hạn là {format_instant(due)}.{note}", "")
        elif pre == "trước":
            read = _mean.on_day(d, cal, "before_day", note, "")
        else:
            lead = f"Chậm nhất ngày {format_day(d)}" if pre else f"Ngày {format_day(d)}"
            read = _mean.on_day(d, cal, "day", note, lead)
        return replace(read, warnings=warnings)
    if name == "from" and m["unit"] == "ngày":
        dm = re.fullmatch(D, m["rest"])
        if not dm:
            raise Unreadable(f"“từ ngày {m['rest']}” không phải là một ngày (ví dụ hợp lệ: “từ ngày 1/3/2023”)")
        d, note = _mean.day_of(dm, issued_on)
        opens = cal.start_of_office_hours(cal.working_day_on_or_after(d))
        meaning = f"Bắt đầu từ {format_instant(opens)}, không có hạn kết thúc.{note}"
        return Deadline("from_day", None, opens, None, meaning, "")
    if name == "from":
        month_match = re.fullmatch(M, m["rest"])
        if not month_match:
            raise Unreadable(
                f"“từ tháng {m['rest']}” không phải là một tháng hay một khoảng tháng "
                "(ví dụ hợp lệ: “từ tháng 7/2017”, “từ tháng 3 đến tháng 8/2022”)"
            )
        return _mean.month_window(month_match, "from", issued_on, cal)
    if name == "month":
        return _mean.month_window(m, pre, issued_on, cal)
    if name == "month_end":
        return _parts.month_end(m, issued_on, cal)
    if name == "before_part":
        return _parts.before_part(m, issued_on, cal)
    if name == "from_part":
        return _parts.from_part(m, issued_on, cal)
    if name == "month_range":
        return _mean.month_range(m, issued_on, cal)
    if name == "day_range":
        return _mean.day_range(m, issued_on, cal)
    if name in ("quarter", "half_year"):
        return _mean.part_of_year(name, m, issued_on, cal)
    if name == "month_third":
        return _parts.month_third(m, issued_on, cal)
    if name == "issue_day":
        return _mean.issue_day(issued_on, cal)
    if name == "relative_day":
        d, note = _mean.day_of(m, issued_on)
        read = _mean.relative_day(int(m["n"]), bool(m["wd"]), m["dir"] == "sau", d, f"ngày {format_day(d)}", cal)
        return replace(read, meaning=read.meaning + note)
    if name == "relative_event":
        after = m["dir"] in ("sau", "kể từ")
        return _mean.relative_event(int(m["n"]), bool(m["wd"]), after, m["ev"], event, cal)
    if name in ("relative_upper", "relative_issued"):
        return _mean.relative(name, int(m["n"]), bool(m["wd"]), issued_on, upper, cal)
    return _recurring(name, m.groupdict().get("rest"), issued_on, cal)


def _read(
    norm: str, issued_on: date | None, upper: datetime | None, event: datetime | None, cal: WorkingCalendar
) -> Deadline | None:
    """The deadline of the first form the whole normalised phrase matches, or None when none does."""
    for pattern in BOUNDED:
        if (m := pattern.fullmatch(norm)) and (read := _bounded(m, issued_on, upper, event, cal)):
            return read
    for name, pattern in FORMS:
        if m := pattern.fullmatch(norm):
            return _parse(name, m, issued_on, upper, event, cal)
    return None


def _bounded(
    m: re.Match[str], issued_on: date | None, upper: datetime | None, event: datetime | None, cal: WorkingCalendar
) -> Deadline | None:
    """A recurring deadline with no occurrence outside its window; None when the words are not a recurrence."""
    try:
        rec = _read(m["rec"], issued_on, upper, event, cal)
    except Unreadable:
        return None
    if rec is None or rec.recurrence is None:
        return None
    window = _read(re.sub(r"^(?:đến|tới|cho đến) (?:hết |cuối )?", "trong ", m["win"]), issued_on, upper, event, cal)
    if window is None or window.due is None:
        return None
    # The window is whole months: its last calendar day bounds the anchors (30/9 rolled back to 29/9 is in).
    until = _mean.last_day(local_date(window.due).year, local_date(window.due).month)
    opens = window.opens if m["win"].startswith("từ") else None
    starts = [d for d in (issued_on, local_date(opens) if opens else None) if d is not None]
    label = rec.meaning.split(" Lần đầu")[0].rstrip(".")
    if not starts:
        meaning = f"{label}; không có lần nào sau ngày {format_day(until)}."
        return Deadline(rec.kind, None, opens, rec.recurrence, meaning, "", until=until)
    dues = _rec.occurrences(rec.recurrence, max(starts), until, cal)
    if not dues:
        raise Unreadable(f"từ ngày {format_day(max(starts))} đến ngày {format_day(until)} không có lần nào đến hạn")
    meaning = (
        f"{label}; chỉ đến hết ngày {format_day(until)}: {len(dues)} lần, lần đầu {format_instant(dues[0])}, "
        f"lần cuối {format_instant(dues[-1])}."
    )
    return Deadline(rec.kind, dues[0], opens, rec.recurrence, meaning, "", until=until)


def _as_written(source: str, words: str) -> str:
    """The words as the source writes them (case kept), when the source has them unchanged."""
    at = source.lower().find(words)
    return source[at : at + len(words)] if at >= 0 and len(source.lower()) == len(source) else words


def _unread(
    source: str, norm: str, issued_on: date | None, upper: datetime | None, event: datetime | None,
    cal: WorkingCalendar,
) -> Unreadable:
    """Why no form reads the phrase: only lead-in words, a vague part of a month, a two-digit year, or stray words."""
    if not norm:
        return Unreadable(
            "chỉ có lời dẫn, không có ngày, tháng hay giờ nào; hãy ghi thêm ngày, ví dụ “chậm nhất là ngày 15/11/2021”"
        )
    if vague := vague_period(norm):
        return Unreadable(
            f"“{vague}” không chỉ một ngày cụ thể nên không biết hạn là ngày nào; hãy ghi rõ ngày hoặc cả tháng, "
            "ví dụ “chậm nhất ngày 10/6/2024” hoặc “trong tháng 6/2024”"
        )
    if short := re.search(r"\b\d{1,2}[/.-]\d{1,2}[/.-](\d{2})\b", norm):
        return Unreadable(
            f"năm “{short[1]}” trong “{short[0]}” chỉ có 2 chữ số; hãy ghi đủ 4 chữ số, ví dụ “15/11/2021”"
        )
    words = norm.split()
    for k in range(1, len(words)):
        for stray, known, where in (
            (words[:k], words[k:], "đứng trước"),
            (words[len(words) - k :], words[: len(words) - k], "đứng sau"),
        ):
            candidate = " ".join(known)
            try:
                readable = _read(candidate, issued_on, upper, event, cal) is not None
            except Unreadable:
                readable = False
            if readable:
                words_left, valid = _as_written(source, " ".join(stray)), _as_written(source, candidate)
                return Unreadable(
                    f"không hiểu “{words_left}” {where} “{valid}”: đó không phải là từ chỉ thời hạn; "
                    f"hãy bỏ phần đó, ví dụ hợp lệ: “{valid}”"
                )
    return Unreadable("đây không phải là một cách ghi hạn (không có ngày, tháng hay giờ nào đọc được)")


def _misprints(result: Deadline, issued_on: date | None) -> tuple[str, ...]:
    """Suspicious but readable: a weekday that is not the day's, a deadline before the issue day or years after it."""
    found = list(result.warnings)
    when = result.due or result.opens
    if issued_on is not None and when is not None and result.recurrence is None:
        day = local_date(when)
        if day < issued_on:
            found.append(
                f"hạn ngày {format_day(day)} trước ngày ban hành {format_day(issued_on)}; "
                "có thể in nhầm ngày, tháng hoặc năm"
            )
        elif day.year - issued_on.year > FAR_YEARS:
            found.append(
                f"năm {day.year} cách năm ban hành {issued_on.year} hơn {FAR_YEARS} năm; có thể in nhầm năm"
            )
    understood = format_instant(when) if when is not None else "hạn lặp lại"
    return tuple(f"“{result.source}” (hiểu là {understood}): {w}" for w in found)


def parse_deadline(
    text: str,
    *,
    issued_on: date | None = None,
    upper_deadline: datetime | None = None,
    event: datetime | None = None,
    calendar: WorkingCalendar | None = None,
) -> Deadline:
    """Read a Vietnamese or ISO deadline expression; the rules are in the module docstring."""
    cal = calendar or WorkingCalendar()
    source = unicodedata.normalize("NFC", text).strip()
    try:
        dt = None
        if ISO_INSTANT.fullmatch(source):
            with contextlib.suppress(ValueError):  # the Vietnamese path below says what is impossible about it
                dt = datetime.fromisoformat(source.upper().replace("Z", "+00:00"))
        if dt is not None:
            due = dt.replace(tzinfo=LOCAL_TZ) if dt.tzinfo is None else to_local(dt)
            result = Deadline("instant", due, None, None, f"Hạn là {format_instant(due)}.", "")
        else:
            norm = normalize(source)
            read = _read(norm, issued_on, upper_deadline, event, cal)
            if read is None:
                raise _unread(source, norm, issued_on, upper_deadline, event, cal)
            result = read
    except Unreadable as exc:
        raise DeadlineError(
            [Problem(f"Không đọc được hạn “{source}”: {exc}. Các dạng hợp lệ: {VALID_FORMS}.")]
        ) from None
    result = replace(result, source=source)
    return replace(result, warnings=_misprints(result, issued_on))
