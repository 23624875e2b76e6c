"""In a real Chromium at 1400 and 390 px: search without diacritics, a filtered list paged to its end and
exported, no sideways scrolling on a phone, and printing without the navigation. Screenshots go to docs/images/."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import NUMBER, PASSWORD, Site
from tests.web.test_browser import browser  # noqa: F401  (the module's Chromium fixture)

IMAGES = Path(__file__).parents[2] / "docs" / "images"


def _sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Văn bản chỉ đạo đang theo dõi")


def _shot(page: Page, name: str) -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / f"{name}.png"), full_page=True)


def test_search_list_pages_and_export_at_desktop_width(browser: Browser, site: Site, tmp_path: Path) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="vi-VN", accept_downloads=True)
    _sign_in(page, site, "vp")
    page.fill("header form.search input", "gio an")
    page.press("header form.search input", "Enter")
    expect(page.locator("#unit-results li").first).to_contain_text("Đảng bộ xã Gio An")
    _shot(page, "tim-kiem-1400")
    page.goto(f"{site.url}/directives/{NUMBER}")
    expect(page.locator("#heatmap")).to_be_visible()
    expect(page.locator("#heat-legend")).to_contain_text("từ 50% trở lên")
    _shot(page, "van-ban-1400")
    page.click("#full-list")
    expect(page.locator("#list-count")).to_contain_text("trên 7")
    page.select_option("select[name=per]", "25")
    page.select_option("select[name=sort]", "ten")
    page.click("#filters button[type=submit]")
    page.goto(page.url.replace("per=25", "per=2"))
    expect(page.locator("#list-count")).to_contain_text("Dòng 1–2 trên 7")
    page.click("#page-last")
    expect(page.locator("#list-count")).to_contain_text("Dòng 7–7 trên 7")
    expect(page.locator("#pager")).to_contain_text("Trang 4 / 4")
    _shot(page, "danh-sach-1400")
    shown = page.locator("#list tbody tr td[data-label='Đơn vị'] a").all_inner_texts()
    with page.expect_download() as info:
        page.click("#export-xlsx")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    rows = list(load_workbook(target, read_only=True).active.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 7 and rows[-1][1] == shown[-1]  # every row, in the list's order
    page.close()


def test_phone_width_has_no_sideways_scroll_and_print_hides_navigation(browser: Browser, site: Site) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True)
    _sign_in(page, site, "vp")
    for name, path in (("van-ban", f"/directives/{NUMBER}"), ("don-vi", "/units/QT-GIOLINH"),
                       ("danh-sach", f"/list?directive={NUMBER}&unit=TU-QT&status=overdue"),
                       ("tim-kiem", "/search?q=cam+thanh"), ("danh-sach-van-ban", "/directives")):
        page.goto(f"{site.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        _shot(page, f"{name}-390")
        assert width <= 390, f"{path}: {width} px wide"
    page.goto(f"{site.url}/directives/{NUMBER}")
    page.emulate_media(media="print")
    expect(page.locator("header nav")).to_be_hidden()
    expect(page.locator("header form.search")).to_be_hidden()
    expect(page.locator("#overdue")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    page.close()
