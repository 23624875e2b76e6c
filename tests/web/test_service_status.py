"""Every signed-in page says when the service last ran each job, and a red banner says which job is in alarm.

The site's clock is pinned to 20/6/2017 (as `trienkhai web --as-of` does); the service's health follows the real
clock, so the runs below are placed relative to the real now.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from schedules.render import format_short
from tests.monitoring.rows import add_run
from tests.web.conftest import NUMBER, PASSWORD, Site, login

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SMTP_ERROR = "SMTPServerDisconnected: Connection unexpectedly closed while talking to mail.tinhuy-quangtri.example.vn"


def _finished(started: datetime) -> str:
    return format_short(started + timedelta(seconds=20))


def _troubled_service(site: Site) -> dict[str, datetime]:
    """Dispatch's last run failed; the reconciler completed three hours ago and not since; the weekly report is fine."""
    now = datetime.now(UTC)
    at = {"advance": now - timedelta(hours=3), "dispatch": now - timedelta(minutes=2),
          "weekly": now - timedelta(days=2)}
    add_run(site.engine, "advance", at["advance"])  # type: ignore[arg-type]
    add_run(site.engine, "dispatch", at["dispatch"] - timedelta(minutes=5))  # type: ignore[arg-type]
    add_run(site.engine, "dispatch", at["dispatch"], "failed", error=SMTP_ERROR)  # type: ignore[arg-type]
    add_run(site.engine, "weekly", at["weekly"])  # type: ignore[arg-type]
    return at


def _alarm(page: str) -> str:
    start = page.find('id="service-alarm"')
    return page[start:page.find("</div>", start)] if start >= 0 else ""


def test_the_header_of_every_page_says_when_each_job_last_ran(site: Site) -> None:
    now = datetime.now(UTC)
    runs = {"advance": now - timedelta(minutes=30), "dispatch": now - timedelta(minutes=3),
            "weekly": now - timedelta(days=3)}
    for job, started in runs.items():
        add_run(site.engine, job, started)  # type: ignore[arg-type]
    line = (f"Điều phối lần cuối {_finished(runs['advance'])}, gửi thư lần cuối {_finished(runs['dispatch'])}, "
            f"báo cáo tuần lần cuối {_finished(runs['weekly'])}.")
    with login(site, "vp") as client:
        for path in ("/directives", f"/directives/{NUMBER}", f"/units/{site.pilot_cell}", "/reports"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert line in page.text, path
            assert 'id="service-alarm"' not in page.text, path
    # A visitor who has not signed in learns nothing about the server.
    login_page = httpx.get(f"{site.url}/login").text
    assert "lần cuối" not in login_page and "service-line" not in login_page


def test_a_failed_job_and_a_stale_job_raise_a_red_banner_saying_why_and_what_to_do(site: Site) -> None:
    at = _troubled_service(site)
    with login(site, "xem") as client:
        banner = _alarm(client.get("/directives").text)
    assert "Dịch vụ định kỳ đang có sự cố." in banner
    assert (f"<strong>Gửi thư:</strong> lần chạy lúc {format_short(at['dispatch'])} bị lỗi "
            f"“{SMTP_ERROR}”.") in banner
    # Stale by the real clock: three hours is more than two hourly intervals (the page's own 2017 clock would
    # see a run in the future and raise nothing).
    assert f"<strong>Điều phối:</strong> chưa hoàn thành lần nào từ {_finished(at['advance'])}." in banner
    assert "Báo cáo tuần" not in banner
    assert "Hãy kiểm tra bằng lệnh <code>trienkhai doctor</code> trên máy chủ." in banner


def test_a_database_the_service_never_ran_on_shows_a_quiet_note_and_no_banner(site: Site) -> None:
    with login(site, "vp") as client:
        page = client.get("/directives").text
    assert 'id="service-alarm"' not in page
    assert 'class="service quiet" id="service-line">Chưa ghi nhận lần chạy nào của dịch vụ định kỳ' in page


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium (./dev test installs it with apt-get)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/login")
    page.fill("#username", "vp")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Văn bản chỉ đạo đang theo dõi")


@pytest.mark.parametrize("width", [1400, 390])
def test_the_banner_is_visible_and_fits_on_a_desktop_and_a_phone(browser: Browser, site: Site, width: int) -> None:
    _troubled_service(site)
    page = browser.new_page(viewport={"width": width, "height": 900}, locale="vi-VN")
    _sign_in(page, site)
    banner = page.locator("#service-alarm")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Gửi thư")
    expect(page.locator("#service-line")).to_contain_text("Điều phối lần cuối")
    box = banner.bounding_box()
    assert box is not None and box["y"] < 200, box  # at the top, under the header, not below the tables
    for selector in ("header.top", "#service-alarm"):
        fits = page.eval_on_selector(selector, "e => [e.getBoundingClientRect().right, e.scrollWidth, e.clientWidth]")
        assert fits[0] <= width + 0.5 and fits[1] <= fits[2], (selector, fits)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"service-alarm-{width}.png"))
    page.close()
