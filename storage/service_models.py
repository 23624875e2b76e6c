"""Tables of the service itself: each scheduled run as the office sees it, and the files runs write."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, state_type


class RunOutcome(StrEnum):
    """How a run of the service stands: still running (or died without a word), completed, failed."""

    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ServiceRunRow(Base):
    """One run of a deployment (advance, dispatch, weekly): when it started and ended, how, and what it did.

    Written by the run itself, in our database, so the dashboard and `trienkhai status` can tell a live
    service from a dead one without asking Prefect.
    """

    __tablename__ = "service_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))  # advance | dispatch | weekly
    name: Mapped[str] = mapped_column(String(120))  # the flow run's readable name
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(state_type(RunOutcome, "outcome"), default=RunOutcome.RUNNING)
    counts: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_service_runs_job_started", "job", "started_at"),)


class StoredFileRow(Base):
    """A file a run wrote (a weekly report, a letter), kept in the database: every worker writes to the same
    store and the dashboard reads it, whichever machine ran the run. Rewriting a name replaces it."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder: Mapped[str] = mapped_column(String(120))  # e.g. "reports/2026-12-07"
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(120))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    written_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("folder", "name"),)
