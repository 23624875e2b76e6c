"""The health rules on rows a service left behind: fresh, stale after two intervals, failed, never ran, killed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from monitoring import ServiceHealth, service_health
from storage import UnitOfWork
from tests.monitoring.rows import add_run

# 14h05 on 4/12/2026 in Vietnam
T0 = datetime(2026, 12, 4, 7, 5, tzinfo=UTC)
HOUR, MINUTE, DAY = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def _health(engine: Engine, now: datetime) -> ServiceHealth:
    with UnitOfWork(engine) as uow:
        return service_health(uow.session, now)


def _alarms(health: ServiceHealth) -> dict[str, str]:
    return {j.job.key: j.alarm for j in health.alarms}  # type: ignore[misc]


def _healthy_service(engine: Engine) -> None:
    add_run(engine, "advance", T0 - 2 * HOUR)
    add_run(engine, "advance", T0 - HOUR)
    add_run(engine, "dispatch", T0 - 5 * MINUTE)
    add_run(engine, "weekly", T0 - 4 * DAY)


def test_a_service_that_runs_on_time_is_healthy_and_says_when_each_job_last_ran(engine: Engine) -> None:
    _healthy_service(engine)
    health = _health(engine, T0)
    assert health.alarms == [] and health.ever_ran
    # finished 20 s after starting, shown to the minute in Vietnam time
    assert health.line == ("Điều phối lần cuối 13h05 ngày 4/12/2026, gửi thư lần cuối 14h00 ngày 4/12/2026, "
                           "báo cáo tuần lần cuối 14h05 ngày 30/11/2026.")
    assert health.lines[1] == "Gửi thư: lần cuối 14h00 ngày 4/12/2026"
    assert [(j.job.label, j.job.interval) for j in health.jobs] == [
        ("Điều phối", HOUR), ("Gửi thư", 5 * MINUTE), ("Báo cáo tuần", 7 * DAY)]


def test_a_job_is_stale_only_after_two_of_its_intervals_without_a_completed_run(engine: Engine) -> None:
    _healthy_service(engine)
    last_dispatch = T0 - 5 * MINUTE + timedelta(seconds=20)
    assert _alarms(_health(engine, last_dispatch + 10 * MINUTE)) == {}
    alarms = _alarms(_health(engine, last_dispatch + 10 * MINUTE + timedelta(seconds=1)))
    assert alarms == {"dispatch": "chưa hoàn thành lần nào từ 14h00 ngày 4/12/2026"}
    # Three hours without a reconcile, sixteen days without a weekly report: each by its own interval.
    alarms = _alarms(_health(engine, T0 + 12 * DAY))
    assert alarms["advance"] == "chưa hoàn thành lần nào từ 13h05 ngày 4/12/2026"
    assert alarms["weekly"] == "chưa hoàn thành lần nào từ 14h05 ngày 30/11/2026"


def test_a_failed_last_run_is_an_alarm_with_its_error_until_a_run_completes(engine: Engine) -> None:
    _healthy_service(engine)
    add_run(engine, "dispatch", T0, "failed", error="SMTPServerDisconnected: Connection unexpectedly closed")
    alarms = _alarms(_health(engine, T0 + MINUTE))
    assert alarms == {"dispatch": "lần chạy lúc 14h05 ngày 4/12/2026 bị lỗi "
                                  "“SMTPServerDisconnected: Connection unexpectedly closed”"}
    # The next run is under way: not an outcome yet, the failure still stands.
    add_run(engine, "dispatch", T0 + 5 * MINUTE, "running")
    assert set(_alarms(_health(engine, T0 + 6 * MINUTE))) == {"dispatch"}
    add_run(engine, "dispatch", T0 + 10 * MINUTE)
    assert _alarms(_health(engine, T0 + 11 * MINUTE)) == {}


def test_a_run_killed_mid_way_stays_running_and_is_caught_by_the_stale_rule(engine: Engine) -> None:
    _healthy_service(engine)
    add_run(engine, "advance", T0, "running")  # the worker was killed: nobody will ever finish this row
    assert "advance" not in _alarms(_health(engine, T0 + 30 * MINUTE))
    alarms = _alarms(_health(engine, T0 + 3 * HOUR))
    assert alarms["advance"] == ("chưa hoàn thành lần nào từ 13h05 ngày 4/12/2026; lần chạy bắt đầu lúc "
                                 "14h05 ngày 4/12/2026 vẫn chưa kết thúc")


def test_a_job_that_never_completed_is_measured_from_its_first_run(engine: Engine) -> None:
    add_run(engine, "weekly", T0, "running")
    weekly = _health(engine, T0 + DAY).jobs[2]
    assert weekly.last_seen == "chưa hoàn thành lần nào" and weekly.alarm is None
    assert _health(engine, T0 + 15 * DAY).jobs[2].alarm == (
        "chưa hoàn thành lần nào từ 14h05 ngày 4/12/2026; lần chạy bắt đầu lúc 14h05 ngày 4/12/2026 vẫn chưa kết thúc")


def test_a_database_the_service_never_ran_on_raises_no_alarm(engine: Engine) -> None:
    health = _health(engine, T0)
    assert not health.ever_ran and health.alarms == []
    assert health.line == "Điều phối chưa chạy lần nào, gửi thư chưa chạy lần nào, báo cáo tuần chưa chạy lần nào."


def test_a_job_that_never_ran_while_the_others_do_is_an_alarm_after_two_of_its_intervals(engine: Engine) -> None:
    add_run(engine, "advance", T0)
    add_run(engine, "dispatch", T0)
    add_run(engine, "advance", T0 + 13 * DAY)
    add_run(engine, "dispatch", T0 + 13 * DAY)
    health = _health(engine, T0 + 13 * DAY + MINUTE)
    assert health.alarms == [] and health.jobs[2].last_seen == "chưa chạy lần nào"
    add_run(engine, "advance", T0 + 15 * DAY)
    add_run(engine, "dispatch", T0 + 15 * DAY)
    assert _alarms(_health(engine, T0 + 15 * DAY + MINUTE)) == {"weekly": "chưa chạy lần nào từ 14h05 ngày 4/12/2026"}
