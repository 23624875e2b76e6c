"""Benchmark: 10,000 reports handed in through POST /api/submissions by 20 concurrent clients, national hierarchy.

Setup as in web_load.py: the national hierarchy and one directive (99-KH/BENCH) issued to every province and
opened. Each client is the e-office system of one province: an account bound to that province (cán bộ báo
cáo) with its API token, posting the reports of its own chi bộ, each request with its own Idempotency-Key.
The server runs in its own process (`trienkhai web` as it starts by default: twice as many uvicorn workers as the
machine has cores; `--workers N` to choose) on loopback over the SQLite file.
Every answer must be 201 and the database must hold exactly one submission per request at the end.
Target: p95 ≤ 150 ms per request.
`--postgres URL` (a server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres) runs the same on a new
PostgreSQL database made there, where writers lock rows instead of the whole database.
Run: .venv/bin/python bench/api_submissions.py [--requests N] [--workers N] [--postgres URL]
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx
from _common import fresh_sqlite, line, national_rollout, percentiles, timed, web_server
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from storage import UnitOfWork, make_engine, upgrade
from storage.models import ObligationRow, SubmissionRow, UnitRow
from storage.units import subtree_bounds
from web.accounts import create_account, issue_token

CLIENTS = 20
NUMBER = "99-KH/BENCH"
PASSWORD = "mat-khau-do-tai"


def fresh_postgres(server: str) -> tuple[Engine, str]:
    """A new, migrated PostgreSQL database on `server`."""
    name = f"trienkhai_bench_api_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    return engine, url


def prepare(total: int, server: str | None) -> tuple[str, list[tuple[str, list[str]]]]:
    """The database, and for each client its token and the codes of the chi bộ it reports for."""
    if server:
        engine, url = fresh_postgres(server)
    else:
        engine, path = fresh_sqlite("api")
        url = f"sqlite:///{path}"
    roots = national_rollout(engine)
    per_client = -(-total // CLIENTS)
    clients = []
    with UnitOfWork(engine) as uow:
        s = uow.session
        for i, province in enumerate(roots[:CLIENTS]):
            lo, hi = subtree_bounds(s.scalar(select(UnitRow.path).where(UnitRow.code == province)) or "")
            cells = list(s.scalars(
                select(UnitRow.code).join(ObligationRow, ObligationRow.unit_id == UnitRow.id)
                .where(UnitRow.path >= lo, UnitRow.path < hi, UnitRow.kind == "chi_bo", ObligationRow.key == "bao-cao")
                .order_by(UnitRow.path).limit(per_client)))
            name = f"evp{i:02d}"
            create_account(s, name, PASSWORD, "reporter", province, now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench")
            clients.append((issue_token(s, name, now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench"), cells))
        uow.commit()
    print(f"database: {make_url(url).render_as_string()}; {CLIENTS} provincial accounts, "
          f"{sum(len(c) for _, c in clients):,} chi bộ to report for")
    engine.dispose()
    return url, clients


async def load(base: str, clients: list[tuple[str, list[str]]], total: int) -> tuple[list[float], int]:
    """Each client posts the reports of its chi bộ one after another; returns the latencies and the 201 count."""
    samples: list[float] = []
    created = 0
    budget = iter(range(total))

    async def client(token: str, cells: list[str]) -> None:
        nonlocal created
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as c:
            for code, _ in zip(cells, budget, strict=False):
                body = {"directive": NUMBER, "unit": code, "key": "bao-cao", "data": {"so_dang_vien": "1.234"}}
                start = time.perf_counter()
                response = await c.post("/api/submissions", json=body,
                                        headers={"Idempotency-Key": str(uuid.uuid4())})
                samples.append(time.perf_counter() - start)
                assert response.status_code == 201, (response.status_code, response.text)
                created += 1

    await asyncio.gather(*(client(token, cells) for token, cells in clients))
    return sorted(samples), created


def main() -> None:
    total = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 10_000
    server = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else None
    setup_s, (url, clients) = timed(lambda: prepare(total, server))  # type: ignore[misc]
    line("setup (country, issue, open, accounts): seconds", f"{setup_s:.1f}")
    line("web workers", str(workers or f"{2 * (os.cpu_count() or 1)} (default)"))
    with web_server(url, workers=workers) as base:
        wall, (samples, created) = timed(lambda: asyncio.run(load(base, clients, total)))  # type: ignore[misc]
    with UnitOfWork(make_engine(url)) as uow:
        stored = uow.session.scalar(select(func.count()).select_from(SubmissionRow)) or 0
    p50, p95 = percentiles(samples)
    line(f"POST /api/submissions: answered 201 / recorded ({CLIENTS} clients)", f"{created:,} / {stored:,}")
    line("POST /api/submissions: ms p50", f"{p50 * 1000:.0f}")
    line("POST /api/submissions: ms p95", f"{p95 * 1000:.0f}", "target ≤ 150 ms")
    line("POST /api/submissions: ms max", f"{samples[-1] * 1000:.0f}")
    line("submissions per second", f"{len(samples) / wall:.0f}")


if __name__ == "__main__":
    main()
