"""An invited chi bộ sets its password from the invitation it received by e-mail, in a real Chromium, then logs in.

The invitation goes through the real dispatcher to a real SMTP server on loopback; the link is taken from the
message as the unit reads it. A used link and an expired one are refused with a Vietnamese page saying what
happened and whom to ask, and change nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from rollout.password_links import awaiting_password
from schedules import WorkingCalendar
from schedules.render import format_instant
from settings import get_settings
from storage import UnitOfWork
from storage.models import AccountRow, OutboxRow, PasswordLinkRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.web.conftest import Site, local
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)
from web.invitations import invite_subtree

AT = local(2017, 6, 20, 9)
CELL = "qt.camlo.camthanh.cb01@quangtri.dcs.vn"
OTHER = "qt.camlo.camthanh.cb02@quangtri.dcs.vn"
NEW_PASSWORD = "Cam-Thanh-2017-chi-bo-1"


@pytest.fixture
def letters(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Invite the chi bộ of Cam Lộ, dispatch to a real SMTP server; the plain text of each message by recipient."""
    monkeypatch.setenv("TRIENKHAI_PUBLIC_URL", site.url)
    get_settings.cache_clear()
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        uow.session.query(OutboxRow).filter(OutboxRow.status == "pending").update({"status": "cancelled"})
        result = invite_subtree(uow.session, "QT-CAMLO", kinds=["chi_bo"], role="reporter", now=AT, actor="test",
                                calendar=WorkingCalendar())
        uow.commit()
    assert result.invited == 5 and not result.not_invited
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        sent = dispatch(site.engine, AT, calendar=WorkingCalendar(),  # type: ignore[arg-type]
                        channel=SmtpChannel("127.0.0.1", port, sender="Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"))
    finally:
        controller.stop()
    assert sent.sent == 5
    yield {rcpts[0]: message.get_body(("plain",)).get_content() for rcpts, message in sink.messages}
    get_settings.cache_clear()


def _link(letter: str) -> str:
    found = re.search(r"Đặt mật khẩu tại: (\S+)", letter)
    assert found, letter
    return found[1]


def _account(site: Site, username: str) -> AccountRow:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        account = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
        assert account is not None
        return account


def test_an_invited_chi_bo_sets_its_password_from_the_email_and_logs_in(
        browser: Browser, site: Site, letters: dict[str, str]) -> None:  # noqa: F811
    letter = letters[CELL]
    assert f"Tên đăng nhập: {CELL}" in letter and "Vai trò: cán bộ báo cáo" in letter
    assert f"hết hạn lúc {format_instant(AT + timedelta(days=14))}" in letter, letter  # password_link_days
    link = _link(letter)
    assert link.startswith(f"{site.url}/dat-mat-khau/")
    token = link.rsplit("/", 1)[1]
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        stored = uow.session.scalar(select(PasswordLinkRow).where(
            PasswordLinkRow.token_hash == hashlib.sha256(token.encode()).hexdigest()))
        assert stored is not None and stored.used_at is None  # only the digest is kept

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Đặt mật khẩu")
    expect(page.locator("#login-name")).to_have_text(CELL)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#again", NEW_PASSWORD + "x")
    page.click("button[type=submit]")
    expect(page.locator(".field-error")).to_have_text("Hai lần nhập mật khẩu không khớp nhau.")
    assert awaiting_password(_account(site, CELL).password_hash)  # nothing set by the refused form
    page.fill("#password", NEW_PASSWORD)
    page.fill("#again", NEW_PASSWORD)
    _shot(page, "invite-01-set-password")
    page.click("button[type=submit]")
    expect(page.locator("#login-notice")).to_contain_text("Đã đặt mật khẩu")
    expect(page.locator("#username")).to_have_value(CELL)
    page.fill("#password", NEW_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Văn bản chỉ đạo đang theo dõi")
    expect(page.locator("header .who")).to_contain_text(f"{CELL} · cán bộ báo cáo · Chi bộ số 1")
    _shot(page, "invite-02-logged-in")

    # The same link again: refused, in Vietnamese, naming whom to ask; the password stays the one just set.
    used = browser.new_page(locale="vi-VN")
    used.goto(link)
    expect(used.locator("h1")).to_have_text("Đường liên kết đã được dùng")
    expect(used.locator("#link-refused")).to_contain_text("chỉ dùng được một lần")
    expect(used.locator("#link-refused")).to_contain_text("Đảng bộ xã Cam Thành")
    _shot(used, "invite-03-used")
    before = _account(site, CELL).password_hash
    again = httpx.post(link, data={"password": "mat-khau-khac-hoan-toan", "again": "mat-khau-khac-hoan-toan"})
    assert again.status_code == 410 and "Đường liên kết đã được dùng" in again.text
    assert _account(site, CELL).password_hash == before
    used.close()
    page.close()


def test_an_expired_invitation_link_is_refused_and_sets_nothing(
        browser: Browser, site: Site, letters: dict[str, str]) -> None:  # noqa: F811
    link = _link(letters[OTHER])
    site.clock.now = AT + timedelta(days=15)
    try:
        page = browser.new_page(locale="vi-VN")
        page.goto(link)
        expect(page.locator("h1")).to_have_text("Đường liên kết đã hết hạn")
        expect(page.locator("#link-refused")).to_contain_text("ngày 4/7/2017")
        expect(page.locator("#link-refused")).to_contain_text("gửi lại thư mời")
        expect(page.locator("form")).to_have_count(0)
        _shot(page, "invite-04-expired")
        posted = httpx.post(link, data={"password": NEW_PASSWORD, "again": NEW_PASSWORD})
        assert posted.status_code == 410
        assert awaiting_password(_account(site, OTHER).password_hash)
        wrong = httpx.get(link[:-4] + "abcd")
        assert wrong.status_code == 404 and "Đường liên kết không đúng" in wrong.text
        page.close()
    finally:
        site.clock.now = local(2017, 6, 20)


def test_a_district_office_finds_and_locks_an_account_on_its_admin_page(
        browser: Browser, site: Site, letters: dict[str, str]) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    _sign_in(page, site, "camlo")
    page.click("header nav >> text=Tài khoản")
    expect(page.locator("h1")).to_have_text("Tài khoản trong Huyện ủy Cam Lộ")
    expect(page.locator("#accounts tbody tr")).to_have_count(6)  # itself and the five chi bộ invited
    page.fill("#account-q", "cam thanh cb02")  # no diacritics, part of the unit's code
    page.click("form.search-big button")
    rows = page.locator("#accounts tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(OTHER)
    expect(rows.first).to_contain_text("Chờ đặt mật khẩu")
    _shot(page, "invite-05-admin-search")
    rows.first.locator("button.lock").click()
    expect(page.locator("#notice")).to_contain_text(f"Đã khóa tài khoản “{OTHER}”")
    expect(page.locator(f"tr[data-username='{OTHER}']")).to_contain_text("Đã khóa")
    assert page.locator("#account-q").input_value() == "cam thanh cb02"  # the search is kept
    _shot(page, "invite-06-admin-locked")
    assert not _account(site, OTHER).active
    page.close()
