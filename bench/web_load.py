"""Benchmark: a province's directive page, API call, filtered list and exports under 20 concurrent clients, on the
national hierarchy.

Setup: the national hierarchy (generate_national) and one directive issued to every province (as in
issue_national.py), opened; an office administrator bound to one province. The server runs in its own
process (`trienkhai web`, two uvicorn workers) on loopback; 20 httpx async clients share a bounded number of requests.
Targets (issue 16): p95 ≤ 150 ms for the page, the API call and a filtered list. Exports have no time target:
they are streamed, so the first bytes are measured beside the whole file, and every file must hold every row.
Each page is asked `--requests` times (2,000 by default: at 400, the one first reading of a page by each worker,
which everyone queued behind it waits for, is 5% of the samples and decides the p95; its time is the max printed).
Run: .venv/bin/python bench/web_load.py [--requests N]
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from datetime import UTC, datetime
from functools import partial
from urllib.parse import quote

import httpx
from _common import fresh_sqlite, line, national_rollout, percentiles, timed, web_server

from storage import UnitOfWork
from web.accounts import create_account, issue_token

CLIENTS = 20
PASSWORD = "mat-khau-do-tai"
NUMBER = "99-KH/BENCH"


def prepare() -> tuple[str, str, str]:
    """A database with the country, the directive issued and opened, and a province account with its token."""
    engine, path = fresh_sqlite("web")
    roots = national_rollout(engine)
    province = roots[len(roots) // 2]
    with UnitOfWork(engine) as uow:
        create_account(uow.session, "tinh", PASSWORD, "admin", province, now=datetime(2026, 1, 5, tzinfo=UTC),
                       actor="bench")
        token = issue_token(uow.session, "tinh", now=datetime(2026, 1, 5, tzinfo=UTC), actor="bench")
        uow.commit()
    print(f"database: {path} ({path.stat().st_size / 1e6:.0f} MB); province account bound to {province}")
    return f"sqlite:///{path}", token, province


async def load(base: str, url: str, headers: dict[str, str], cookies: dict[str, str],
               total: int) -> tuple[list[float], list[float], set[int]]:
    """`total` GETs of `url` shared by CLIENTS concurrent clients: each one's seconds to its first bytes and to its
    last, and the sizes of the answers (in bytes)."""
    first: list[float] = []
    whole: list[float] = []
    sizes: set[int] = set()
    queue = iter(range(total))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, timeout=600) as c:
            for _ in queue:
                start = time.perf_counter()
                async with c.stream("GET", url) as response:
                    assert response.status_code == 200, response.status_code
                    size = 0
                    async for chunk in response.aiter_raw():
                        if not size:
                            first.append(time.perf_counter() - start)
                        size += len(chunk)
                whole.append(time.perf_counter() - start)
                sizes.add(size)

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return first, whole, sizes


def report(label: str, whole: list[float], wall: float, target: str = "target ≤ 150 ms",
           slowest: str = "a worker's first reading of the page") -> None:
    p50, p95 = percentiles(whole)
    line(f"{label}: ms median", f"{p50 * 1000:.0f}", f"load average {os.getloadavg()[0]:.2f}")
    line(f"{label}: ms p95", f"{p95 * 1000:.0f}", target)
    line(f"{label}: ms max", f"{max(whole) * 1000:.0f}", slowest)
    line(f"{label}: requests/s ({len(whole)} requests, {CLIENTS} clients)", f"{len(whole) / wall:.1f}")


def csv_rows(base: str, path: str, cookies: dict[str, str]) -> int:
    """Data rows of one CSV export (its header left out)."""
    with httpx.Client(base_url=base, cookies=cookies, timeout=600) as c:
        return len(c.get(path).content.decode("utf-8-sig").splitlines()) - 1


def main() -> None:
    total = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 2000
    setup_s, (url, token, province) = timed(prepare)
    line("setup (country, issue, open): seconds", f"{setup_s:.1f}")
    with web_server(url) as base:
        with httpx.Client(base_url=base) as c:
            csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
            c.post("/login", data={"username": "tinh", "password": PASSWORD, "csrf": csrf})
            cookies = {"tk_session": c.cookies["tk_session"]}
        number = quote(NUMBER, safe="")
        listed = f"/list?directive={number}&status=&kind=chi_bo&sort=han&desc=0&page=3"
        bearer = {"Authorization": f"Bearer {token}"}
        for label, path, headers, jar, n in (
            (f"directive page of {province}", f"/directives/{NUMBER}", {}, cookies, total),
            (f"API /api/directives/{NUMBER} of {province}", f"/api/directives/{NUMBER}", bearer, {}, total),
            (f"filtered list (chi bộ, every status, by deadline, page 3) of {province}", listed, {}, cookies, total),
        ):
            asyncio.run(load(base, path, headers, jar, CLIENTS))  # warm-up: caches, first connections
            wall, (_first, whole, _sizes) = timed(partial(asyncio.run, load(base, path, headers, jar, n)))
            report(label, whole, wall)
        exported = f"/list.csv?directive={number}&status="
        rows = csv_rows(base, exported, cookies)  # every answer of the same size holds as many rows
        for label, path, n in ((f"export .csv of every obligation of {province} ({rows:,} rows)", exported,
                                2 * CLIENTS),
                               (f"export .xlsx of every obligation of {province}", f"/list.xlsx?directive={number}"
                                "&status=", CLIENTS)):
            wall, (first, whole, sizes) = timed(partial(asyncio.run, load(base, path, {}, cookies, n)))
            report(f"{label}, first bytes", first, wall, "streamed; issue 16 sets no time target", "")
            report(f"{label}, whole file", whole, wall, "no time target (issue 16)", "")
            line(f"{label}: sizes of the answers (bytes)", ", ".join(f"{s:,}" for s in sorted(sizes)))


if __name__ == "__main__":
    main()
