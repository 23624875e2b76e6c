"""Deadlines down the hierarchy: each level reports a few working days before the level above it.

Rules:
- Level 0 is the top: its deadline is `top_due` as given (the deadline owed to the issuer).
- Level i is due at the end of office hours of the day lead_days[i-1] working days before level i-1's
  day, but never later than level i-1's own due (a parent due at 16h00 keeps its child at or before 16h00).
- Every level needs at least one working day after the plan is issued: the earliest allowed due is
  the end of office hours of the first working day after `issued_at`'s day. A level computed earlier
  than that is either moved to that earliest moment (policy "clamp", still never after its parent)
  with a Vietnamese warning, or refused (policy "error", DeadlineError listing every level at fault).
  Nothing is ever changed silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from errors import DeadlineError, Problem
from schedules.calendar import WorkingCalendar
from schedules.render import format_day, format_instant, local_date, to_local

__all__ = ["LevelDeadline", "cascade"]


@dataclass(frozen=True)
class LevelDeadline:
    """The deadline of one level of the cascade (0 = top) and any warning about how it was set."""

    level: int
    due: datetime
    warnings: list[str] = field(default_factory=list)

    @property
    def clamped(self) -> bool:
        """True when the computed deadline was too early and had to be moved."""
        return bool(self.warnings)


def cascade(
    top_due: datetime,
    lead_days: Sequence[int],
    *,
    issued_at: datetime,
    calendar: WorkingCalendar | None = None,
    policy: Literal["clamp", "error"] = "clamp",
) -> list[LevelDeadline]:
    """Deadlines of the top and each lower level; a child's deadline is never after its parent's."""
    if policy not in ("clamp", "error"):
        raise ValueError(f"policy must be 'clamp' or 'error', not {policy!r}")
    cal = calendar or WorkingCalendar()
    bad = [(i, n) for i, n in enumerate(lead_days, start=1) if n < 0]
    if bad:
        raise DeadlineError(
            [
                Problem(f"Số ngày làm việc đi trước của cấp {i} là {n}; phải là số nguyên không âm (0, 1, 2, …).")
                for i, n in bad
            ]
        )
    earliest = cal.end_of_office_hours(cal.add_working_days(local_date(issued_at), 1))
    why = f"cần ít nhất 1 ngày làm việc sau ngày ban hành {format_day(local_date(issued_at))}"

    top = to_local(top_due)
    problems: list[Problem] = []
    top_warnings: list[str] = []
    if top < earliest:
        text = (
            f"Cấp 0 (cấp trên cùng): hạn {format_instant(top)} sớm hơn hạn sớm nhất cho phép là "
            f"{format_instant(earliest)}, vì {why}; hạn này do cấp trên giao nên giữ nguyên, "
            "các cấp dưới không thể có hạn muộn hơn."
        )
        top_warnings.append(text)
        problems.append(Problem(text, field="cấp 0"))
    levels = [LevelDeadline(0, top, top_warnings)]

    for i, lead in enumerate(lead_days, start=1):
        parent = levels[-1].due
        day = cal.add_working_days(local_date(parent), -lead)
        due = min(cal.end_of_office_hours(day), parent)
        warnings: list[str] = []
        if due < earliest:
            moved = min(earliest, parent)
            text = (
                f"Cấp {i}: hạn tính được là {format_instant(due)} ({lead} ngày làm việc trước hạn của cấp {i - 1}), "
                f"sớm hơn hạn sớm nhất cho phép là {format_instant(earliest)}, vì {why}"
            )
            problems.append(Problem(text + ".", field=f"cấp {i}"))
            warnings.append(f"{text}; đã dời hạn đến {format_instant(moved)}.")
            due = moved
        levels.append(LevelDeadline(i, due, warnings))

    if policy == "error" and problems:
        raise DeadlineError(problems, title="Không thể chia hạn cho các cấp")
    return levels
