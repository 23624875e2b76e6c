"""Reports handed in by API at the same moment, written together: one transaction, one turn for the writer.

Each report keeps its own outcome: the answer recorded earlier under its Idempotency-Key, its refusal (a check
made again under the write lock failed, and it wrote nothing), or its answer, recorded under its key in the same
transaction as the report. Two reports with one key in a group are written one after the other, so the second
finds the first's answer. A group that fails for any other reason is written again one report at a time, so that
one report's failure is its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text, tuple_
from sqlalchemy.exc import IntegrityError

from errors import TrienkhaiError
from rollout.intake import HandedIn, Pending, record_reports
from storage import UnitOfWork
from storage.db import writer_turn
from storage.groups import GroupCommit
from storage.models import IdempotentRequestRow

__all__ = ["QueuedReport", "lock_key", "write_report", "write_reports"]


@dataclass
class QueuedReport:
    """A checked report waiting for its turn, under the account and key it came with, and its outcome."""

    pending: Pending
    account_id: int
    key: str | None
    digest: str
    respond: Callable[[HandedIn], dict[str, Any]]  # the answer of a recorded report, kept under its key
    replay: IdempotentRequestRow | None = None  # the outcome when the key was recorded before
    outcome: dict[str, Any] | TrienkhaiError | None = None  # else the answer, or the refusal
    failure: Exception | None = None  # or what kept it from being written (a server error)

    @property
    def slot(self) -> tuple[int, str] | None:
        """Where its answer is kept: its account and key (None without a key)."""
        return (self.account_id, self.key) if self.key else None


def write_report(engine: Engine, files_dir: Path, job: QueuedReport) -> None:
    """Write `job` together with the reports queued in this process at the same moment; returns when it has its
    outcome."""
    _group_for(engine, files_dir).run(job)


@lru_cache(maxsize=8)
def _group_for(engine: Engine, files_dir: Path) -> GroupCommit[QueuedReport]:
    return GroupCommit(lambda jobs: write_reports(engine, files_dir, jobs), turn=lambda: writer_turn(engine))


def write_reports(engine: Engine, files_dir: Path, jobs: list[QueuedReport]) -> None:
    """Write `jobs` as one group (the caller holds the writer's turn); each gets its outcome or its failure."""
    while jobs:
        group: list[QueuedReport] = []
        later: list[QueuedReport] = []
        slots: set[tuple[int, str] | None] = set()
        for job in jobs:
            (later if job.slot and job.slot in slots else group).append(job)
            slots.add(job.slot)
        try:
            _write_group(engine, files_dir, group)
        except Exception as exc:
            if len(group) == 1:
                group[0].failure = exc
            else:
                write_reports(engine, files_dir, [group[0]])  # each on its own, so that a failure is its own
                write_reports(engine, files_dir, group[1:])
        jobs = later


def _write_group(engine: Engine, files_dir: Path, jobs: list[QueuedReport]) -> None:
    try:
        _write_once(engine, files_dir, jobs)
    except IntegrityError:
        # A copy with the same key, handed to another process, was recorded first: its answer is the answer.
        with UnitOfWork(engine) as work:
            recorded = _recorded(work, jobs)
        if len(jobs) > 1 or not recorded:
            raise
        jobs[0].replay = recorded[jobs[0].slot]


def _write_once(engine: Engine, files_dir: Path, jobs: list[QueuedReport]) -> None:
    with UnitOfWork(engine, writer=True) as work:  # the group's writer_turn is held
        for account, key in sorted(job.slot for job in jobs if job.slot):
            lock_key(work, account, key)
        recorded = _recorded(work, jobs)
        fresh = [job for job in jobs if job.slot not in recorded]
        outcomes: list[dict[str, Any] | TrienkhaiError] = []
        for job, done in zip(fresh, record_reports(work.session, [job.pending for job in fresh], files_dir=files_dir),
                             strict=True):
            if isinstance(done, TrienkhaiError):
                outcomes.append(done)  # refusals are not kept under the key: a corrected retry may pass
                continue
            answer = job.respond(done)
            if job.key:
                work.session.add(IdempotentRequestRow(account_id=job.account_id, key=job.key, request_hash=job.digest,
                                                      status_code=201, response=answer, created_at=job.pending.now))
            outcomes.append(answer)
        work.commit()
    for job in jobs:  # only once committed
        job.replay = recorded.get(job.slot)
    for job, outcome in zip(fresh, outcomes, strict=True):
        job.outcome = outcome


def lock_key(work: UnitOfWork, account_id: int, key: str) -> None:
    """On PostgreSQL, which has no database-wide writer, hold an account's Idempotency-Key until the transaction
    ends: copies of one request queue here until the first commits, and then find its answer."""
    if work.engine.dialect.name == "postgresql":
        slot = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
        work.session.execute(text("SELECT pg_advisory_xact_lock(:account, :slot)"),
                             {"account": account_id, "slot": slot})


def _recorded(work: UnitOfWork, jobs: list[QueuedReport]) -> dict[tuple[int, str] | None, IdempotentRequestRow]:
    slots = [job.slot for job in jobs if job.slot]
    if not slots:
        return {}
    rows = work.session.scalars(select(IdempotentRequestRow).where(
        tuple_(IdempotentRequestRow.account_id, IdempotentRequestRow.key).in_(slots)))
    return {(row.account_id, row.key): row for row in rows}
