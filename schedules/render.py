"""Show dates and instants the way Vietnamese documents write them, and convert between UTC and local time.

Instants are stored in UTC and shown in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
A naive datetime is taken to be UTC everywhere in this module, because that is how storage hands
them back; anything a person typed must be made aware (local) before it reaches here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

__all__ = [
    "LOCAL_TZ",
    "format_day",
    "format_day_long",
    "format_instant",
    "format_short",
    "format_time",
    "local_date",
    "local_datetime",
    "to_local",
    "to_utc",
    "weekday_name",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def to_utc(dt: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken as UTC already."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def to_local(dt: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh; a naive datetime is taken as UTC."""
    return to_utc(dt).astimezone(LOCAL_TZ)


def local_date(dt: datetime) -> date:
    """The calendar day in Vietnam on which the instant falls."""
    return to_local(dt).date()


def local_datetime(d: date, t: time) -> datetime:
    """The aware instant at wall-clock time t on day d in Vietnam."""
    return datetime.combine(d, t, tzinfo=LOCAL_TZ)


def weekday_name(d: date) -> str:
    """Vietnamese weekday name: Monday is "thứ Hai", Sunday is "Chủ nhật"."""
    return _WEEKDAYS[d.weekday()]


def format_day(d: date) -> str:
    """Short day as written in documents, no leading zeros: 19/6/2024."""
    return f"{d.day}/{d.month}/{d.year}"


def format_day_long(d: date) -> str:
    """Long day as written in document headers: ngày 30 tháng 6 năm 2017."""
    return f"ngày {d.day} tháng {d.month} năm {d.year}"


def format_time(dt: datetime) -> str:
    """Local wall-clock time as "16 giờ 00" (minutes always two digits)."""
    local = to_local(dt)
    return f"{local.hour} giờ {local.minute:02d}"


def format_instant(dt: datetime) -> str:
    """Full local instant: "16 giờ 00, thứ Tư, ngày 19/6/2024"."""
    local = to_local(dt)
    return f"{format_time(local)}, {weekday_name(local.date())}, ngày {format_day(local.date())}"


def format_short(dt: datetime) -> str:
    """Compact local instant: "16h00 ngày 19/6/2024"."""
    local = to_local(dt)
    return f"{local.hour}h{local.minute:02d} ngày {format_day(local.date())}"
