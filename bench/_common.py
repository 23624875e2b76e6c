"""Shared helpers of the benchmark scripts: timing, peak memory, a fresh SQLite database, the national rollout
every web benchmark looks at, and the dashboard's server in its own process."""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine

from storage import UnitOfWork, make_engine, upgrade

# The day the benchmarks' directive is looked at: its report's period opened in February 2026.
AS_OF = "2026-03-02T03:00:00+00:00"


def fresh_sqlite(name: str) -> tuple[Engine, Path]:
    """A migrated SQLite file in a new temporary folder."""
    path = Path(tempfile.mkdtemp(prefix="trienkhai-bench-")) / f"{name}.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine, path


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by one call, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def repeat(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and 95th percentile (seconds) of n calls."""
    samples = sorted(timed(fn)[0] for _ in range(n))
    return statistics.median(samples), samples[max(0, int(round(0.95 * n)) - 1)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, value: str, target: str = "") -> None:
    """Print one figure, with its target when there is one; bench/all.py also collects it (TRIENKHAI_BENCH_RECORD)."""
    print(f"{label:<58} {value:>14}   {target}", flush=True)
    record = os.environ.get("TRIENKHAI_BENCH_RECORD")
    if record:
        script = Path(sys.argv[0]).stem
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"script": script, "label": label, "value": value, "target": target},
                                 ensure_ascii=False) + "\n")


def national_rollout(engine: Engine) -> list[str]:
    """The national hierarchy and one directive (99-KH/BENCH of issue_national.py) issued to every province and
    opened; returns the provinces' codes, sorted."""
    from issue_national import PLAN

    from hierarchy.generate import generate_national
    from rollout.reconcile import advance
    from rollout.service import issue_plan
    from schedules import WorkingCalendar
    from storage.units import apply_hierarchy

    units = generate_national()
    roots = sorted(u.code for u in units if u.kind.value == "tinh_uy")
    plan = Path(tempfile.mkdtemp()) / "plan.yaml"
    plan.write_text(PLAN.format(issuer=roots[0], roots=", ".join(roots)), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="bench")
        uow.commit()
    del units
    with UnitOfWork(engine) as uow:
        issue_plan(uow.session, plan, now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench", calendar=WorkingCalendar())
        uow.commit()
    with UnitOfWork(engine) as uow:
        advance(uow.session, datetime(2026, 2, 2, 3, tzinfo=UTC))
        uow.commit()
    return roots


@contextmanager
def web_server(url: str, *, workers: int | None = 2) -> Iterator[str]:
    """`trienkhai web` on a free loopback port over the database `url` (with `workers` processes), in its own
    process, its clock pinned to AS_OF; yields its base URL once it answers, and stops it at the end."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"PYTHONPATH": str(Path(__file__).parents[1]), "TRIENKHAI_DATABASE_URL": url,
                        "TRIENKHAI_HOME": tempfile.mkdtemp(prefix="trienkhai-bench-home-")}
    chosen = ["--workers", str(workers)] if workers else []  # None: as `trienkhai web` chooses by default
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "web", "--port", str(port), *chosen,
                               "--as-of", AS_OF], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(10)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (seconds) of latencies already measured."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]
