"""Monitoring: each service run records itself, the health rules read those records, the doctor checks the setup.

    with recorded_run(engine, "dispatch", name=run_name, flow_run_id=run_id) as counts:
        counts.update(sent=…)

    service_health(session, now).alarms     # the dashboard banner and `trienkhai status`
    run_checks(get_settings, api_url, now)  # `trienkhai doctor`
"""

from __future__ import annotations

from monitoring.doctor import Check, prefect_api_url, run_checks
from monitoring.health import ADVICE, JOBS, Job, JobHealth, Run, ServiceHealth, service_health
from monitoring.runs import recorded_run

__all__ = [
    "ADVICE",
    "JOBS",
    "Check",
    "Job",
    "JobHealth",
    "Run",
    "ServiceHealth",
    "prefect_api_url",
    "recorded_run",
    "run_checks",
    "service_health",
]
