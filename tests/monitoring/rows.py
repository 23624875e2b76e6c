"""Service runs written straight into the table, as a service that ran (or died) at chosen instants left them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from storage import UnitOfWork
from storage.service_models import ServiceRunRow


def add_run(engine: Engine, job: str, started: datetime, outcome: str = "completed", *,
            took: timedelta = timedelta(seconds=20), error: str | None = None, name: str | None = None) -> None:
    """One run of `job` started at `started`; a finished one ended `took` later."""
    with UnitOfWork(engine) as uow:
        uow.session.add(ServiceRunRow(
            job=job, name=name or f"{job}-{started:%Y-%m-%d-%H%M}", flow_run_id=None, host="may-chu-1",
            started_at=started, finished_at=None if outcome == "running" else started + took, outcome=outcome,
            counts={}, error=error,
        ))
        uow.commit()
