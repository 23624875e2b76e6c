"""The dashboard over the 47-KH/TU scenario: small Quảng Trị 2017 hierarchy plus a Tỉnh đoàn, served by uvicorn.

The app's clock is pinned to 20/6/2017 09:00 (local): the pilot opened on 3/4/2017 and the chi bộ reports
on the pilot were due at 17h00 on 15/6/2017, so those not yet sent are overdue.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from bootstrap import Services
from hierarchy import Kind, Unit
from hierarchy.generate import small_quang_tri_2017
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow, OutboxRow, UnitRow
from storage.units import apply_hierarchy
from web.accounts import create_account, issue_token
from web.app import create_app

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
NUMBER = "47-KH/TU"
PASSWORD = "mat-khau-thu-nghiem"
XSS_NAME = '<script>alert("xss")</script> Chi bộ số 2'
ACCOUNTS = {  # username: (role, unit)
    "vp": ("admin", "TU-QT"),
    "xem": ("viewer", "TU-QT"),
    "giolinh": ("reporter", "QT-GIOLINH"),
    "camlo": ("admin", "QT-CAMLO"),
    "doan": ("admin", "TD-QT"),
}


def local(y: int, m: int, d: int, h: int = 9) -> datetime:
    """A wall-clock time in Vietnam (UTC+7) as a UTC instant."""
    return datetime(y, m, d, h, tzinfo=UTC) - timedelta(hours=7)


class Clock:
    """A clock the tests can move (session expiry)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    """A running dashboard and what the tests need to address it."""

    url: str
    engine: object
    app: object
    clock: Clock
    tokens: dict[str, str]
    pilot_cell: str  # a Gio Linh pilot chi bộ whose report is overdue
    pilot_obligation: int
    directive_id: int


def _hierarchy() -> list[Unit]:
    units = [replace(u, name=XSS_NAME) if u.code == "QT-GIOLINH-GIOAN-CB02" else u for u in small_quang_tri_2017()]
    return [*units, Unit(code="TD-QT", name="Tỉnh đoàn Quảng Trị", kind=Kind.TINH_DOAN)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(engine) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        s = uow.session
        apply_hierarchy(s, _hierarchy(), now=local(2017, 3, 1), actor="test")
        issue_plan(s, PLAN, now=local(2017, 3, 22), actor="vp", calendar=WorkingCalendar())
        advance(s, local(2017, 4, 3))
        advance(s, local(2017, 6, 16, 8))
        lo = s.scalar(select(UnitRow.path).where(UnitRow.code == "QT-GIOLINH"))
        obligation, cell = s.execute(
            select(ObligationRow, UnitRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(ObligationRow.key == "bao-cao-chi-dao-diem", ObligationRow.level == 3,
                   ObligationRow.status == "overdue", UnitRow.path.startswith(lo))
            .order_by(UnitRow.code)).first()
        s.add(OutboxRow(key=f"don-doc:{obligation.id}", directive_id=obligation.directive_id, unit_id=cell.id,
                        template="cong_van_don_doc", recipients={"to": [cell.email]}, context={}, status="sent",
                        attempts=1, next_attempt_at=local(2017, 6, 16), created_at=local(2017, 6, 16),
                        sent_at=local(2017, 6, 16, 10)))
        tokens = {}
        for name, (role, unit) in ACCOUNTS.items():
            create_account(s, name, PASSWORD, role, unit, now=local(2017, 3, 1), actor="test")
            tokens[name] = issue_token(s, name, now=local(2017, 3, 1), actor="test")
        uow.commit()
        site_ids = (cell.code, obligation.id, obligation.directive_id)
    clock = Clock(local(2017, 6, 20))
    app = create_app(Services.over(engine, clock))
    with serve(app) as url:
        yield Site(url, engine, app, clock, tokens, *site_ids)


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port for the block; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",  # type: ignore[arg-type]
                                           lifespan="off", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def login(site: Site | str, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A client signed in as `username` (cookies kept) on the site or base URL, closed at the end of the block."""
    base_url = site if isinstance(site, str) else site.url
    with httpx.Client(base_url=base_url, follow_redirects=False, timeout=20) as client:
        response = post_login(client, username, password)
        assert response.status_code == 303, response.text
        yield client


def post_login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    """Fetch the login form (for its CSRF token) and post it."""
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"username": username, "password": password, "csrf": token})


def csrf_of(client: httpx.Client) -> str:
    """The session's CSRF token, read from any signed-in page."""
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/directives").text).group(1)  # type: ignore[union-attr]
