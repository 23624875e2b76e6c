"""The dispatch flow: send what the outbox holds (the dispatcher does the work; this is its Prefect shell)."""

from __future__ import annotations

from datetime import datetime

from prefect import flow, task

from flows.runtime import recorded, run_namer, services
from notifications.dispatch import dispatch

__all__ = ["dispatch_notifications"]


@task(retries=3, retry_delay_seconds=30)  # the mail server or the database may be away for a moment
def dispatch_pass(now: datetime) -> dict[str, int | bool]:
    """One dispatcher pass; a retried pass sends only what is still pending (claims expire, keys are unique)."""
    wired = services()
    result = dispatch(wired.engine, now, channel=wired.channel(), calendar=wired.calendar, zalo=wired.zalo())
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed,
            "cancelled": result.cancelled, "quiet": result.quiet}


@flow(name="dispatch-notifications", flow_run_name=run_namer("gui-thu"), log_prints=True)
def dispatch_notifications(now: datetime | None = None) -> dict[str, int | bool]:
    """The dispatch tick (every few minutes): reminders, đôn đốc letters and escalations go out."""
    with recorded("dispatch") as counts:
        result = dispatch_pass(now or services().now())
        counts.update(result)
    return result
