"""Every response carries the security headers: a CSP without inline script that forbids framing, nosniff, a
referrer policy, no-store where a signed-in page, a personal link or the API answers, and HSTS only over https."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from rollout.links import create_link
from storage import UnitOfWork
from storage.models import UnitRow
from tests.web.conftest import NUMBER, Site, local, login, serve
from web.app import create_app
from web.security import CSP, SERVER_ERROR


def _link(site: Site) -> str:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        token = create_link(uow.session, cell, now=local(2017, 6, 16), days=30)
        uow.commit()
    return f"/bao-cao/{token}"


def test_pages_api_and_link_pages_carry_the_headers_and_are_not_stored(site: Site) -> None:
    link = _link(site)
    with login(site, "vp") as client:
        pages = {path: client.get(path) for path in (
            "/directives", f"/directives/{NUMBER}", f"/units/{site.pilot_cell}", "/list?directive=" + NUMBER,
            f"/forms/directives/{site.directive_id}/state", f"/forms/obligations/{site.pilot_obligation}/waive",
            "/reports", "/search?q=Gio", link, "/login")}
        api = httpx.get(f"{site.url}/api/directives", headers={"Authorization": f"Bearer {site.tokens['vp']}"})
        refused_api = httpx.get(f"{site.url}/api/directives")
        missing = client.get("/khong-co-trang-nay")
        static = client.get("/static/style.css")
    for path, response in [*pages.items(), ("/api", api), ("/api 401", refused_api), ("404", missing)]:
        assert response.status_code in (200, 401, 404), (path, response.status_code)
        headers = response.headers
        assert headers["content-security-policy"] == CSP, path
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["cache-control"] == "no-store", path
        assert "strict-transport-security" not in headers, path  # plain http: HSTS would mean nothing
        expected = "no-referrer" if path == link else "same-origin"
        assert headers["referrer-policy"] == expected, path
    assert "frame-ancestors 'none'" in CSP and "script-src 'self'" in CSP and "style-src 'self'" in CSP
    # The stylesheet may be cached; it still may not be sniffed into something else.
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")
    assert static.headers["x-content-type-options"] == "nosniff"


def test_hsts_is_sent_when_the_request_came_over_https_through_the_proxy(site: Site) -> None:
    # Behind the office's reverse proxy (on loopback, trusted by uvicorn), X-Forwarded-Proto tells the scheme.
    response = httpx.get(f"{site.url}/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "secure" in response.headers["set-cookie"].lower()  # the login cookie is marked Secure there too


def test_stored_report_files_keep_their_sandbox_and_cannot_be_framed(site: Site) -> None:
    from storage.files import save_files

    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        save_files(uow.session, "reports/2017-06-19", {"thu.html": b"<p style='color:red'>x</p>",
                                                      "bang.xlsx": b"PK\x03\x04"}, site.clock.now)
        uow.commit()
    with login(site, "vp") as client:
        html = client.get("/reports/2017-06-19/thu.html")
        sheet = client.get("/reports/2017-06-19/bang.xlsx")
    assert html.status_code == 200 and sheet.status_code == 200
    for response in (html, sheet):
        assert response.headers["content-security-policy"] == "sandbox; frame-ancestors 'none'"
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert sheet.headers["content-disposition"].startswith("attachment")


def test_an_unexpected_error_answers_500_with_the_headers_and_a_vietnamese_page(engine) -> None:  # type: ignore[no-untyped-def]
    # A real app, served by uvicorn, with one route that fails as a bug would: the exception reaches Starlette's
    # outermost handler, outside the middleware stack.
    app = create_app(engine)

    def broken() -> None:
        raise RuntimeError("lỗi lập trình giả định")

    app.add_api_route("/hong", broken)
    app.add_api_route("/api/hong", broken)
    with serve(app) as url:
        page = httpx.get(f"{url}/hong")
        api = httpx.get(f"{url}/api/hong")
        after = httpx.get(f"{url}/login")  # the server goes on serving
    for response in (page, api):
        assert response.status_code == 500
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["x-frame-options"] == "DENY" and response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "RuntimeError" not in response.text and "lỗi lập trình giả định" not in response.text
    assert "Máy chủ gặp lỗi khi xử lý yêu cầu này" in page.text and page.headers["content-type"].startswith("text/html")
    assert api.json() == {"detail": SERVER_ERROR}
    assert after.status_code == 200
