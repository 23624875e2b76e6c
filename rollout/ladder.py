"""The escalation ladder as data: which step fires how many working days from a deadline, to whom.

Pure rules (no database): the reconciler asks `step_reached` for each distinct deadline and writes
the outbox rows itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from plans.schema import Plan, Signer
from schedules import WorkingCalendar
from schedules.render import to_local

Action = Literal["remind", "chase", "escalate_superior", "escalate_issuer"]

# Which template each action renders.
TEMPLATES: dict[str, str] = {
    "remind": "nhac_han",
    "chase": "cong_van_don_doc",
    "escalate_superior": "leo_thang",
    "escalate_issuer": "leo_thang",
}


@dataclass(frozen=True)
class Step:
    """One rung: `offset` working days from the deadline (negative: before it), what to do, who signs (None: the
    default signer) and whether a reminder or letter goes through the line or direct (None: the default)."""

    offset: int
    action: Action
    signer: Signer | None = None
    channel: Literal["line", "direct"] | None = None
    # The carriers of the rung's messages in the order to try them (plans.schema.EscalationStep.channels).
    channels: tuple[str, ...] | None = None

    def through_line(self, plan_channel: str) -> bool:
        """Reminders go direct and đôn đốc letters as the plan's chase_channel says, unless the rung says
        otherwise; escalations always go up to an office, never through the line."""
        if self.action not in ("remind", "chase"):
            return False
        default = plan_channel if self.action == "chase" else "direct"
        return (self.channel or default) == "line"


# The default ladder (a plan may give its own): remind 3 working days before; a đôn đốc letter with the
# superior in copy 1 day after; escalate to the superior's standing office at 5, to the issuing office at 10.
DEFAULT_LADDER: tuple[Step, ...] = (
    Step(-3, "remind"),
    Step(1, "chase"),
    Step(5, "escalate_superior"),
    Step(10, "escalate_issuer"),
)


def fires_at(due: datetime, step: Step, calendar: WorkingCalendar) -> datetime:
    """A step fires when offices open on the working day `offset` working days from the deadline's day."""
    day = calendar.add_working_days(to_local(due).date(), step.offset)
    return calendar.start_of_office_hours(day)


def step_reached(due: datetime, now: datetime, ladder: tuple[Step, ...], calendar: WorkingCalendar) -> int:
    """How many rungs have fired by `now` (0 = none). Only the highest new rung is sent, so a reconciler
    that was stopped for a week sends one letter, not a burst of stale reminders."""
    reached = 0
    for number, step in enumerate(ladder, start=1):
        if fires_at(due, step, calendar) <= now:
            reached = number
    return reached


def ladder_from_plan(plan: Plan) -> tuple[Step, ...]:
    """The plan's own ladder (`escalation:` list of {offset, action, signer, channel, channels}), or the default one."""
    if not plan.escalation:
        return DEFAULT_LADDER
    return tuple(sorted((Step(s.offset, s.action, s.signer, s.channel, tuple(s.channels) if s.channels else None)
                         for s in plan.escalation),
                        key=lambda s: s.offset))
