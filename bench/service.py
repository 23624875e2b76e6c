"""Benchmark: the service as deployed. Time from `trienkhai serve` to its first completed run, and one advance
over the national hierarchy through Prefect (served deployment, triggered through the API) against
`trienkhai advance` run directly, on two copies of the same database at the same instant.

Run: .venv/bin/python bench/service.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import fresh_sqlite, line
from issue_national import PLAN

from hierarchy.generate import generate_national
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.units import apply_hierarchy

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.flows.service_harness import Service  # noqa: E402  (the tests' harness: same processes, same API calls)

OPEN_AT = datetime(2026, 2, 2, 3, tzinfo=UTC)


def national_database() -> Path:
    """A SQLite file with the national hierarchy and one directive issued to every province."""
    engine, path = fresh_sqlite("service")
    units = generate_national()
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="bench")
        uow.commit()
    roots = sorted(u.code for u in units if u.kind.value == "tinh_uy")
    plan = path.parent / "bench.yaml"
    plan.write_text(PLAN.format(issuer=roots[0], roots=", ".join(roots)), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        issue_plan(uow.session, plan, now=datetime(2026, 1, 5, 2, tzinfo=UTC), actor="bench",
                   calendar=WorkingCalendar())
        uow.commit()
    engine.dispose()
    return path


def copy(path: Path, name: str) -> Path:
    target = path.parent / name
    shutil.copyfile(path, target)
    return target


def main() -> None:
    source = national_database()
    direct_db, served_db = copy(source, "direct.db"), copy(source, "served.db")

    env = {**os.environ, "TRIENKHAI_DATABASE_URL": f"sqlite:///{direct_db}"}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cli.main", "advance", "--now", OPEN_AT.isoformat()], env=env,
                          capture_output=True, text=True)
    direct_s = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    line("national advance, `trienkhai advance` directly: seconds", f"{direct_s:.1f}", done.stdout.strip()[:60])

    folder = Path(tempfile.mkdtemp(prefix="trienkhai-serve-"))
    service = Service(folder, f"sqlite:///{served_db}", smtp_port=1)
    try:
        service.prefect_server()
        started = time.perf_counter()
        service.start(sys.executable, "-m", "cli.main", "serve", "--api-url", service.api, name="serve")
        service.deployments()
        ready_s = time.perf_counter() - started
        first = service.trigger("advance-rollouts", OPEN_AT)
        states = service.wait([first], timeout=1800)
        first_s = time.perf_counter() - started
        with service.api_settings(), service.client() as client:
            run = client.read_flow_run(first)
        line("`trienkhai serve` → deployments declared: seconds", f"{ready_s:.1f}")
        line("`trienkhai serve` → first run completed (national advance): seconds", f"{first_s:.1f}", states[first])
        line("national advance through Prefect, run's own time: seconds", f"{run.total_run_time.total_seconds():.1f}")
        line("national advance through Prefect, trigger to completed: seconds", f"{first_s - ready_s:.1f}")
        line("through Prefect ÷ directly", f"{(first_s - ready_s) / direct_s:.2f}")
    finally:
        service.stop()


if __name__ == "__main__":
    main()
