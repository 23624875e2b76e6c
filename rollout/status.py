"""Statuses of an obligation as Vietnamese offices name them, and the rules that move between them."""

from __future__ import annotations

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

# The transitions the reconciler and the use cases may make, as data (FROM_STATES -> TO_STATES).
UNFINISHED = frozenset({Status.PENDING, Status.OPEN, Status.OVERDUE})
FINISHED = frozenset({Status.DONE_ON_TIME, Status.DONE_LATE, Status.WAIVED})
TRANSITIONS: dict[str, tuple[frozenset[Status], Status | None]] = {
    "open": (frozenset({Status.PENDING}), Status.OPEN),
    "overdue": (frozenset({Status.PENDING, Status.OPEN}), Status.OVERDUE),
    "submit": (UNFINISHED, None),  # on time or late, decided by the deadline
    "waive": (UNFINISHED, Status.WAIVED),
}


def submitted_status(submitted_at, due_at) -> Status:  # type: ignore[no-untyped-def]
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
