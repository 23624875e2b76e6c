"""In a real Chromium, under the dashboard's Content-Security-Policy: the pages show with their colours, forms
submit, the browser reports no violation, and another site cannot frame the forms."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import select

from rollout.links import create_link
from storage import UnitOfWork
from storage.models import UnitRow
from tests.web.conftest import NUMBER, Site, local
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)


def _watch(page: Page) -> list[str]:
    """What the browser refused under the policy (each `securitypolicyviolation` event, and Chromium's own console
    line for it) and any script error; a 4xx answer the test provokes on purpose is not one of them."""
    seen: list[str] = []
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))")

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and not message.text.startswith("Failed to load resource"):
            seen.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: seen.append(str(exc)))
    return seen


def _background(page: Page, selector: str) -> str:
    return str(page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor"))


def test_pages_work_under_the_policy_without_a_violation(browser: Browser, site: Site) -> None:  # noqa: F811
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        token = create_link(uow.session, cell, now=local(2017, 6, 16), days=30)
        uow.commit()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    problems = _watch(page)
    _sign_in(page, site, "vp")
    page.click(f"text={NUMBER}")
    expect(page.locator("#overdue-count")).to_have_text("7")
    # The children table is shaded by class now: an overdue cell is red-tinted, an empty cell has no colour.
    overdue = page.locator("#children td.hs-overdue").first
    expect(overdue).to_be_visible()
    assert _background(page, "#children td.hs-overdue").startswith("rgba(200, 40, 40, 0.")
    assert _background(page, "#children td.cell:not([class*='hs-'])") == "rgba(0, 0, 0, 0)"
    assert _background(page, "#heatmap td.hc") != "rgba(0, 0, 0, 0)"
    expect(page.locator("svg.timeline .today")).to_have_count(1)
    _shot(page, "csp-01-directive")
    # The list's filter form submits and its result shows.
    page.click("#full-list")
    page.select_option("select[name=level]", "3")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"level=3"))
    expect(page.locator("#list-count")).to_contain_text("trên")
    _shot(page, "csp-02-list")
    # A report form posts and comes back with its figures.
    page.goto(f"{site.url}/forms/obligations/{site.pilot_obligation}/report")
    page.fill("#f-so_dien_dan", "2")
    page.fill("#f-so_dang_vien_tham_du", "18")
    page.click("button[type=submit]")
    expect(page.locator("#own")).to_contain_text("hoàn thành quá hạn")
    page.goto(f"{site.url}/units/{site.pilot_cell}")
    expect(page.locator("#submissions")).to_be_visible()
    page.goto(f"{site.url}/reports")
    page.goto(f"{site.url}/search?q=Gio Linh")
    expect(page.locator("main")).to_contain_text("Gio Linh")
    # Signing out is a form too.
    page.click("text=Đăng xuất")
    expect(page).to_have_url(f"{site.url}/login")
    # The personal link page shows, and its form posts (an empty document comes back with its message).
    page.goto(f"{site.url}/bao-cao/{token}")
    expect(page.locator("#link-head h1")).to_contain_text("Báo cáo trực tuyến")
    page.locator("section.owed form button[type=submit]").first.click()
    expect(page.locator(".field-error").first).to_be_visible()
    _shot(page, "csp-03-link")
    assert problems == [], problems
    page.close()


def test_another_site_cannot_frame_the_hold_and_abort_form(browser: Browser, site: Site) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    _sign_in(page, site, "vp")
    problems = _watch(page)
    target = f"{site.url}/forms/directives/{site.directive_id}/state"
    page.set_content(f'<h1>Trang lạ</h1><iframe id="f" src="{target}" width="800" height="500"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#f")
    expect(frame.locator("text=Hủy đợt triển khai")).to_have_count(0)
    assert any("frame-ancestors" in line for line in problems), problems
    page.close()
