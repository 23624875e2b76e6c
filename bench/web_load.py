"""Benchmark: a province's directive page and API call under 20 concurrent clients, national hierarchy.

Setup: the national hierarchy (generate_national) and one directive issued to every province (as in
issue_national.py), opened; an office administrator bound to one province. The server runs in its own
process (`trienkhai web`, two uvicorn workers) on loopback; 20 httpx async clients share a bounded number of requests.
Target: p95 ≤ 150 ms for the page, the API call and a filtered list; the export is measured beside them.
Run: .venv/bin/python bench/web_load.py [--requests N]
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

import httpx
from _common import fresh_sqlite, line, timed
from issue_national import PLAN

from hierarchy.generate import generate_national
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.units import apply_hierarchy
from web.accounts import create_account, issue_token

CLIENTS = 20
PASSWORD = "mat-khau-do-tai"
AS_OF = "2026-03-02T03:00:00+00:00"  # the day the benchmark's directive is looked at


def prepare() -> tuple[str, str, str]:
    """A database with the country, the directive issued and opened, and a province account with its token."""
    engine, path = fresh_sqlite("web")
    units = generate_national()
    roots = sorted(u.code for u in units if u.kind.value == "tinh_uy")
    plan = Path(tempfile.mkdtemp()) / "plan.yaml"
    plan.write_text(PLAN.format(issuer=roots[0], roots=", ".join(roots)), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="bench")
        uow.commit()
    with UnitOfWork(engine) as uow:
        issue_plan(uow.session, plan, now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench", calendar=WorkingCalendar())
        uow.commit()
    with UnitOfWork(engine) as uow:
        advance(uow.session, datetime(2026, 2, 2, 3, tzinfo=UTC))
        province = roots[len(roots) // 2]
        create_account(uow.session, "tinh", PASSWORD, "admin", province, now=datetime(2026, 1, 5, tzinfo=UTC),
                       actor="bench")
        token = issue_token(uow.session, "tinh", now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench")
        uow.commit()
    print(f"database: {path} ({path.stat().st_size / 1e6:.0f} MB); province account bound to {province}")
    return f"sqlite:///{path}", token, province


async def load(base: str, url: str, headers: dict[str, str], cookies: dict[str, str], total: int) -> list[float]:
    """`total` GETs of `url` shared by CLIENTS concurrent clients; returns each latency in seconds."""
    samples: list[float] = []
    queue = iter(range(total))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, timeout=60) as c:
            for _ in queue:
                start = time.perf_counter()
                response = await c.get(url)
                samples.append(time.perf_counter() - start)
                assert response.status_code == 200, response.status_code

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return sorted(samples)


def report(label: str, samples: list[float], wall: float) -> None:
    p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
    line(f"{label}: ms median", f"{statistics.median(samples) * 1000:.0f}", f"load average {os.getloadavg()[0]:.2f}")
    line(f"{label}: ms p95", f"{p95 * 1000:.0f}", "target ≤ 150 ms")
    line(f"{label}: requests/s ({len(samples)} requests, {CLIENTS} clients)", f"{len(samples) / wall:.0f}")


def main() -> None:
    total = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 400
    setup_s, (url, token, province) = timed(prepare)
    line("setup (country, issue, open): seconds", f"{setup_s:.1f}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"PYTHONPATH": str(Path(__file__).parents[1])}
    env |= {"TRIENKHAI_DATABASE_URL": url}
    server = subprocess.Popen([sys.executable, "-m", "cli.main", "web", "--port", str(port), "--workers", "2",
                               "--as-of", AS_OF], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as c:
            csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
            c.post("/login", data={"username": "tinh", "password": PASSWORD, "csrf": csrf})
            cookies = {"tk_session": c.cookies["tk_session"]}
        number = "99-KH/BENCH"
        listed = f"/list?directive={quote(number, safe='')}&status=&kind=chi_bo&sort=han&desc=0&page=3"
        exported = f"/list.csv?directive={quote(number, safe='')}&status="
        for label, path, headers, jar, n in (
            (f"directive page of {province}", f"/directives/{number}", {}, cookies, total),
            (f"API /api/directives/{number} of {province}", f"/api/directives/{number}",
             {"Authorization": f"Bearer {token}"}, {}, total),
            (f"filtered list (chi bộ, every status, by deadline, page 3) of {province}", listed, {}, cookies, total),
            (f"export .csv of every obligation of {province}", exported, {}, cookies, max(CLIENTS, total // 10)),
        ):
            asyncio.run(load(base, path, headers, jar, CLIENTS))  # warm-up: caches, first connections
            wall, samples = timed(partial(asyncio.run, load(base, path, headers, jar, n)))
            report(label, samples, wall)  # type: ignore[arg-type]
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
