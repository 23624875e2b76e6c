"""The dispatcher: send what the outbox holds, retry with backoff, never twice for one key.

Each message is claimed, sent and marked in its own short transaction, so a crash loses nothing (the row
stays pending) and at worst re-sends the one message in flight, with the same Message-ID, which mail
systems recognise as the same message. Nothing is sent in quiet hours (outside office hours on working days).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from notifications.channels import AppriseChannel, Channel, ChannelError
from notifications.compose import compose
from rollout.escalate import next_office_instant
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import OutboxRow

__all__ = ["DispatchResult", "MAX_ATTEMPTS", "dispatch"]

MAX_ATTEMPTS = 5


@dataclass
class DispatchResult:
    """What one dispatcher pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    quiet: bool = False  # it is outside office hours: nothing was tried


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, 8… minutes between tries, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def dispatch(
    engine: Engine,
    now: datetime,
    *,
    channel: Channel,
    calendar: WorkingCalendar,
    webhook_channel: Callable[[str], Channel] = lambda url: AppriseChannel([url]),
    limit: int | None = None,
) -> DispatchResult:
    """Send pending outbox rows whose time has come, in order, one transaction per message."""
    result = DispatchResult()
    if next_office_instant(now, calendar) != now:
        result.quiet = True
        return result
    with UnitOfWork(engine) as uow:
        query = select(OutboxRow.id).where(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now).order_by(OutboxRow.id)
        ids = list(uow.session.scalars(query.limit(limit) if limit else query))
    # One session for the pass (directives and units are read once), one commit per message.
    kept_open = getattr(channel, "kept_open", None)
    with UnitOfWork(engine) as uow, (kept_open() if kept_open else nullcontext()):
        for row_id in ids:
            claim = select(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.status == "pending")
            if engine.dialect.name == "postgresql":  # several workers share the outbox
                claim = claim.with_for_update(skip_locked=True)
            row = uow.session.scalar(claim)
            if row is not None:
                _send_one(uow.session, row, now, channel, calendar, webhook_channel, result)
            uow.commit()
    return result


def _send_one(session, row: OutboxRow, now, channel, calendar, webhook_channel, result: DispatchResult) -> None:  # type: ignore[no-untyped-def]
    composed = compose(session, row, now, calendar)
    if composed.cancelled:
        row.status, row.last_error = "cancelled", composed.cancelled
        result.cancelled += 1
        return
    if composed.no_address:
        # Reported, not skipped: it shows in `trienkhai notify list --status failed` and on the dashboard.
        row.status = "failed"
        row.last_error = f"{composed.recipient.name} ({composed.recipient.code}) chưa có địa chỉ email hay webhook"
        result.failed += 1
        return
    envelope = composed.envelope
    assert envelope is not None
    row.attempts += 1
    row.recipients = {"to": envelope.to, "cc": envelope.cc}
    try:
        sent = (channel if envelope.to else webhook_channel(composed.recipient.webhook)).send(envelope)
    except ChannelError as exc:
        row.last_error = str(exc)
        if exc.transient and row.attempts < MAX_ATTEMPTS:
            row.next_attempt_at = next_office_instant(now + backoff(row.attempts), calendar)
            result.retried += 1
        else:
            row.status = "failed"
            result.failed += 1
        return
    row.status, row.sent_at, row.message_id, row.last_error = "sent", now, sent.message_id, None
    result.sent += 1
