"""`trienkhai serve` as the office starts it: every deployment triggered through a real Prefect server completes,
the letters reach the SMTP server, the weekly report is where the dashboard reads it, and each run is recorded."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import UnitOfWork
from storage.models import PhaseRow
from storage.service_models import ServiceRunRow, StoredFileRow
from tests.flows.service_harness import OPENED_AT, REMIND_AT, Service, issued_database, outbox_counts
from tests.notifications.smtp_sink import Sink, free_port, start

pytestmark = pytest.mark.slow


def test_serve_runs_all_three_deployments_from_another_folder(tmp_path: Path) -> None:
    engine = issued_database(f"sqlite:///{tmp_path / 'trienkhai.db'}", tmp_path)
    sink, smtp_port = Sink(), free_port()
    smtp = start(smtp_port, sink)
    service = Service(tmp_path, str(engine.url), smtp_port)
    try:
        service.prefect_server()
        service.start(sys.executable, "-m", "cli.main", "serve", "--api-url", service.api, name="serve")
        found = service.deployments()
        assert not any(d.paused for d in found.values())
        weekly = found["weekly-compliance"].schedules[0]
        schedule = (weekly.schedule.cron, weekly.schedule.timezone, weekly.active)
        assert schedule == ("0 7 * * 1", "Asia/Ho_Chi_Minh", True)
        assert found["dispatch-notifications"].entrypoint == "flows.sending.dispatch_notifications"

        runs = [service.trigger("advance-rollouts", OPENED_AT)]
        assert service.wait(runs) == {runs[0]: "COMPLETED"}, service.log("serve")
        runs = [service.trigger("advance-rollouts", REMIND_AT)]
        assert service.wait(runs) == {runs[0]: "COMPLETED"}, service.log("serve")
        queued = sum(outbox_counts(engine).values())
        runs = [service.trigger("dispatch-notifications", REMIND_AT), service.trigger("weekly-compliance", REMIND_AT)]
        assert set(service.wait(runs).values()) == {"COMPLETED"}, service.log("serve")

        # An operator pauses the dispatcher; declaring the deployments again (a restart) keeps it paused.
        with service.api_settings(), service.client() as client:
            client.pause_deployment(found["dispatch-notifications"].id)
        redeclared = service.trienkhai("deploy", "--api-url", service.api)
        assert redeclared.returncode == 0, redeclared.stderr
        assert service.deployments()["dispatch-notifications"].paused
        # The schedules run too (the dispatcher every few minutes): count every run the server finished.
        finished = service.finished_runs()
    finally:
        service.stop()
        smtp.stop()

    ids = sink.ids()
    assert queued > 0 and outbox_counts(engine) == {"sent": queued}
    assert len(ids) == len(set(ids)) == queued  # every letter once, none twice
    assert any("nhắc" in str(message["Subject"]).lower() for _, message in sink.messages)  # the reminders
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(PhaseRow.state).where(PhaseRow.name == "rollout")) == "open"
        files = uow.session.execute(select(StoredFileRow.folder, StoredFileRow.name)).all()
        runs_seen = Counter((r.job, r.outcome) for r in uow.session.scalars(select(ServiceRunRow)))
        names = {r.name.rsplit("-", 4)[0] for r in uow.session.scalars(select(ServiceRunRow))}
    assert {folder for folder, _ in files} == {"reports/2017-09-26"}
    assert sorted(name.rsplit(".", 1)[1] for _, name in files) == ["docx", "html", "png", "xlsx"]
    jobs = {"advance-rollouts": "advance", "dispatch-notifications": "dispatch", "weekly-compliance": "weekly"}
    assert {state for _, state in finished} == {"COMPLETED"}, finished  # no run failed or crashed
    assert runs_seen == {(jobs[flow], "completed"): n for (flow, _), n in finished.items()}  # each one recorded
    assert runs_seen[("advance", "completed")] >= 2 and runs_seen[("dispatch", "completed")] >= 1
    assert names == {"dieu-phoi", "gui-thu", "bao-cao-tuan"}


def test_serve_port_is_the_port_the_prefect_ui_calls() -> None:
    import httpx

    from cli.serve import start_prefect_server

    port = free_port()
    server, api = start_prefect_server(port)
    try:
        settings = httpx.get(f"http://127.0.0.1:{port}/ui-settings", timeout=10).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert api == settings["api_url"] == f"http://127.0.0.1:{port}/api"
