"""`trienkhai calendar …` commands: the working calendar and deadline expressions, seen by office staff."""

from __future__ import annotations

import calendar as _stdcal
from datetime import date, datetime

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from errors import InputError, Problem
from schedules import (
    WorkingCalendar,
    format_day,
    format_instant,
    parse_deadline,
    to_utc,
    weekday_name,
)
from schedules.meanings import KIND_LABELS
from schedules.render import LOCAL_TZ

app = typer.Typer(no_args_is_help=True, help="Lịch làm việc và cách đọc hạn.")


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _calendar() -> WorkingCalendar:
    from bootstrap import services

    return services().calendar


def _parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            [Problem(f"“{value}” không phải là ngày hợp lệ; hãy ghi năm-tháng-ngày, ví dụ 2026-02-13.", field=what)]
        ) from None


def _iso_utc(dt: datetime) -> str:
    return to_utc(dt).isoformat().replace("+00:00", "Z")


@app.command("workdays")
def workdays(month: str = typer.Argument(..., help="Tháng, dạng năm-tháng, ví dụ 2026-02.")) -> None:
    """Từng ngày trong tháng: làm việc hay nghỉ, lý do và văn bản quyết định; rồi số ngày làm việc."""
    try:
        year_text, month_text = month.strip().split("-")
        year, mon = int(year_text), int(month_text)
        if not 1 <= mon <= 12 or not 1 <= year <= 9999:
            raise ValueError
    except ValueError:
        raise InputError(
            [Problem(f"“{month}” không phải là tháng hợp lệ; hãy ghi năm-tháng, ví dụ 2026-02.", field="tháng")]
        ) from None
    cal = _calendar()
    table = Table(title=f"Lịch làm việc tháng {mon}/{year}")
    table.add_column("Ngày")
    table.add_column("Thứ")
    table.add_column("Làm việc")
    table.add_column("Lý do")
    table.add_column("Căn cứ")
    count, doubtful = 0, []
    for day in range(1, _stdcal.monthrange(year, mon)[1] + 1):
        d = date(year, mon, day)
        working = cal.is_working_day(d)
        count += working
        reason = cal.working_reason(d) if working else cal.day_off_reason(d)
        decision = cal.decision(d)
        if decision is not None and decision.uncertain:
            doubtful.append(d)
        table.add_row(format_day(d), weekday_name(d), "có" if working else "nghỉ", reason or "",
                      escape(cal.source_of(d) or ""))
    console = _console()
    console.print(table)
    console.print(f"Tháng {mon}/{year} có {count} ngày làm việc.")
    for d in doubtful:
        console.print(f"Lưu ý: ngày {format_day(d)} chưa chắc chắn; hãy đối chiếu văn bản mới nhất và ghi vào tệp lịch "
                      "của tỉnh (thiết lập calendar_file) nếu khác.")


@app.command("add")
def add(
    start: str = typer.Argument(..., help="Ngày bắt đầu, dạng năm-tháng-ngày."),
    days: int = typer.Argument(..., help="Số ngày làm việc (số âm để lùi; viết sau “--”)."),
) -> None:
    """Count working days from a day (the day itself is not counted) and print the day reached."""
    cal = _calendar()
    d0 = _parse_date(start, "ngày bắt đầu")
    result = cal.add_working_days(d0, days)
    direction = "sau" if days >= 0 else "trước"
    console = _console()
    console.print(
        f"{abs(days)} ngày làm việc {direction} ngày {format_day(d0)} là "
        f"{weekday_name(result)}, ngày {format_day(result)} ({result.isoformat()})."
    )
    if not cal.is_working_day(d0):
        console.print(f"Lưu ý: ngày {format_day(d0)} là ngày nghỉ ({cal.day_off_reason(d0)}), không được tính.")


@app.command("parse")
def parse(
    text: str = typer.Argument(..., help="Cách ghi hạn, ví dụ “16h00 ngày 19/6/2024”."),
    issued_on: str | None = typer.Option(None, "--issued-on", help="Ngày ban hành (năm-tháng-ngày)."),
    upper: str | None = typer.Option(
        None, "--upper", help="Hạn của cấp trên (năm-tháng-ngày hoặc năm-tháng-ngàyTgiờ:phút, giờ Việt Nam)."
    ),
    event: str | None = typer.Option(
        None, "--event", help="Thời điểm của sự kiện (ngày bầu cử, Đại hội), ví dụ 2026-03-15T07:00, giờ Việt Nam."
    ),
) -> None:
    """Read a deadline expression and print its kind, instants (Vietnamese and ISO UTC), meaning and warnings."""
    issued = _parse_date(issued_on, "ngày ban hành") if issued_on else None
    upper_dt = _instant(upper, "hạn cấp trên") if upper else None
    event_dt = _instant(event, "thời điểm sự kiện") if event else None
    cal = _calendar()
    deadline = parse_deadline(text, issued_on=issued, upper_deadline=upper_dt, event=event_dt, calendar=cal)
    console = _console()
    console.print(f"Loại: {KIND_LABELS.get(deadline.kind, 'khác')}")
    if deadline.due is not None:
        console.print(f"Hạn: {format_instant(deadline.due)} ({_iso_utc(deadline.due)})")
    if deadline.opens is not None:
        console.print(f"Bắt đầu: {format_instant(deadline.opens)} ({_iso_utc(deadline.opens)})")
    if deadline.recurrence is not None:
        console.print(f"Lặp lại: {deadline.recurrence}")
    console.print(f"Ý nghĩa: {deadline.meaning}")
    for warning in deadline.warnings:
        console.print(f"Cảnh báo: {warning}")


def _instant(value: str, what: str) -> datetime:
    """An instant typed on the command line, in Vietnam time when no offset is written."""
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(
            [Problem(f"“{value}” không phải là thời điểm hợp lệ; ví dụ 2024-06-21T17:00.", field=what)]
        ) from None
    return at.replace(tzinfo=LOCAL_TZ) if at.tzinfo is None else at


@app.command("link")
def link(
    unit: str = typer.Option(None, "--unit", help="Mã đơn vị: lịch các hạn của đơn vị đó"),
    directive: str = typer.Option(None, "--directive", help="Số văn bản, ví dụ 47-KH/TU: lịch của cả văn bản"),
) -> None:
    """In đường dẫn lịch (.ics) để thêm vào Google Calendar, Outlook hay lịch điện thoại (không cần đăng nhập)."""
    from bootstrap import services
    from rollout.calendar_feed import FeedRef, calendar_secret, feed_path

    if (unit is None) == (directive is None):
        raise typer.BadParameter("Chọn đúng một trong --unit hoặc --directive.")
    settings = services().settings
    ref = FeedRef("unit", unit) if unit is not None else FeedRef("directive", directive)
    path = feed_path(ref, calendar_secret(settings.calendar_secret, settings.home))
    base = (settings.public_url or "http://127.0.0.1:8000").rstrip("/")
    _console().print(f"{base}{path}")
