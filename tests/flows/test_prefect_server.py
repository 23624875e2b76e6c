"""The service on a real Prefect server: deployments registered with their schedules, and one run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hierarchy.generate import small_quang_tri_2017
from rollout.service import issue_plan
from schedules import WorkingCalendar
from settings import get_settings
from storage import UnitOfWork, make_engine, upgrade
from storage.models import PhaseRow
from storage.units import apply_hierarchy
from tests.notifications.smtp_sink import free_port

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"


@pytest.mark.slow
def test_serve_registers_scheduled_deployments_and_runs_one(tmp_path: Path) -> None:
    from cli.serve import start_prefect_server

    url = f"sqlite:///{tmp_path / 'trienkhai.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2017, 3, 1, tzinfo=UTC), actor="t")
        issue_plan(uow.session, PLAN, now=datetime(2017, 3, 22, 2, tzinfo=UTC), actor="t", calendar=WorkingCalendar())
        uow.commit()
    server, api = start_prefect_server(free_port())
    env = {**os.environ, "TRIENKHAI_DATABASE_URL": url, "PREFECT_API_URL": api, "PREFECT_HOME": str(get_settings().home / "prefect"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    log = (tmp_path / "serve.log").open("w")
    service = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--api-url", api], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        from prefect.client.orchestration import get_client
        from prefect.deployments import run_deployment
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api}):
            deployments = {}
            deadline = time.monotonic() + 120
            while len(deployments) < 3 and time.monotonic() < deadline:
                with get_client(sync_client=True) as client:
                    deployments = {d.id: d for d in client.read_deployments()}
                    flows = {f.id: f.name for f in client.read_flows()}
                time.sleep(1)
            by_flow = {flows[d.flow_id]: d for d in deployments.values()}
            assert set(by_flow) == {"advance-rollouts", "dispatch-notifications", "weekly-compliance"}
            weekly = by_flow["weekly-compliance"].schedules[0]
            assert (weekly.schedule.cron, weekly.schedule.timezone, weekly.active) == ("0 7 * * 1", "Asia/Ho_Chi_Minh", True)
            assert by_flow["advance-rollouts"].schedules[0].schedule.interval.total_seconds() == 3600
            assert not any(d.paused for d in deployments.values())
            run = run_deployment("advance-rollouts/trienkhai", parameters={"now": "2017-04-03T02:00:00+00:00"}, timeout=180)
            assert run.state is not None and run.state.is_completed(), run.state
    finally:
        service.send_signal(signal.SIGINT)
        try:
            service.wait(timeout=30)
        except subprocess.TimeoutExpired:
            service.kill()
        server.terminate()
        server.wait(timeout=30)
        log.close()
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(PhaseRow.state).where(PhaseRow.name == "pilot")) == "open"
