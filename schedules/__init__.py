"""Working calendar, deadline expressions, cascades and recurrence for Vietnamese directives.

`schedules.prefect` (deployment schedules) is not re-exported: it is the only module that imports prefect.
"""

from schedules.calendar import WorkingCalendar
from schedules.cascade import LevelDeadline, cascade
from schedules.expressions import VALID_FORMS, Deadline, parse_deadline
from schedules.recurrence import (
    half_yearly_rule,
    monthly_rule,
    occurrences,
    quarterly_rule,
    rule_for,
    yearly_rule,
)
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
    "VALID_FORMS",
    "Deadline",
    "LevelDeadline",
    "WorkingCalendar",
    "cascade",
    "format_day",
    "format_day_long",
    "format_instant",
    "format_short",
    "format_time",
    "half_yearly_rule",
    "local_date",
    "local_datetime",
    "monthly_rule",
    "occurrences",
    "parse_deadline",
    "quarterly_rule",
    "rule_for",
    "to_local",
    "to_utc",
    "weekday_name",
    "yearly_rule",
]
