"""Two `trienkhai advance` processes at once, as the office and a service worker (or two workers) may start them:
both finish cleanly and leave the state one uninterrupted advance leaves, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from hierarchy.generate import generate_quang_tri_2017
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork, make_engine, upgrade
from storage.models import EventRow, ObligationRow, OutboxRow, PhaseRow
from storage.units import apply_hierarchy
from tests.conftest import POSTGRES_URL
from tests.notifications.test_delivery import PLAN
from tests.notifications.test_dispatch_concurrency import SECOND_PLAN, THREE_DISTRICTS

# 3/10/2017, 08:00 in Vietnam: the phase opens, every obligation opens and is already past its deadline (29/9),
# and the ladder writes its letters, all in one pass over each directive.
AT = "2017-10-03T08:00"
ROOT = Path(__file__).parents[2]


def issued(url: str, tmp_path: Path) -> None:
    """The Quảng Trị 2017 hierarchy and three directives issued: two to every chi bộ, one to three districts."""
    engine = make_engine(url)
    upgrade(engine)
    plans = [PLAN, SECOND_PLAN, THREE_DISTRICTS.replace('"21-KH/TU"', '"23-KH/TU"')]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, generate_quang_tri_2017(), now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        for index, body in enumerate(plans):
            plan = tmp_path / f"plan-{index}.yaml"
            plan.write_text(body, encoding="utf-8")
            issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="t",
                       calendar=WorkingCalendar())
        uow.commit()
    engine.dispose()


@contextmanager
def copy_of(url: str, tmp_path: Path) -> Iterator[str]:
    """A copy of the database as it is now: SQLite's online backup, or a PostgreSQL database made from it."""
    if url.startswith("sqlite"):
        target = tmp_path / "copy.db"
        with sqlite3.connect(make_url(url).database) as source, sqlite3.connect(target) as copy:  # type: ignore[arg-type]
            source.backup(copy)
        yield f"sqlite:///{target}"
        return
    assert POSTGRES_URL
    original, name = make_url(url).database, f"c_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{original}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def advance_process(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TRIENKHAI_DATABASE_URL": url, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "cli.main", "advance", "--now", AT], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextmanager
def held_until_both_wait(url: str, processes: list[subprocess.Popen[str]]) -> Iterator[None]:
    """Hold the lock every advance takes first until both processes are blocked on it, so that they surely
    run at the same time: SQLite's write lock (seen when each has opened the file), or on PostgreSQL a lock on
    the directives table (seen in pg_stat_activity)."""
    deadline = time.monotonic() + 60
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")

        def opened(pid: int) -> bool:
            fds = Path(f"/proc/{pid}/fd")
            return any(fd.resolve() == path for fd in fds.iterdir() if fd.is_symlink())

        while not all(opened(p.pid) for p in processes):
            assert time.monotonic() < deadline, "the two advances never both opened the database"
            time.sleep(0.1)
        time.sleep(1)  # from opening the file to asking for the write lock: a read of the directives' ids
        yield
        holder.execute("ROLLBACK")
        holder.close()
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.execute(text("LOCK TABLE directives IN EXCLUSIVE MODE"))
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        # Autocommit: pg_stat_activity is read once per transaction.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            while (watcher.scalar(waiting) or 0) < len(processes):
                assert time.monotonic() < deadline, "the two advances never both waited for the directives"
                time.sleep(0.1)
        yield
        conn.rollback()
    engine.dispose()


def counted(output: str, label: str) -> int:
    """A figure of the advance summary line, written the Vietnamese way (3.320)."""
    found = re.search(rf"{label}: ([\d.]+)", output)
    assert found, output
    return int(found.group(1).replace(".", ""))


def state(url: str) -> dict[str, object]:
    """What the reconciler decides: phases, obligation statuses and ladder steps, events, outbox rows."""
    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        s = uow.session
        result: dict[str, object] = {
            "phases": sorted(s.execute(select(PhaseRow.id, PhaseRow.state, PhaseRow.opened_at, PhaseRow.closed_at))),
            "obligations": sorted(s.execute(select(ObligationRow.id, ObligationRow.status,
                                                   ObligationRow.escalation_step, ObligationRow.note))),
            "events": sorted((tuple(e) for e in s.execute(select(EventRow.dedup, EventRow.directive_id,
                                                                 EventRow.obligation_id, EventRow.kind, EventRow.at))),
                             key=lambda e: e[0]),
            "outbox": sorted((r.key, r.directive_id, r.unit_id, r.template, str(r.recipients), str(r.context),
                              r.status, r.attempts, r.next_attempt_at, r.created_at)
                             for r in s.scalars(select(OutboxRow))),
        }
    engine.dispose()
    return result


def test_two_advance_processes_at_once_leave_the_state_of_one(db_url: str, tmp_path: Path) -> None:
    issued(db_url, tmp_path)
    with copy_of(db_url, tmp_path) as copy:
        alone = advance_process(copy)
        alone_out, alone_err = alone.communicate(timeout=600)
        assert alone.returncode == 0, alone_err
        expected = state(copy)
    processes = [advance_process(db_url) for _ in range(2)]
    with held_until_both_wait(db_url, processes):
        assert all(p.poll() is None for p in processes)
    outputs = [p.communicate(timeout=600) for p in processes]
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in out + err and "locked" not in out + err, out + err
    print("two advances:", " | ".join(out.strip() for out, _ in outputs), "— alone:", alone_out.strip())
    got = state(db_url)
    events = got["events"]
    assert isinstance(events, list) and len(events) > 3_000
    assert not [dedup for dedup, n in Counter(e[0] for e in events).items() if n > 1]
    assert {o.status for o in got["obligations"]} == {"overdue"}  # type: ignore[attr-defined]
    assert got == expected
    # Between them the two processes did the work once: every obligation opened, and each letter written, once.
    for label in ("nghĩa vụ mở", "chuyển quá hạn", "thông báo mới"):
        assert sum(counted(out, label) for out, _ in outputs) == counted(alone_out, label), (label, outputs)
