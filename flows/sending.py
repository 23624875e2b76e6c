"""The dispatch flow: send what the outbox holds (the dispatcher does the work; this is its Prefect shell)."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, task

from flows.runtime import engine, recorded, run_namer
from notifications.channels import channel_from_settings
from notifications.dispatch import dispatch
from notifications.zalo import zalo_from_settings
from schedules import WorkingCalendar
from settings import get_settings

__all__ = ["dispatch_notifications"]


@task(retries=3, retry_delay_seconds=30)  # the mail server or the database may be away for a moment
def dispatch_pass(now: datetime) -> dict[str, int | bool]:
    """One dispatcher pass; a retried pass sends only what is still pending (claims expire, keys are unique)."""
    settings = get_settings()
    result = dispatch(engine(), now, channel=channel_from_settings(settings),
                      calendar=WorkingCalendar.from_settings(settings), zalo=zalo_from_settings(settings))
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed,
            "cancelled": result.cancelled, "quiet": result.quiet}


@flow(name="dispatch-notifications", flow_run_name=run_namer("gui-thu"), log_prints=True)
def dispatch_notifications(now: datetime | None = None) -> dict[str, int | bool]:
    """The dispatch tick (every few minutes): reminders, đôn đốc letters and escalations go out."""
    with recorded("dispatch") as counts:
        result = dispatch_pass(now or datetime.now(UTC))
        counts.update(result)
    return result
