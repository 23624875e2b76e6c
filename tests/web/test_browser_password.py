"""In a real Chromium: a person changes their own password under the rule; the old one and every open session stop
working, the new one signs in."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, expect

from tests.web.conftest import PASSWORD, Site, login, post_login
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)
from tests.web.test_browser_csp import _watch

NEW = "song-thach-han-mua-lu-2017"


def test_changing_ones_password_applies_the_rule_and_ends_the_sessions(browser: Browser, site: Site) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    problems = _watch(page)
    with login(site, "xem") as elsewhere:  # the same account signed in on another computer
        _sign_in(page, site, "xem")
        page.click("#change-password")
        expect(page.locator("#password-rule")).to_contain_text("ít nhất 12 ký tự")

        def attempt(current: str, new: str, repeat: str) -> None:
            page.fill("#f-current", current)
            page.fill("#f-new", new)
            page.fill("#f-repeat", repeat)
            page.click("#password-form button[type=submit]")

        attempt("sai-mat-khau-hien-tai", NEW, NEW)
        expect(page.locator("#error-current")).to_have_text("Mật khẩu hiện tại không đúng.")
        attempt(PASSWORD, "password1234", "password1234")
        expect(page.locator("#error-new")).to_contain_text("có trong danh sách mật khẩu phổ biến")
        attempt(PASSWORD, NEW, NEW + "x")
        expect(page.locator("#error-repeat")).to_contain_text("không khớp")
        _shot(page, "password-01-refused")
        attempt(PASSWORD, NEW, NEW)
        expect(page.locator("#login-notice")).to_have_text("Đã đổi mật khẩu; hãy đăng nhập lại bằng mật khẩu mới.")
        assert elsewhere.get("/directives").headers.get("location") == "/login"
    with httpx.Client(base_url=site.url, timeout=20) as other:
        assert post_login(other, "xem", PASSWORD).status_code == 401  # the old password no longer opens
    page.fill("#username", "xem")
    page.fill("#password", NEW)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Văn bản chỉ đạo đang theo dõi")
    assert problems == [], problems
    page.close()
