"""Prefect deployment schedules of the engine, in Vietnam local time, and their next run times.

The only module of `schedules` that imports prefect. Interval schedules are anchored on a fixed
local midnight so that their run times do not depend on when the deployment was created.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from prefect.schedules import Cron, Interval, Schedule

from schedules.render import LOCAL_TZ, to_local

__all__ = ["TIMEZONE", "deployment_schedules", "next_runs"]

TIMEZONE = "Asia/Ho_Chi_Minh"
_ANCHOR = datetime(2024, 1, 1, tzinfo=LOCAL_TZ)

_T = TypeVar("_T")


def deployment_schedules() -> dict[str, list[Schedule]]:
    """Schedules by flow: weekly compliance on Monday 07:00, hourly reconcile, dispatch every 5 minutes."""
    return {
        "weekly-compliance": [Cron("0 7 * * 1", timezone=TIMEZONE, slug="weekly-compliance")],
        "reconcile": [Interval(timedelta(hours=1), anchor_date=_ANCHOR, timezone=TIMEZONE, slug="reconcile")],
        "dispatch": [Interval(timedelta(minutes=5), anchor_date=_ANCHOR, timezone=TIMEZONE, slug="dispatch")],
    }


def _run(coroutine: Coroutine[Any, Any, _T]) -> _T:
    # get_dates is a coroutine; inside a running event loop (a flow) it runs on a worker thread instead.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def next_runs(schedule: Schedule, after: datetime, n: int) -> list[datetime]:
    """The next n run times strictly after `after`, in local time, computed without a Prefect server."""
    from prefect.server.schemas.schedules import CronSchedule, IntervalSchedule, RRuleSchedule

    server: CronSchedule | IntervalSchedule | RRuleSchedule
    if schedule.cron is not None:
        server = CronSchedule(cron=schedule.cron, timezone=schedule.timezone, day_or=schedule.day_or)
    elif schedule.interval is not None:
        # Validated like the constructor would; the model turns the plain anchor datetime into its own type.
        server = IntervalSchedule.model_validate(
            {"interval": schedule.interval, "anchor_date": schedule.anchor_date, "timezone": schedule.timezone}
        )
    elif schedule.rrule is not None:
        server = RRuleSchedule(rrule=schedule.rrule, timezone=schedule.timezone)
    else:  # pragma: no cover - prefect's Schedule always has one of the three
        raise ValueError("schedule has neither cron, interval nor rrule")
    start = to_local(after)
    # Ask for one more, since the server schema may include `after` itself when it is a run time.
    # Plain datetimes, not prefect's own DateTime type, so callers compare and format them as usual.
    dates = [datetime.fromtimestamp(d.timestamp(), tz=LOCAL_TZ) for d in _run(server.get_dates(n + 1, start=start))]
    return [d for d in dates if d > start][:n]
