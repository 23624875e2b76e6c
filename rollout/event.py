"""The event of an issued directive (the conference, the forum, the election day) as people are told about it.

Read from the plan as issued (`stored_plan.plan_of`): what, when, where, who hosts, who takes part, how many
delegates and awards, and the quotas allocated for it. The CLI, the dashboard, the announcement and the
reminders all show the event through `event_of`, so that they say the same thing the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import formats
from errors import InputError
from rollout.stored_plan import plan_of
from schedules import WorkingCalendar
from schedules.expressions import parse_deadline
from storage.models import DirectiveRow, QuotaRow, UnitRow
from storage.units import subtree_bounds

__all__ = ["EventView", "QuotaLine", "event_of", "quota_lines"]

# Award keys as plans write them, said in words; another key is shown with its underscores as spaces.
AWARD_WORDS = {"tap_the": "tập thể", "ca_nhan": "cá nhân", "gia_dinh": "gia đình", "don_vi": "đơn vị"}


@dataclass(frozen=True)
class QuotaLine:
    """A quota of the directive: its label, the amount (for one unit, or in total) and what it counts."""

    label: str
    amount: int
    unit_label: str

    def text(self) -> str:
        """“Số đại biểu dự Đại hội: 5 đại biểu”."""
        return f"{self.label}: {formats.number(self.amount)} {self.unit_label}"


@dataclass(frozen=True)
class EventView:
    """The event as shown: `at` is its instant (None when the plan names a window), `when` as people write it,
    `by` the instant a calendar files it under (a window's end)."""

    title: str
    at: datetime | None
    by: datetime | None
    when: str
    place: str | None
    host: str | None
    participants: tuple[str, ...]
    delegates: int | None
    awards: tuple[tuple[str, int], ...]

    def sizes(self) -> str | None:
        """“80 đại biểu; khen thưởng 12 tập thể, 12 cá nhân”, or None when the plan gives neither."""
        parts = [f"{formats.number(self.delegates)} đại biểu"] if self.delegates is not None else []
        if self.awards:
            parts.append("khen thưởng " + ", ".join(
                f"{formats.number(n)} {AWARD_WORDS.get(k, k.replace('_', ' '))}" for k, n in self.awards))
        return "; ".join(parts) or None

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) for each part the plan gives, in the order a notice lists them."""
        out = [("Thời gian", self.when)]
        if self.place:
            out.append(("Địa điểm", self.place))
        if self.host:
            out.append(("Đơn vị tổ chức", self.host))
        if self.participants:
            out.append(("Thành phần", "; ".join(self.participants)))
        sizes = self.sizes()
        if sizes:
            out.append(("Số lượng", sizes))
        return out


def event_of(session: Session, directive: DirectiveRow, calendar: WorkingCalendar | None = None) -> EventView | None:
    """The directive's event, or None; its time is read as the compiler reads it, and a window ("trong tháng
    11/2020") or a text this version cannot read is shown as the plan wrote it."""
    plan = plan_of(directive)
    event = plan.event
    if event is None:
        return None
    try:
        read = parse_deadline(event.at, issued_on=plan.directive.issued_on, calendar=calendar or WorkingCalendar())
    except InputError:
        read = None
    at = read.due if read is not None and read.opens is None else None
    by = (read.due or read.opens) if read is not None else None
    host = None
    if event.host is not None:
        host = session.scalar(select(UnitRow.name).where(UnitRow.code == event.host)) or event.host
    return EventView(
        title=event.title, at=at, by=by, when=formats.format_short(at) if at is not None else event.at,
        place=event.place, host=host, participants=tuple(event.participants), delegates=event.delegates,
        awards=tuple(sorted(event.awards.items())),
    )


def quota_lines(session: Session, directive: DirectiveRow, unit: UnitRow | None = None) -> list[QuotaLine]:
    """The directive's quotas as allocated to `unit` and the units under it (a district Đoàn hears what its
    grassroots Đoàn bring), or over every unit when `unit` is None; quotas that give nothing are left out."""
    query = select(QuotaRow.name, func.sum(QuotaRow.amount)).where(QuotaRow.directive_id == directive.id)
    if unit is not None:
        lo, hi = subtree_bounds(unit.path)
        query = query.join(UnitRow, UnitRow.id == QuotaRow.unit_id).where(UnitRow.path >= lo, UnitRow.path < hi)
    amounts = {name: amount for name, amount in session.execute(query.group_by(QuotaRow.name))}
    return [QuotaLine(q.label, int(amounts[q.name]), q.unit_label)
            for q in plan_of(directive).quotas if amounts.get(q.name)]
