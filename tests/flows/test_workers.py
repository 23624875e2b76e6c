"""Several machines' worth of service on PostgreSQL: a Prefect server on PostgreSQL, trienkhai on PostgreSQL,
deployments declared once, two `prefect worker start --pool trienkhai` processes sharing the runs."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from rollout.reconcile import advance_each
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import EventRow, ObligationRow, OutboxRow
from tests.conftest import POSTGRES_URL
from tests.flows.service_harness import (
    OPENED_AT,
    REMIND_AT,
    Service,
    issued_database,
    kill_machine,
    later,
    outbox_counts,
)
from tests.notifications.smtp_sink import Sink, free_port, start

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases: trienkhai's, and the Prefect server's (asyncpg)."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not started (set TRIENKHAI_TEST_POSTGRES_URL; ./dev test starts one)")
    names = [f"t_{uuid.uuid4().hex[:10]}", f"p_{uuid.uuid4().hex[:10]}"]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(POSTGRES_URL)
    try:
        yield (base.set(database=names[0]).render_as_string(hide_password=False),
               base.set(drivername="postgresql+asyncpg", database=names[1]).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def state(engine) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """What the reconciler decided: obligations open or overdue, events, outbox rows."""
    with UnitOfWork(engine) as uow:
        s = uow.session
        return (s.scalar(select(func.count()).select_from(ObligationRow).where(ObligationRow.status != "pending")) or 0,
                s.scalar(select(func.count()).select_from(EventRow)) or 0,
                s.scalar(select(func.count()).select_from(OutboxRow)) or 0)


def single_run_state(tmp_path: Path) -> tuple[int, int, int]:
    """The same two reconcile ticks, once each, uninterrupted, on a separate database."""
    engine = issued_database(f"sqlite:///{tmp_path / 'single.db'}", tmp_path)
    for at in (OPENED_AT, REMIND_AT):
        advance_each(engine, at, calendar=WorkingCalendar())
    counted = state(engine)
    engine.dispose()
    return counted


def test_two_workers_share_runs_and_send_each_letter_once(databases: tuple[str, str], tmp_path: Path) -> None:
    trienkhai_url, prefect_url = databases
    engine = issued_database(trienkhai_url, tmp_path)
    expected = single_run_state(tmp_path)
    sink, smtp_port = Sink(), free_port()
    smtp = start(smtp_port, sink)
    service = Service(tmp_path, trienkhai_url, smtp_port, prefect_db=prefect_url)
    try:
        service.prefect_server()
        declared = service.trienkhai("deploy", "--api-url", service.api)
        assert declared.returncode == 0, declared.stderr
        service.worker("worker-a")
        service.worker("worker-b")
        service.deployments()
        runs = [service.trigger("advance-rollouts", OPENED_AT)]
        assert set(service.wait(runs).values()) == {"COMPLETED"}
        # Five reconcilers and twenty dispatchers at once.
        runs = [service.trigger("advance-rollouts", REMIND_AT) for _ in range(5)]
        runs += [service.trigger("dispatch-notifications", REMIND_AT) for _ in range(20)]
        finished = service.wait(runs, timeout=600)
        assert set(finished.values()) == {"COMPLETED"}, (service.log("worker-a"), service.log("worker-b"))
        # A dispatcher may have run before the reconcilers queued their letters: one more pass sends the rest.
        runs = [service.trigger("dispatch-notifications", REMIND_AT)]
        assert set(service.wait(runs).values()) == {"COMPLETED"}
    finally:
        service.stop()
        smtp.stop()
    ids = sink.ids()
    sent = outbox_counts(engine)
    print(f"two workers: {len(ids)} messages received, {len(set(ids))} distinct, outbox {sent}")
    assert state(engine) == expected
    assert sent == {"sent": expected[2]}
    assert len(ids) == len(set(ids)) == expected[2]
    engine.dispose()


def test_a_worker_killed_mid_dispatch_loses_and_repeats_nothing(databases: tuple[str, str], tmp_path: Path) -> None:
    trienkhai_url, prefect_url = databases
    engine = issued_database(trienkhai_url, tmp_path)
    for at in (OPENED_AT, REMIND_AT):
        advance_each(engine, at, calendar=WorkingCalendar())
    total = sum(outbox_counts(engine).values())
    sink, smtp_port = Sink(delay=0.3), free_port()  # a slow mail server: the run is still sending when killed
    smtp = start(smtp_port, sink)
    service = Service(tmp_path, trienkhai_url, smtp_port, prefect_db=prefect_url)
    try:
        service.prefect_server()
        assert service.trienkhai("deploy", "--api-url", service.api).returncode == 0
        doomed = service.worker("worker-a")
        service.deployments()
        first = service.trigger("dispatch-notifications", REMIND_AT)
        deadline = time.monotonic() + 120
        while len(sink.ids()) < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        kill_machine(doomed.pid)  # the machine dies: the worker and its flow run at once
        received_at_kill = len(sink.ids())
        assert 10 <= received_at_kill < total
        service.worker("worker-b")
        # The dead run stops sending heartbeats: the server marks it Crashed instead of Running forever.
        assert service.wait([first], timeout=240) == {first: "CRASHED"}
        # The claims of the dead dispatcher expire; the next run sends what is left.
        rest = service.trigger("dispatch-notifications", later(REMIND_AT, 30))
        assert service.wait([rest]) == {rest: "COMPLETED"}, service.log("worker-b")
    finally:
        service.stop()
        smtp.stop()
    ids = sink.ids()
    print(f"killed worker: {received_at_kill} received before the kill, {len(ids)} in all, {len(set(ids))} distinct")
    assert outbox_counts(engine) == {"sent": total}
    assert len(set(ids)) == total  # none lost
    assert len(ids) - len(set(ids)) <= 1  # at most the one in flight, again with the same Message-ID
    with UnitOfWork(engine) as uow:
        claimed = select(func.count()).select_from(OutboxRow).where(OutboxRow.claimed_by.is_not(None))
        assert uow.session.scalar(claimed) == 0
    engine.dispose()
