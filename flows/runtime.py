"""What every flow of the service shares: the process's services (`bootstrap`), readable run names, and the record
of each run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from bootstrap import services
from monitoring import recorded_run
from schedules.render import to_local
from storage import UnitOfWork

__all__ = ["engine", "recorded", "run_namer", "services", "uow"]


def engine() -> Engine:
    """The configured database, opened (and, for the embedded SQLite file, migrated) once per process."""
    return services().engine


def uow(*, writer: bool = False) -> UnitOfWork:
    """A unit of work on the configured database; `writer` for read-then-write work (see UnitOfWork)."""
    return UnitOfWork(engine(), writer=writer)


def run_namer(prefix: str) -> Callable[[], str]:
    """Flow runs are named by what they do and when, in Vietnam time: "gui-thu-2026-12-04-2230"."""
    def name() -> str:
        return f"{prefix}-{to_local(services().now()):%Y-%m-%d-%H%M}"
    return name


@contextmanager
def recorded(job: str) -> Iterator[dict[str, Any]]:
    """Record this flow run in our own database (start, end, outcome, counts), for the dashboard and `status`."""
    from prefect.runtime import flow_run

    with recorded_run(engine(), job, name=flow_run.name or job, flow_run_id=flow_run.id) as counts:
        yield counts
