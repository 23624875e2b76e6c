"""Access control walks every route of the app: an account outside the subtree is refused on each one."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from rollout.links import create_link
from storage import UnitOfWork
from storage.files import save_files
from storage.models import AccountRow, AuditEntry, ObligationRow, OutboxRow, SubmissionRow, UnitRow
from storage.units import find_unit
from tests.web.conftest import NUMBER, XSS_NAME, Site, csrf_of, login

# Routes that do not name anything in a subtree: signing in and out, the home redirect, the lists (filtered by
# scope, checked below), search (scoped) and the OpenAPI description.
UNSCOPED = {"/", "/login", "/logout", "/directives", "/api/directives", "/api/openapi.json",
            "/search",  # search results are bounded to the subtree: tests/web/test_search_lists.py
            "/tai-khoan",  # the accounts of the admin's subtree: tests/web/test_account_admin.py
            "/account/password",  # one's own password: tests/web/test_browser_password.py
            # a draft belongs to no subtree until it is issued, and issuing refuses an issuer outside the account's
            # subtree: tests/web/test_intake_browser.py
            "/intake", "/intake/{key}",
            # the document a directive was issued from goes to whoever sees the directive, as Cam Lộ does; an
            # account outside the directive is refused it below
            "/van-ban-goc/{directive_id}/{filename}",
            "/mau/mau-danh-sach-don-vi.xlsx"}  # a blank template, no unit's data: tests/web/test_unit_list_template.py
# The page a personal link opens: its scope is the link's unit, not an account (checked below with a Cam Lộ link).
LINK_PAGE = "/bao-cao/{token}"
CALENDAR_FEED = "/lich/{token}.ics"
# An invitation's set-password page opens by its token too (tests/web/test_invitation_browser.py).
PASSWORD_PAGE = "/dat-mat-khau/{token}"
LINK_TOKEN = "khong-co-lien-ket-nay"


def _flat(routes: list, prefix: str = "") -> list[tuple[str, object]]:  # type: ignore[type-arg]
    # FastAPI keeps included routers as branches: walk them so that no route escapes the check.
    out: list[tuple[str, object]] = []
    for route in routes:
        if hasattr(route, "original_router"):
            out += _flat(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            out.append((prefix + getattr(route, "path", ""), route))
    return out


def _routes(site: Site) -> list[tuple[str, str]]:
    out = []
    for path, route in _flat(site.app.routes):  # type: ignore[attr-defined]
        # Link pages and calendar feeds open by their token, not by an account: checked on their own below.
        if path.startswith("/static") or path in UNSCOPED or path in (LINK_PAGE, CALENDAR_FEED, PASSWORD_PAGE):
            continue
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                out.append((method, path))
    return out


def _letter_id(site: Site) -> int:
    # The đôn đốc letter the site sent to the Gio Linh pilot chi bộ.
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        found = uow.session.scalar(select(OutboxRow.id).where(OutboxRow.key.like("don-doc:%")))
    assert found is not None
    return found


def _url(site: Site, path: str, token: str = LINK_TOKEN, account_id: int = 0) -> str:
    values = {"token": token, "account_id": str(account_id), "number": NUMBER,
              "code": site.pilot_cell, "obligation_id": str(site.pilot_obligation),
              "directive_id": str(site.directive_id), "phase": "rollout", "day": "2017-06-19", "filename": "tuan.xlsx",
              "letter_id": str(_letter_id(site)), "seq": "1", "key": "khong-co-ban-nhap-nay"}
    url = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)
    assert "{" not in url
    return url + f"?unit={site.pilot_cell}"


def _counts(site: Site) -> tuple[int, int, int]:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        return (s.scalar(select(func.count()).select_from(SubmissionRow)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry).where(~AuditEntry.action.like("account.%"))) or 0,
                s.scalar(select(func.count()).select_from(ObligationRow).where(ObligationRow.status == "overdue")) or 0)


@pytest.fixture
def report_file(site: Site) -> bytes:
    content = b"PK\x03\x04 bang tong hop"
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        save_files(uow.session, "reports/2017-06-19", {"tuan.xlsx": content}, site.clock.now)
        uow.commit()
    return content


def test_every_route_refuses_an_account_outside_the_subtree(site: Site, report_file: bytes) -> None:
    routes = _routes(site)
    assert {p for _, p in routes} >= {"/directives/{number:path}", "/units/{code}", "/api/units/{code}",
                                      "/forms/obligations/{obligation_id}/report", "/reports/{day}/{filename}"}
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        camlo_link = create_link(uow.session, find_unit(uow.session, "QT-CAMLO"), now=site.clock.now, days=60,
                                 subtree=True)
        uow.commit()
        # The account of Gio Linh's reporter: the target of the account admin's actions.
        giolinh = uow.session.scalar(select(AccountRow.id).where(AccountRow.username == "giolinh"))
    before = _counts(site)
    form = {"so_dien_dan": "1", "reason": "thử", "state_action": "hold"}
    # API calls name their target in a JSON body: the Gio Linh chi bộ's report.
    body = {"directive": NUMBER, "unit": site.pilot_cell, "key": "bao-cao-chi-dao-diem", "data": {"so_dien_dan": 1},
            "reason": "thử"}
    with login(site, "camlo") as client:  # Cam Lộ's office administrator; the targets are in Gio Linh
        form["csrf"] = csrf_of(client)
        headers = {"Authorization": f"Bearer {site.tokens['camlo']}"}
        for method, path in routes:
            api_post = method == "POST" and path.startswith("/api/")
            response = client.request(method, _url(site, path, camlo_link, giolinh or 0), headers=headers,
                                      json=body if api_post else None,
                                      data=form if method == "POST" and not api_post else None)
            assert response.status_code == 403, (method, path, response.status_code)
            assert "Gio An" not in response.text and "Gio Linh" not in response.text
        # the lists only show Cam Lộ's part
        page = client.get("/directives").text
        assert NUMBER in page and "Huyện ủy Cam Lộ" in page
        listed = httpx.get(f"{site.url}/api/directives", headers=headers).json()
        assert [d["figures"]["unit"] for d in listed] == ["QT-CAMLO"]
    assert _counts(site) == before
    # Cam Lộ's personal link opens Cam Lộ's page (each opening audited), with nothing of Gio Linh.
    page = httpx.get(f"{site.url}/bao-cao/{camlo_link}").text
    assert "Huyện ủy Cam Lộ" in page and "Gio An" not in page and "Gio Linh" not in page


def test_a_unit_outside_every_directive_sees_no_directive(site: Site) -> None:
    headers = {"Authorization": f"Bearer {site.tokens['doan']}"}
    with login(site, "doan") as client:
        assert client.get(f"/directives/{NUMBER}").status_code == 403
        assert client.get(f"/van-ban-goc/{site.directive_id}/ke-hoach.docx").status_code == 403
        assert NUMBER not in client.get("/directives").text
    assert httpx.get(f"{site.url}/api/directives/{NUMBER}", headers=headers).status_code == 403
    assert httpx.get(f"{site.url}/api/directives", headers=headers).json() == []


def test_api_needs_credentials_on_every_endpoint(site: Site) -> None:
    api = [(m, p) for m, p in _routes(site) if p.startswith("/api/")] + [("GET", "/api/directives")]
    for method, path in api:
        for headers in ({}, {"Authorization": "Bearer faux"}, {"Authorization": f"Basic {site.tokens['vp']}"}):
            response = httpx.request(method, site.url + _url(site, path), headers=headers)
            assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer", (path, headers)
    spec = httpx.get(f"{site.url}/api/openapi.json").json()
    assert {"/api/directives", "/api/directives/{number}", "/api/units/{code}"} <= set(spec["paths"])


def test_pages_without_a_session_go_to_login(site: Site) -> None:
    for method, path in [*_routes(site), ("GET", LINK_PAGE)]:
        if path.startswith("/api/"):
            continue
        if path.startswith("/bao-cao/"):  # no session needed, only a valid link: a made-up one opens nothing
            response = httpx.request(method, site.url + _url(site, path), data={"csrf": "x"})
            assert response.status_code == 404 and "Đường liên kết không đúng" in response.text, (method, path)
            continue
        response = httpx.request(method, site.url + _url(site, path), data={"csrf": "x"})
        assert response.status_code == 303 and response.headers["location"] == "/login", (method, path)


def test_a_made_up_calendar_link_opens_no_feed(site: Site) -> None:
    response = httpx.get(site.url + _url(site, CALENDAR_FEED, token="faux"))
    assert response.status_code == 404 and "Đường dẫn lịch không hợp lệ" in response.text
    assert "BEGIN:VCALENDAR" not in response.text


def test_viewer_and_reporter_cannot_do_what_their_role_does_not_allow(site: Site) -> None:
    before = _counts(site)
    with login(site, "xem") as viewer:
        token = csrf_of(viewer)
        assert viewer.get(f"/forms/obligations/{site.pilot_obligation}/report").status_code == 403
        assert viewer.post(f"/forms/obligations/{site.pilot_obligation}/report",
                           data={"csrf": token, "so_dien_dan": "1"}).status_code == 403
    with login(site, "giolinh") as reporter:  # in scope, but gates, holds and waivers are the province's
        token = csrf_of(reporter)
        waive = reporter.post(f"/forms/obligations/{site.pilot_obligation}/waive", data={"csrf": token, "reason": "x"})
        assert waive.status_code == 403
        assert reporter.post(f"/forms/directives/{site.directive_id}/state",
                             data={"csrf": token, "state_action": "hold", "reason": "x"}).status_code == 403
        assert reporter.get("/reports").status_code == 403
    assert _counts(site) == before


def test_unit_names_and_report_text_come_back_escaped(site: Site) -> None:
    attack = '<img src=x onerror="alert(1)">'
    with login(site, "giolinh") as client:
        token = csrf_of(client)
        response = client.post(f"/forms/obligations/{site.pilot_obligation}/report",
                               data={"csrf": token, "so_dien_dan": "1", "kien_nghi": attack})
        assert response.status_code == 303
        unit_page = client.get(f"/units/{site.pilot_cell}").text
        commune = client.get(f"/directives/{NUMBER}?unit=QT-GIOLINH-GIOAN").text
        cell = client.get("/units/QT-GIOLINH-GIOAN-CB02").text
    assert attack not in unit_page and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in unit_page
    for page in (commune, cell):
        assert XSS_NAME not in page and "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in page
    api = httpx.get(f"{site.url}/api/units/QT-GIOLINH-GIOAN-CB02",
                    headers={"Authorization": f"Bearer {site.tokens['vp']}"})
    assert api.headers["content-type"] == "application/json" and api.json()["name"] == XSS_NAME


def test_a_district_admin_cannot_waive_the_provinces_items_on_the_form_or_the_api(site: Site) -> None:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        lo = find_unit(uow.session, "QT-CAMLO").path
        obligation_id = uow.session.scalars(
            select(ObligationRow.id).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(UnitRow.path.startswith(lo), UnitRow.code != "QT-CAMLO",
                   ObligationRow.status.in_(["open", "overdue"])).order_by(ObligationRow.id)).first()
        unit_code, key = uow.session.execute(
            select(UnitRow.code, ObligationRow.key).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(ObligationRow.id == obligation_id)).one()
    before = _counts(site)
    with login(site, "vp") as province:
        assert "/waive" in province.get("/directives/47-KH/TU?unit=QT-CAMLO").text.split("id=\"own\"")[1]
    with login(site, "camlo") as district:
        page = district.get("/directives/47-KH/TU?unit=QT-CAMLO").text
        assert "Nộp báo cáo" in page and "/waive" not in page
        assert district.get(f"/forms/obligations/{obligation_id}/waive").status_code == 403
        token = csrf_of(district)
        form = district.post(f"/forms/obligations/{obligation_id}/waive",
                             data={"csrf": token, "reason": "Chi bộ đang kiện toàn"})
    api = httpx.post(site.url + "/api/waivers", timeout=20, headers={"Authorization": f"Bearer {site.tokens['camlo']}"},
                     json={"directive": NUMBER, "unit": unit_code, "key": key, "reason": "Chi bộ đang kiện toàn"})
    assert form.status_code == 403 and "không có quyền miễn nội dung của văn bản 47-KH/TU" in form.text
    assert api.status_code == 403 and "đơn vị ban hành" in api.text
    assert _counts(site) == before


def test_pages_and_the_api_find_a_directive_by_any_spelling_of_its_number(site: Site) -> None:
    with login(site, "vp") as province:
        for spelling in ("047-KH/TU", "47-kh/tu", "47%20-%20KH/TU"):
            page = province.get(f"/directives/{spelling}")
            assert page.status_code == 200 and "47-KH/TU" in page.text, spelling
        # A number not issued answers as one outside the account's tree: the page does not tell which.
        assert province.get("/directives/48-KH/TU").status_code == 403
    api = httpx.get(site.url + "/api/directives/047-KH/TU", timeout=20,
                    headers={"Authorization": f"Bearer {site.tokens['vp']}"})
    assert api.status_code == 200 and api.json()["number"] == NUMBER
