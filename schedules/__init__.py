"""Working calendar, deadline expressions, cascades and recurrence for Vietnamese directives."""

from schedules.calendar import WorkingCalendar
from schedules.render import (
    LOCAL_TZ,
    format_day,
    format_day_long,
    format_instant,
    format_short,
    format_time,
    local_date,
    local_datetime,
    to_local,
    to_utc,
    weekday_name,
)

__all__ = [
    "LOCAL_TZ",
    "WorkingCalendar",
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
