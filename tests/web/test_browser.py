"""End to end in a real headless Chromium: log in, drill down to a chi bộ, report, see the roll-up move, be refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.web.conftest import NUMBER, PASSWORD, Site

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium (./dev test installs it with apt-get)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Văn bản chỉ đạo đang theo dõi")


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_office_drills_down_reports_and_sees_the_rollup_change(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, site, "vp")
    _shot(page, "01-directives")
    page.click(f"text={NUMBER}")
    expect(page.locator("#overdue-count")).to_have_text("7")
    expect(page.locator("#done-on-time")).to_have_text("0")
    expect(page.locator("svg.timeline .today")).to_have_count(1)
    _shot(page, "02-directive-province")
    # drill down: district, grassroots organisation, chi bộ
    page.click("#children >> text=Huyện ủy Gio Linh")
    expect(page.locator(".crumbs strong")).to_have_text("Huyện ủy Gio Linh")
    page.click("#children >> text=Đảng bộ xã Gio An")
    _shot(page, "03-directive-commune")
    page.click("#children >> text=Chi bộ số 1")
    expect(page.locator(".crumbs strong")).to_have_text("Chi bộ số 1")
    expect(page.locator("#overdue")).to_contain_text("Công văn đôn đốc")
    _shot(page, "04-directive-chi-bo")
    # a wrong figure comes back next to its field, nothing recorded
    page.click("#own >> tr:has-text('Báo cáo kết quả chỉ đạo điểm') >> text=Nộp báo cáo")
    page.fill("#f-so_dien_dan", "hai")
    page.fill("#f-so_dang_vien_tham_du", "18")
    page.click("button[type=submit]")
    expect(page.locator("#error-so_dien_dan")).to_contain_text("phải là số nguyên từ 0 đến 1.000.000.000.000")
    expect(page.locator("#f-so_dang_vien_tham_du")).to_have_value("18")
    _shot(page, "05-report-error")
    page.fill("#f-so_dien_dan", "2")
    page.fill("#f-kien_nghi", "<img src=x onerror=alert(1)> Đề nghị tăng cường tài liệu")
    page.click("button[type=submit]")
    expect(page.locator("#own")).to_contain_text("hoàn thành quá hạn")
    # back to the province: one fewer overdue, one more late report, the summed figures include it
    page.click(".crumbs >> text=Tỉnh ủy Quảng Trị")
    expect(page.locator("#overdue-count")).to_have_text("6")
    expect(page.locator(".sums")).to_contain_text("Số diễn đàn đã tổ chức: 2")
    _shot(page, "06-directive-province-after")
    # the chi bộ's unit page shows the report, its text escaped (no script ran)
    page.goto(f"{site.url}/units/{site.pilot_cell}")
    expect(page.locator("#submissions")).to_contain_text("<img src=x onerror=alert(1)>")
    _shot(page, "07-unit")
    page.goto(f"{site.url}/units/QT-GIOLINH-GIOAN-CB02")
    expect(page.locator("h1")).to_contain_text('<script>alert("xss")</script>')
    assert dialogs == []
    page.close()


def test_district_account_is_refused_outside_its_district(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    _sign_in(page, site, "giolinh")
    page.click(f"text={NUMBER}")
    expect(page.locator(".crumbs strong")).to_have_text("Huyện ủy Gio Linh")
    expect(page.locator("#children")).not_to_contain_text("Cam Lộ")
    response = page.goto(f"{site.url}/units/QT-CAMLO")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Không thực hiện được")
    _shot(page, "08-refused")
    response = page.goto(f"{site.url}/directives/{NUMBER}?unit=TU-QT")
    assert response is not None and response.status == 403
    page.close()


def test_a_stored_html_report_shows_but_its_script_does_not_run(browser: Browser, site: Site) -> None:
    from compliance.run import run_compliance_detailed
    from storage import UnitOfWork
    from storage.files import save_files
    from tests.web.conftest import local

    run_compliance_detailed(site.engine, local(2017, 6, 19, 7))  # type: ignore[arg-type]
    hostile = ("<p id='noi-dung'>Báo cáo thử</p><script>document.getElementById('noi-dung').textContent = "
               "'đã chạy: ' + document.cookie; alert(1)</script>").encode()
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        save_files(uow.session, "reports/2017-06-19", {"thu.html": hostile}, site.clock.now)
        uow.commit()
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, site, "vp")
    page.goto(f"{site.url}/reports")
    expect(page.locator("h2").first).to_have_text("Tuần lập ngày 19/6/2017")
    _shot(page, "09-reports")
    page.click("text=bao-cao-tong-hop_47-KH-TU_2017-06-19.html")
    expect(page.locator("body")).to_contain_text("Thành ủy Đông Hà")
    assert page.evaluate("document.querySelector('img').naturalWidth") >= 1200  # the embedded chart shows
    page.goto(f"{site.url}/reports/2017-06-19/thu.html")
    expect(page.locator("#noi-dung")).to_have_text("Báo cáo thử")
    assert dialogs == []
    page.close()
