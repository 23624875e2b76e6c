"""Deployment schedules: Vietnam local time, next runs computed without a Prefect server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise

from schedules.prefect import deployment_schedules, next_runs
from schedules.render import LOCAL_TZ

AFTER = datetime(2024, 6, 19, 9, 0, tzinfo=UTC)  # 16:00 local, a Wednesday


def test_every_schedule_has_a_slug_and_vietnam_timezone() -> None:
    schedules = deployment_schedules()
    assert set(schedules) == {"weekly-compliance", "reconcile", "dispatch"}
    for name, items in schedules.items():
        assert [s.slug for s in items] == [name]
        assert all(s.timezone == "Asia/Ho_Chi_Minh" for s in items)


def test_next_three_weekly_runs_are_mondays_at_7_local() -> None:
    (weekly,) = deployment_schedules()["weekly-compliance"]
    runs = next_runs(weekly, AFTER, 3)
    assert runs == [
        datetime(2024, 6, 24, 7, 0, tzinfo=LOCAL_TZ),
        datetime(2024, 7, 1, 7, 0, tzinfo=LOCAL_TZ),
        datetime(2024, 7, 8, 7, 0, tzinfo=LOCAL_TZ),
    ]
    assert all(r.weekday() == 0 and r.time() == time(7, 0) for r in runs)


def test_a_run_exactly_at_the_start_is_not_repeated() -> None:
    (weekly,) = deployment_schedules()["weekly-compliance"]
    monday_7 = datetime(2024, 6, 24, 7, 0, tzinfo=LOCAL_TZ)
    assert next_runs(weekly, monday_7, 1) == [datetime(2024, 7, 1, 7, 0, tzinfo=LOCAL_TZ)]


def test_reconcile_is_hourly_and_dispatch_every_five_minutes() -> None:
    (reconcile,) = deployment_schedules()["reconcile"]
    (dispatch,) = deployment_schedules()["dispatch"]
    hourly = next_runs(reconcile, AFTER + timedelta(minutes=1), 3)
    assert [r.minute for r in hourly] == [0, 0, 0]
    assert [b - a for a, b in pairwise(hourly)] == [timedelta(hours=1)] * 2
    assert hourly[0] == datetime(2024, 6, 19, 17, 0, tzinfo=LOCAL_TZ)
    five = next_runs(dispatch, AFTER, 4)
    assert five[0] == datetime(2024, 6, 19, 16, 5, tzinfo=LOCAL_TZ)
    assert [b - a for a, b in pairwise(five)] == [timedelta(minutes=5)] * 3


def test_next_runs_also_works_inside_a_running_event_loop() -> None:
    (weekly,) = deployment_schedules()["weekly-compliance"]

    async def inside() -> list[datetime]:
        return next_runs(weekly, AFTER, 1)

    assert asyncio.run(inside()) == [datetime(2024, 6, 24, 7, 0, tzinfo=LOCAL_TZ)]
