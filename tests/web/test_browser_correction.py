"""In a real Chromium: a district reporter sends a wrong figure, corrects it with a reason, and the chi bộ's line on
the directive page shows both versions while the roll-up takes the corrected one; no policy violation on the way."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.conftest import NUMBER, Site
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)
from tests.web.test_browser_csp import _watch


def test_a_reporter_corrects_a_wrong_figure_and_sees_the_history(browser: Browser, site: Site) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    problems = _watch(page)
    _sign_in(page, site, "giolinh")
    page.goto(f"{site.url}/directives/{NUMBER}?unit={site.pilot_cell}")
    row = page.locator("#own tr", has_text="Báo cáo kết quả chỉ đạo điểm")
    row.locator("text=Nộp báo cáo").click()
    page.fill("#f-so_dien_dan", "2")
    page.fill("#f-so_dang_vien_tham_du", "1.800")
    page.click("button[type=submit]")
    expect(row).to_contain_text("hoàn thành quá hạn")
    page.goto(f"{site.url}/directives/{NUMBER}?unit=QT-GIOLINH")
    expect(page.locator(".sums")).to_contain_text("Số đảng viên tham dự: 1.800")
    page.goto(f"{site.url}/directives/{NUMBER}?unit={site.pilot_cell}")
    row.locator("text=Sửa báo cáo").click()
    expect(page.locator("h1")).to_contain_text("Sửa báo cáo: Báo cáo kết quả chỉ đạo điểm")
    expect(page.locator("#f-so_dang_vien_tham_du")).to_have_value("1800")
    page.fill("#f-so_dang_vien_tham_du", "18")
    page.click("button[type=submit]")  # no reason yet: refused, the figure typed stays
    expect(page.locator("#error-reason")).to_contain_text("Phải ghi rõ lý do sửa")
    expect(page.locator("#f-so_dang_vien_tham_du")).to_have_value("18")
    page.fill("#f-reason", "Gõ thừa hai chữ số 0")
    page.click("button[type=submit]")
    history = page.locator(f"#history-{site.pilot_obligation}")
    expect(history).to_be_visible()
    expect(history.locator("summary")).to_contain_text("2 lần ghi nhận")
    versions = history.locator("tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("1 (nộp)")
    expect(versions.nth(0)).to_contain_text("Số đảng viên tham dự: 1.800")
    expect(versions.nth(1)).to_contain_text("2 (sửa)")
    expect(versions.nth(1)).to_contain_text("Số đảng viên tham dự: 18")
    expect(versions.nth(1)).to_contain_text("Gõ thừa hai chữ số 0")
    expect(versions.nth(1)).to_contain_text("web:giolinh")
    _shot(page, "correction-01-history")
    page.goto(f"{site.url}/directives/{NUMBER}?unit=QT-GIOLINH")
    expect(page.locator(".sums")).to_contain_text("Số đảng viên tham dự: 18")
    assert problems == [], problems
    page.close()
