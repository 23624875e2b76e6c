"""Is the service alive? Per job, the last run and the last completed run, and the rules that raise an alarm.

A job is in alarm when its last finished run failed, or when no run of it has completed for more than two
of its intervals. A run killed mid-way never finishes: its row stays 'running', and the second rule catches
it. A job with no run at all is "never ran"; it turns into an alarm only once the service has recorded some
run (of any job) more than two of this job's intervals ago, so a database the service never touched raises
nothing, and a service that runs everything but the weekly report is caught after two weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, literal_column, select, union_all
from sqlalchemy.orm import Session

from schedules.render import format_short
from storage.base import table_of
from storage.service_models import ServiceRunRow

__all__ = [
    "ADVICE", "DEPLOYMENT", "JOBS", "STALE_INTERVALS", "Job", "JobHealth", "Run", "ServiceHealth", "judge",
    "service_health",
]

STALE_INTERVALS = 2
ADVICE = "Hãy kiểm tra bằng lệnh `trienkhai doctor` trên máy chủ."


@dataclass(frozen=True)
class Job:
    """One scheduled job of the service: its key in the table, its name for people, how often it runs."""

    key: str
    label: str
    interval: timedelta
    flow: str  # the Prefect flow whose deployment runs it


DEPLOYMENT = "trienkhai"  # the deployment name of every flow of the service (flows/deploy.py)
JOBS = (
    Job("advance", "Điều phối", timedelta(hours=1), "advance-rollouts"),
    Job("dispatch", "Gửi thư", timedelta(minutes=5), "dispatch-notifications"),
    Job("weekly", "Báo cáo tuần", timedelta(days=7), "weekly-compliance"),
)


@dataclass(frozen=True)
class Run:
    """What the health rules need of one recorded run."""

    name: str
    host: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str  # running | completed | failed
    error: str | None = None


@dataclass(frozen=True)
class JobHealth:
    """A job's last run, last completed run, and why it is in alarm (None when it is not); `failed_run` is the
    failed run that raised the alarm, if that is the reason."""

    job: Job
    last_run: Run | None
    last_completed: Run | None
    alarm: str | None
    failed_run: Run | None = None

    @property
    def ever_ran(self) -> bool:
        """A job with no recorded run at all."""
        return self.last_run is not None

    @property
    def last_seen(self) -> str:
        """When the job last completed, as people write it, or that it never did."""
        if self.last_completed is not None:
            return f"lần cuối {format_short(self.last_completed.finished_at or self.last_completed.started_at)}"
        return "chưa hoàn thành lần nào" if self.ever_ran else "chưa chạy lần nào"


@dataclass(frozen=True)
class ServiceHealth:
    """The three jobs, in the order the office reads them."""

    jobs: tuple[JobHealth, ...]

    @property
    def ever_ran(self) -> bool:
        """Whether the service ever recorded a run in this database."""
        return any(j.ever_ran for j in self.jobs)

    @property
    def alarms(self) -> list[JobHealth]:
        """The jobs in alarm."""
        return [j for j in self.jobs if j.alarm]

    @property
    def line(self) -> str:
        """One sentence: "Điều phối lần cuối …, gửi thư lần cuối …, báo cáo tuần lần cuối …"."""
        parts = [f"{j.job.label if i == 0 else j.job.label.lower()} {j.last_seen}" for i, j in enumerate(self.jobs)]
        return ", ".join(parts) + "."

    @property
    def lines(self) -> list[str]:
        """One line per job: "Điều phối: lần cuối …"."""
        return [f"{j.job.label}: {j.last_seen}" for j in self.jobs]

    @property
    def alarm_texts(self) -> list[str]:
        """One sentence per job in alarm: "Gửi thư: lần chạy lúc … bị lỗi “…”"."""
        return [f"{j.job.label}: {j.alarm}" for j in self.alarms]


def judge(job: Job, now: datetime, *, last_run: Run | None, last_completed: Run | None, last_finished: Run | None,
          first_run: Run | None, service_started: datetime | None) -> JobHealth:
    """The alarm rules: the last finished run failed; or nothing completed for more than two intervals (since
    the last completion, the job's first run, or the service's first run, whichever applies)."""
    limit = STALE_INTERVALS * job.interval
    alarm, failed = None, None
    if last_finished is not None and last_finished.outcome == "failed":
        failed = last_finished
        error = last_finished.error or "không rõ lỗi"
        alarm = f"lần chạy lúc {format_short(last_finished.started_at)} bị lỗi “{error}”"
    elif last_completed is not None:
        since = last_completed.finished_at or last_completed.started_at
        if now - since > limit:
            alarm = f"chưa hoàn thành lần nào từ {format_short(since)}"
    elif first_run is not None:
        if now - first_run.started_at > limit:
            alarm = f"chưa hoàn thành lần nào từ {format_short(first_run.started_at)}"
    elif service_started is not None and now - service_started > limit:
        alarm = f"chưa chạy lần nào từ {format_short(service_started)}"
    if alarm and last_run is not None and last_run.outcome == "running" and now - last_run.started_at > limit:
        alarm += f"; lần chạy bắt đầu lúc {format_short(last_run.started_at)} vẫn chưa kết thúc"
    return JobHealth(job, last_run, last_completed, alarm, failed)


_T = table_of(ServiceRunRow)
_COLUMNS = (_T.c.job, _T.c.name, _T.c.host, _T.c.started_at, _T.c.finished_at, _T.c.outcome, _T.c.error)
_PICKS = {  # kind: (extra condition, newest first?)
    "last": (None, True),
    "completed": (_T.c.outcome == "completed", True),
    "finished": (_T.c.outcome != "running", True),
    "first": (None, False),
}


def _pick(job: str, kind: str) -> Select[Any]:
    condition, newest = _PICKS[kind]
    order = (_T.c.started_at.desc(), _T.c.id.desc()) if newest else (_T.c.started_at.asc(), _T.c.id.asc())
    query = select(literal_column(f"'{kind}'").label("kind"), *_COLUMNS).where(_T.c.job == job)
    if condition is not None:
        query = query.where(condition)
    # Each pick walks the (job, started_at) index from one end and stops at its first row.
    return select(query.order_by(*order).limit(1).subquery())


def service_health(session: Session, now: datetime) -> ServiceHealth:
    """Health of the three jobs at `now` (the real clock: this is about the service, not a simulated day),
    read in one statement of twelve index lookups."""
    rows = session.execute(union_all(*(_pick(job.key, kind) for job in JOBS for kind in _PICKS))).all()
    found: dict[tuple[str, str], Run] = {
        (r.job, r.kind): Run(r.name, r.host, r.started_at, r.finished_at, r.outcome, r.error) for r in rows
    }
    firsts = [found[(job.key, "first")].started_at for job in JOBS if (job.key, "first") in found]
    service_started = min(firsts) if firsts else None
    return ServiceHealth(tuple(
        judge(job, now, last_run=found.get((job.key, "last")), last_completed=found.get((job.key, "completed")),
              last_finished=found.get((job.key, "finished")), first_run=found.get((job.key, "first")),
              service_started=service_started)
        for job in JOBS
    ))
