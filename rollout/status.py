"""Statuses of an obligation, states of a directive, a phase and an outbox message, as Vietnamese offices name
them, and the rules that move between them: the one vocabulary the database accepts (storage maps each column to
its enum, and a CHECK constraint refuses any other value)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    """Status of one obligation of one unit."""

    PENDING = "pending"  # chưa đến hạn: its window has not opened
    OPEN = "open"  # đang thực hiện trong hạn: open, deadline not passed
    DONE_ON_TIME = "done_on_time"  # hoàn thành đúng hạn
    DONE_LATE = "done_late"  # hoàn thành quá hạn
    OVERDUE = "overdue"  # quá hạn chưa hoàn thành
    WAIVED = "waived"  # miễn

    @property
    def label(self) -> str:
        """The Vietnamese name of the status."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.PENDING: "chưa đến hạn",
    Status.OPEN: "đang thực hiện trong hạn",
    Status.DONE_ON_TIME: "hoàn thành đúng hạn",
    Status.DONE_LATE: "hoàn thành quá hạn",
    Status.OVERDUE: "quá hạn chưa hoàn thành",
    Status.WAIVED: "miễn",
}

# The reason the reconciler writes on what a unit closed by a hierarchy re-import still owed.
CLOSED_REASON = "đơn vị đã giải thể/sáp nhập"

# Status groups, each defined once.
UNFINISHED = frozenset({Status.PENDING, Status.OPEN, Status.OVERDUE})  # still owed (amendments move these)
CHASED = frozenset({Status.OPEN, Status.OVERDUE})  # owed now: reminders and đôn đốc letters are about these
FINISHED = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE, Status.WAIVED})
REPORTED = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE})  # a report is recorded: it may be corrected


@dataclass(frozen=True)
class Transition:
    """A move an obligation may make: from any of `sources` to `target` (None: decided by the deadline)."""

    sources: frozenset[Status]
    target: Status | None

    def allows(self, status: str) -> bool:
        """Whether an obligation in `status` may make this move."""
        return Status(status) in self.sources


# The moves the reconciler and the use cases make, as data (as Prefect's FROM_STATES -> TO_STATES); the
# reconciler's statements and the actions' checks are built from this table.
TRANSITIONS: dict[str, Transition] = {
    "open": Transition(frozenset({Status.PENDING}), Status.OPEN),  # its window started, its phase is open
    "overdue": Transition(frozenset({Status.OPEN}), Status.OVERDUE),  # open and past its deadline
    "submit": Transition(UNFINISHED, None),  # on time or late, decided by the deadline
    "waive": Transition(UNFINISHED, Status.WAIVED),
}


class DirectiveState(StrEnum):
    """Where a directive's rollout stands: only an active one is advanced and chased."""

    ACTIVE = "active"  # đang triển khai
    HELD = "held"  # tạm dừng
    ABORTED = "aborted"  # đã hủy

    @property
    def label(self) -> str:
        """The Vietnamese name of the state."""
        return {"active": "đang triển khai", "held": "tạm dừng", "aborted": "đã hủy"}[self.value]


@dataclass(frozen=True)
class StateChange:
    """An action on a whole directive: from any of `sources` to `target`, and its Vietnamese verb."""

    sources: frozenset[DirectiveState]
    target: DirectiveState
    verb: str


# The actions on a directive's rollout, each always with a reason (rollout.actions.set_state).
DIRECTIVE_CHANGES: dict[str, StateChange] = {
    "hold": StateChange(frozenset({DirectiveState.ACTIVE}), DirectiveState.HELD, "tạm dừng"),
    "resume": StateChange(frozenset({DirectiveState.HELD}), DirectiveState.ACTIVE, "tiếp tục"),
    "abort": StateChange(frozenset({DirectiveState.ACTIVE, DirectiveState.HELD}), DirectiveState.ABORTED, "hủy"),
}


class PhaseState(StrEnum):
    """A phase waits for its window and gate, is open, then closed when the next one opens (rollout.reconcile)."""

    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


class OutboxStatus(StrEnum):
    """A message of the outbox: waiting (or retrying), sent, failed for good, or cancelled because nothing it was
    about is still owed when its turn came (notifications.dispatch)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


def values(statuses: Iterable[Status]) -> list[str]:
    """The stored values of a group of statuses, sorted (for SQL `IN`)."""
    return sorted(s.value for s in statuses)


def submitted_status(submitted_at: datetime, due_at: datetime | None) -> Status:
    """A submission is on time when it arrives no later than the deadline (an open deadline is never late)."""
    return Status.DONE_ON_TIME if due_at is None or submitted_at <= due_at else Status.DONE_LATE


def share_on_time(counts: dict[str, int]) -> float | None:
    """Share of due obligations done on time: on time ÷ (done + overdue); waived and not-yet-due excluded."""
    due = counts.get(Status.DONE_ON_TIME, 0) + counts.get(Status.DONE_LATE, 0) + counts.get(Status.OVERDUE, 0)
    return None if due == 0 else counts.get(Status.DONE_ON_TIME, 0) / due


class StatusCounts:
    """Mixin for anything that carries `counts` (status -> number): its total and its share on time."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def share_on_time(self) -> float | None:
        return share_on_time(self.counts)
