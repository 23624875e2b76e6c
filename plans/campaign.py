"""The window of a recurring obligation (a campaign): its bound, its peaks, and the warnings about its dates.

A recurring obligation ("hàng tháng") runs from its opening (or the issue day) to its bound, the earliest of:
- the bound written in its due ("hàng tháng đến tháng 9/2023", "từ tháng 5 đến tháng 9/2023 hàng tháng");
- its `until` key ("tháng 9/2023", "30/9/2023");
- the end (`due`) of its phase;
and never past the plan's close phase or the default horizon (rollout.issue). No period is due after the bound.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from plans.compiled import ObligationSpec, PhaseSpec
from plans.peaks import peak_obligations
from schedules.recurrence import occurrences
from schedules.render import format_day, format_instant, local_date

if TYPE_CHECKING:
    from schedules import Deadline, WorkingCalendar

__all__ = ["campaign_bound", "first_in_campaign", "peak_obligations", "start_day", "window_warnings"]


def _last_anchor(end: datetime, calendar: WorkingCalendar) -> date:
    """The last anchor day whose period is due by `end`: the day before the next working day after it."""
    # A period is due on its anchor rolled back to a working day, so anchors on the days off that follow
    # `end` (30/9 a Saturday after a due of Friday 29/9) still fall inside the bound.
    return calendar.working_day_on_or_after(local_date(end) + timedelta(days=1)) - timedelta(days=1)


def campaign_bound(
    key: str, due: Deadline | None, until: Deadline | None, phase: PhaseSpec | None,
    calendar: WorkingCalendar, warnings: list[str],
) -> date | None:
    """The earliest of a bounded due, the `until` key and the phase's end; None when nothing bounds it."""
    bounds = [due.until] if due is not None and due.until is not None else []
    if until is not None:
        if due is None or due.recurrence is None:
            warnings.append(f"Nghĩa vụ “{key}”: until chỉ có nghĩa với hạn lặp lại (ví dụ “hàng tháng”), nên bị bỏ qua")
        elif (end := until.due or until.opens) is not None:
            bounds.append(_last_anchor(end, calendar))
    if phase is not None and phase.due is not None:
        bounds.append(_last_anchor(phase.due, calendar))
    return min(bounds) if bounds else None


def window_warnings(
    key: str, phase: PhaseSpec | None, due_by_level: dict[int, datetime], recurrence: str | None,
    until: date | None, warnings: list[str],
) -> None:
    """Warn of a deadline after its phase ends, or of a campaign whose first period is already past its bound."""
    if not due_by_level:
        return
    first = max(due_by_level.values())
    if recurrence is not None and until is not None and local_date(first) > until:
        warnings.append(
            f"Nghĩa vụ “{key}”: lần đầu đến hạn {format_instant(first)}, sau khi đợt thực hiện kết thúc "
            f"ngày {format_day(until)}"
        )
    elif recurrence is None and phase is not None and phase.due is not None and first > phase.due:
        warnings.append(
            f"Nghĩa vụ “{key}”: hạn {format_instant(first)} sau khi giai đoạn “{phase.label_vi}” kết thúc "
            f"({format_instant(phase.due)}); có thể in nhầm ngày"
        )


def start_day(spec: ObligationSpec, issued_on: date) -> date:
    """The first day of an obligation's campaign: its opening, or the issue day."""
    return local_date(spec.opens) if spec.opens is not None else issued_on


def first_in_campaign(due: Deadline | None, opens: datetime | None, calendar: WorkingCalendar) -> Deadline | None:
    """A recurring deadline's first period is the first one due once the campaign (or its phase) has opened."""
    if due is None or due.recurrence is None or due.due is None or opens is None or due.due >= opens:
        return due
    start = local_date(opens)
    found = [d for d in occurrences(due.recurrence, start, start + timedelta(days=800), calendar) if d >= opens]
    if not found:
        return due
    meaning = f"{due.meaning} Đợt thực hiện bắt đầu {format_instant(opens)}: lần đầu {format_instant(found[0])}."
    return replace(due, due=found[0], meaning=meaning)
