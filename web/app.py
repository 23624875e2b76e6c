"""The dashboard application: one FastAPI app, server-rendered pages, a JSON API, every asset served locally."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from bootstrap import Services
from errors import TrienkhaiError
from formats import number, percent
from rollout.stored_plan import item_of, plan_of
from schedules.render import format_day, format_short, to_local
from web.deps import LoginRequired, NotAuthenticated
from web.queries import kind_label
from web.readings import Readings
from web.security import SecurityHeaders

HERE = Path(__file__).parent


def _countdown(at: datetime | None, now: datetime) -> str:
    if at is None:
        return ""
    seconds = (at - now).total_seconds()
    ahead = seconds >= 0
    seconds = abs(seconds)
    days, hours = int(seconds // 86400), int(seconds % 86400 // 3600)
    if days >= 2:
        span = f"{days} ngày"
    else:
        span = f"{days * 24 + hours} giờ" if seconds >= 3600 else f"{int(seconds // 60)} phút"
    return f"còn {span}" if ahead else f"đã qua {span}"


def shown_value(value: object) -> str:
    """A stored report value as people read it: a finite number the Vietnamese way, a list joined by "; ", anything
    else (a value stored before entry was bounded) as text cut to 200 characters, never an error."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e15:
        return number(value)
    if isinstance(value, list):
        return "; ".join(shown_value(v) for v in value)
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "…"


def typed_values(data: object) -> dict[str, str]:
    """A report's stored figures as a form shows them for correction, written so that the form reads them back
    unchanged (a list one item a line, a decimal with its comma)."""
    def typed(value: object) -> str:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return repr(value).replace(".", ",") if isinstance(value, float) else str(value)

    return {str(k): typed(v) for k, v in data.items()} if isinstance(data, dict) else {}


def templates() -> Jinja2Templates:
    """The page templates, with the project's Vietnamese date and number filters."""
    t = Jinja2Templates(directory=str(HERE / "templates"))
    t.env.filters.update(
        gio_ngay=lambda dt: format_short(dt) if dt else "—",
        ngay=lambda dt: format_day(to_local(dt).date()) if dt else "—",
        phan_tram=lambda share: percent(share, 0) if share is not None else "—",
        loai=kind_label,
        q=lambda s: quote(str(s), safe="/"),
        so=number,
        so_lieu=shown_value,
    )
    t.env.globals["countdown"] = _countdown
    # The obligation or milestone of an issued directive's plan, for a page that lists rows of several directives.
    t.env.globals["plan_item"] = lambda directive, key: item_of(plan_of(directive), key)
    for name in t.env.list_templates():  # compiled now (0.1 s), not while the first visitors of a page wait
        t.env.get_template(name)
    return t


def create_app(services: Services) -> FastAPI:
    """The dashboard over the services' database, by their clock (tests pin it); weekly reports are read from the
    file store."""
    from web import (
        api_submissions,
        routes_accounts,
        routes_api,
        routes_auth,
        routes_directives,
        routes_forms,
        routes_intake,
        routes_letters,
        routes_link,
        routes_lists,
        routes_reports,
        routes_search,
        routes_units,
    )

    app = FastAPI(
        title="trienkhai — API theo dõi triển khai văn bản",
        description=(
            "Dữ liệu của trang điều hành cho hệ thống văn phòng điện tử. Mọi lời gọi cần tiêu đề "
            "`Authorization: Bearer <mã>`; mã cấp bằng `trienkhai user token TÊN`. Mỗi tài khoản chỉ thấy "
            "cây đơn vị của mình."
        ),
        version="1",
        docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
    )
    app.state.services = services
    app.state.readings = Readings()
    app.state.templates = templates()
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (routes_auth, routes_directives, routes_units, routes_forms, routes_reports, routes_api, routes_link,
                   api_submissions, routes_intake, routes_letters, routes_accounts):
        app.include_router(module.router)
    from web import routes_calendar

    app.include_router(routes_calendar.router)
    app.include_router(routes_lists.router)
    app.include_router(routes_search.router)

    @app.exception_handler(LoginRequired)
    def _login(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(NotAuthenticated)
    def _unauthenticated(request: Request, exc: NotAuthenticated) -> JSONResponse:
        return JSONResponse({"detail": "Cần mã truy cập hợp lệ (Authorization: Bearer …)."}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(TrienkhaiError)
    def _domain(request: Request, exc: TrienkhaiError) -> HTMLResponse | JSONResponse:
        # Each class answers with its own status (errors.OUTCOMES): 422 input, 404, 409 state, 403 scope, 5xx ours.
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": str(exc)}, status_code=exc.http_status)
        return app.state.templates.TemplateResponse(request, "error.html", {"message": str(exc), "principal": None},
                                                    status_code=exc.http_status)

    return app


def app_from_settings() -> FastAPI:
    """The app each uvicorn worker builds: the configured database; TRIENKHAI_WEB_AS_OF (ISO instant) pins
    the clock, to look at a rehearsal's database on its simulated day."""
    import dataclasses
    import gc
    import os
    import sys

    from bootstrap import services

    # A request holding the database's write lock gives up the interpreter lock at every statement; by default it
    # may then wait 5 ms for another request's thread to hand it back, stretching everyone's wait for the write
    # lock. Measured with 20 clients posting reports: the write lock held 10.6 ms → 7.6 ms at the median.
    sys.setswitchinterval(0.0005)
    as_of = os.environ.get("TRIENKHAI_WEB_AS_OF")
    wired = services()
    if as_of:
        pinned = datetime.fromisoformat(as_of)
        wired = dataclasses.replace(wired, clock=lambda: pinned)
    app = create_app(wired)
    # The cyclic garbage collector stops every thread of the worker, the one holding the write lock too: by default
    # it ran every 700 allocations (a report makes thousands), scanning again everything the worker loaded at start.
    # Frozen, that start-up heap is no longer scanned; collections come every 20.000 allocations. Measured with
    # 20 clients posting reports: p95 about 280 → 120–200 ms.
    gc.freeze()
    gc.set_threshold(20_000, 50, 100)
    return app
