"""The service as the office runs it: a real Prefect server, `trienkhai serve` or `prefect worker` processes
started from another folder, deployments triggered through the Prefect API, a real SMTP sink."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from hierarchy.generate import small_quang_tri_2017
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork, make_engine, upgrade
from storage.models import OutboxRow
from storage.units import apply_hierarchy
from tests.notifications.smtp_sink import free_port
from tests.notifications.test_delivery import PLAN, REMIND_AT

ROOT = Path(__file__).parents[2]
OPENED_AT = datetime(2017, 9, 5, 1, 0, tzinfo=UTC)
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
__all__ = ["OPENED_AT", "REMIND_AT", "Service", "issued_database", "kill_machine", "later", "outbox_counts"]


def issued_database(url: str, folder: Path) -> Engine:
    """A migrated database with the small Quảng Trị hierarchy (every unit has an e-mail) and 21-KH/TU issued."""
    engine = make_engine(url)
    upgrade(engine)
    plan = folder / "plan.yaml"
    plan.write_text(PLAN.replace("generate_quang_tri_2017", "small_quang_tri_2017"), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="t", calendar=WorkingCalendar())
        uow.commit()
    return engine


def outbox_counts(engine: Engine) -> dict[str, int]:
    """Outbox rows by status."""
    with UnitOfWork(engine) as uow:
        return dict(uow.session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())  # type: ignore[arg-type]


class Service:
    """Processes of one service set-up, with the environment they share; everything is stopped on exit."""

    def __init__(self, folder: Path, database_url: str, smtp_port: int, prefect_db: str | None = None) -> None:
        self.folder = folder
        self.port = free_port()
        self.api = f"http://127.0.0.1:{self.port}/api"
        self.env = {
            **os.environ, "TRIENKHAI_DATABASE_URL": database_url, "TRIENKHAI_HOME": str(folder / "home"),
            "TRIENKHAI_SMTP_HOST": "127.0.0.1", "TRIENKHAI_SMTP_PORT": str(smtp_port),
            "TRIENKHAI_MAIL_FROM": "Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>",
            "PREFECT_HOME": str(folder / "prefect"), "PREFECT_API_URL": self.api,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
        }
        if prefect_db:
            self.env["PREFECT_API_DATABASE_CONNECTION_URL"] = prefect_db
        self.processes: list[subprocess.Popen[bytes]] = []
        self.cwd = folder / "elsewhere"  # not the repository: entrypoints must import from any folder
        self.cwd.mkdir(parents=True, exist_ok=True)

    def start(self, *args: str, name: str) -> subprocess.Popen[bytes]:
        """Start a process of the set-up in its own process group, its output in <name>.log."""
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(list(args), env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.processes.append(process)
        return process

    def prefect_server(self) -> None:
        """`prefect server start` on loopback, healthy."""
        import httpx

        self.start(sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port),
                   name="prefect-server")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.api}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        raise AssertionError(self.log("prefect-server"))

    def trienkhai(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `trienkhai` command to completion, as an operator would."""
        return subprocess.run([sys.executable, "-m", "cli.main", *args], env=self.env,
                              cwd=self.cwd, capture_output=True, text=True, timeout=300)

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        """`prefect worker start --pool trienkhai`, exactly as the README says."""
        return self.start(sys.executable, "-m", "prefect", "worker", "start", "--pool", "trienkhai", "--name", name,
                          name=name)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def client(self) -> Any:
        from prefect.client.orchestration import get_client

        return get_client(sync_client=True, httpx_settings={"base_url": self.api})

    @contextmanager
    def api_settings(self) -> Iterator[None]:
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api}):
            yield

    def deployments(self, timeout: float = 120) -> dict[str, Any]:
        """The service's deployments by flow name, once all three are registered."""
        deadline = time.monotonic() + timeout
        found: dict[str, Any] = {}
        while time.monotonic() < deadline:
            with self.api_settings(), self.client() as client:
                flows = {f.id: f.name for f in client.read_flows()}
                found = {flows[d.flow_id]: d for d in client.read_deployments() if d.flow_id in flows}
            if {"advance-rollouts", "dispatch-notifications", "weekly-compliance"} <= set(found):
                return found
            time.sleep(1)
        raise AssertionError(f"deployments registered: {sorted(found)}")

    def trigger(self, flow: str, now: datetime) -> Any:
        """Create a run of a deployment through the API (as the UI's "Run" button does); returns its id."""
        from prefect.deployments import run_deployment

        with self.api_settings():
            return run_deployment(f"{flow}/trienkhai", parameters={"now": now.isoformat()}, timeout=0).id

    def wait(self, run_ids: list[Any], timeout: float = 300) -> dict[Any, str]:
        """Wait until every run is finished; returns each run's final state type."""
        deadline = time.monotonic() + timeout
        states: dict[Any, str] = {}
        while time.monotonic() < deadline:
            with self.api_settings(), self.client() as client:
                states = {i: client.read_flow_run(i).state.type.value for i in run_ids}
            if all(s in TERMINAL for s in states.values()):
                return states
            time.sleep(1)
        raise AssertionError(f"runs not finished after {timeout:.0f} s: {states}")

    def finished_runs(self) -> Counter[tuple[str, str]]:
        """Every flow run the server holds, scheduled or triggered, counted by (flow name, final state type)."""
        with self.api_settings(), self.client() as client:
            flows = {f.id: f.name for f in client.read_flows()}
            return Counter((flows[r.flow_id], r.state.type.value) for r in client.read_flow_runs()
                           if r.state is not None and r.state.type.value in TERMINAL)

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def kill_machine(pid: int) -> None:
    """SIGKILL a process and every descendant at once, as when its machine dies (Prefect starts each flow run in
    a session of its own, so killing the worker's process group alone would leave the run going)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    doomed, todo = [], [pid]
    while todo:
        current = todo.pop()
        doomed.append(current)
        todo += children.get(current, [])
    for victim in doomed:
        with suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def later(instant: datetime, minutes: int) -> datetime:
    """An instant some minutes later (leases of a killed dispatcher expire)."""
    return instant + timedelta(minutes=minutes)
