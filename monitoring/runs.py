"""The record of each service run, written by the run itself: started, then completed with its counts or failed.

The record is about the real service, so its instants come from the wall clock even when a flow is given a
simulated `now`. It is written in its own short transactions, never in the caller's: a run whose work is
rolled back is still recorded as failed, and the 'running' row is visible while the work goes on.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.exc import SQLAlchemyError

from storage import UnitOfWork
from storage.service_models import ServiceRunRow

__all__ = ["JOB_KEYS", "describe_error", "recorded_run"]

JOB_KEYS = ("advance", "dispatch", "weekly")
ERROR_LIMIT = 500  # enough for "SMTPServerDisconnected: Connection unexpectedly closed" and a path or two


def describe_error(exc: BaseException) -> str:
    """The exception as one short line: its class and its message, cut at ERROR_LIMIT characters."""
    message = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def _json_safe(counts: dict[str, Any]) -> dict[str, Any]:
    # Counts go into a JSON column; a stray datetime or Decimal must not turn a finished run into a failure.
    return json.loads(json.dumps(counts, default=str))


def _start(engine: Engine, job: str, name: str, flow_run_id: object | None) -> int:
    with UnitOfWork(engine) as uow:
        row = ServiceRunRow(
            job=job, name=name[:120], flow_run_id=str(flow_run_id)[:64] if flow_run_id else None,
            host=socket.gethostname()[:120], started_at=datetime.now(UTC), outcome="running",
        )
        uow.session.add(row)
        uow.commit()
        return row.id


def _finish(engine: Engine, run_id: int, outcome: str, counts: dict[str, Any], error: str | None = None) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.execute(
            update(ServiceRunRow).where(ServiceRunRow.id == run_id)
            .values(outcome=outcome, finished_at=datetime.now(UTC), counts=_json_safe(counts), error=error)
        )
        uow.commit()


@contextmanager
def recorded_run(engine: Engine, job: str, *, name: str, flow_run_id: object | None = None) -> Iterator[dict[str, Any]]:
    """Commit a 'running' row now, yield a dict for the run's counts, then record 'completed' with them, or
    'failed' with the error (class and message) and re-raise."""
    if job not in JOB_KEYS:
        raise ValueError(f"unknown service job {job!r}; expected one of {JOB_KEYS}")
    run_id = _start(engine, job, name, flow_run_id)
    counts: dict[str, Any] = {}
    try:
        yield counts
    except BaseException as exc:  # a cancelled or interrupted run is a failed run too; it is re-raised below
        try:
            _finish(engine, run_id, "failed", counts, describe_error(exc))
        except SQLAlchemyError as recording:
            # The run's own error is the one to show; the row stays 'running', which the health rules flag
            # once two intervals pass without a completed run.
            exc.add_note(f"the failure could not be recorded: {describe_error(recording)}")
        raise
    _finish(engine, run_id, "completed", counts)
