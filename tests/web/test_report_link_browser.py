"""A chi bộ reports through the personal link of its reminder, in a real Chromium, as the recipient receives it.

The reminder goes through the real dispatcher to a real SMTP server on loopback; the test decodes the message,
takes the link, opens it, hands in the report with a PDF, and the superior's dashboard shows the new roll-up.
A link of another unit and an expired link are refused, and leave the database as it was.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from matplotlib.figure import Figure
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from rollout.links import create_link, revoke_links
from schedules import WorkingCalendar
from settings import get_settings
from storage import UnitOfWork
from storage.models import AuditEntry, ObligationRow, OutboxRow, SubmissionDocumentRow, SubmissionRow, UnitRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.web.conftest import NUMBER, Site, local
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)


def _pdf() -> bytes:
    """A real one-page PDF, as an office scanner or word processor would produce."""
    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.1, 0.9, "BÁO CÁO kết quả chỉ đạo điểm tổ chức diễn đàn", fontsize=14)
    out = io.BytesIO()
    fig.savefig(out, format="pdf")
    return out.getvalue()


def _state(site: Site) -> tuple[int, int, int, list[str]]:
    """What a refusal must not change: submissions, documents, links, and the statuses of every obligation."""
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        return (s.scalar(select(func.count()).select_from(SubmissionRow)) or 0,
                s.scalar(select(func.count()).select_from(SubmissionDocumentRow)) or 0,
                s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
                list(s.scalars(select(ObligationRow.status).order_by(ObligationRow.id))))


@pytest.fixture
def letter(site: Site, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Queue a reminder to the overdue pilot chi bộ, dispatch it to a real SMTP server, return its plain text."""
    monkeypatch.setenv("TRIENKHAI_PUBLIC_URL", site.url)
    get_settings.cache_clear()
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        uow.session.add(OutboxRow(
            key=f"nhac:{site.pilot_obligation}", directive_id=site.directive_id, unit_id=cell.id, template="nhac_han",
            recipients={"to": [], "cc": []}, context={"obligations": [site.pilot_obligation], "as_of": "2017-06-20"},
            status="pending", attempts=0, next_attempt_at=local(2017, 6, 20, 8), created_at=local(2017, 6, 20, 8)))
        uow.session.query(OutboxRow).filter(OutboxRow.key != f"nhac:{site.pilot_obligation}",
                                            OutboxRow.status == "pending").update({"status": "cancelled"})
        uow.commit()
        address = cell.email
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        result = dispatch(site.engine, local(2017, 6, 20, 9),  # type: ignore[arg-type]
                          channel=SmtpChannel("127.0.0.1", port, sender="Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"),
                          calendar=WorkingCalendar())
    finally:
        controller.stop()
    assert result.sent == 1
    (rcpts, message), = sink.messages
    assert rcpts == [address]
    yield message.get_body(("plain",)).get_content()


def test_a_chi_bo_reports_through_the_link_of_its_reminder(browser: Browser, site: Site, letter: str) -> None:  # noqa: F811
    found = re.search(r"Báo cáo trực tuyến tại: (\S+)", letter)
    assert found, letter
    link = found[1]
    assert link.startswith(f"{site.url}/bao-cao/")
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        rows = uow.session.execute(select(ObligationRow.status, ObligationRow.key).where(
            ObligationRow.unit_id == cell.id, ObligationRow.status.in_(["pending", "open", "overdue"]))).all()
        # What is owed now, and of the periods not yet open only the next one of each item.
        owed = sum(1 for status, _ in rows if status != "pending") + len({k for st, k in rows if st == "pending"})
        assert len(rows) > owed  # yearly reports up to 2021 exist, and are not listed in 2017
        others = list(uow.session.scalars(select(UnitRow.name).where(UnitRow.parent_id == cell.parent_id,
                                                                     UnitRow.id != cell.id)))
        cell_name = cell.name

    page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    page.goto(link)
    expect(page.locator("h1")).to_have_text(f"Báo cáo trực tuyến của {cell_name}")
    expect(page.locator("section.owed")).to_have_count(owed)  # exactly what this chi bộ owes, nothing else
    text = page.locator("main").inner_text()
    assert not any(name in text for name in others if name != cell_name)
    item = page.locator(f"#item-{site.pilot_obligation}")
    expect(item).to_contain_text("quá hạn chưa hoàn thành")
    expect(item).to_contain_text("17h00 ngày 15/6/2017")
    _shot(page, "link-01-owed")

    # A Word file renamed .pdf is refused by its content, with the limit named; nothing is written.
    before = _state(site)
    item.locator("input[name=so_dien_dan]").fill("2")
    item.locator("input[name=so_dang_vien_tham_du]").fill("41")
    item.locator("input[name=so_ky_hieu]").fill("05-BC/CB")
    item.locator("input[name=ngay_ban_hanh]").fill("19/6/2017")
    item.locator("input[name=nguoi_ky]").fill("Nguyễn Văn An, Bí thư chi bộ")
    item.locator("input[name=tep]").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": "không phải PDF".encode()})
    item.locator("button[type=submit]").click()
    item = page.locator(f"#item-{site.pilot_obligation}")
    expect(item.locator(".field-error")).to_contain_text("không phải PDF, DOCX, XLSX, PNG hoặc JPEG")
    expect(item.locator("input[name=so_dien_dan]")).to_have_value("2")  # what was typed stays
    assert _state(site)[:2] == before[:2] and _state(site)[3] == before[3]

    pdf = _pdf()
    item.locator("input[name=so_ky_hieu]").fill("05-BC/CB")
    item.locator("input[name=tep]").set_input_files(
        {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": pdf})
    item.locator("button[type=submit]").click()
    expect(page.locator("#submitted")).to_contain_text("Đã ghi nhận báo cáo “Báo cáo kết quả chỉ đạo điểm")
    expect(page.locator("#submitted")).to_contain_text("hoàn thành quá hạn")
    expect(page.locator(f"#item-{site.pilot_obligation}")).to_have_count(0)  # no longer owed
    _shot(page, "link-02-submitted")

    small = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    small.goto(link)
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(small, "link-03-phone")
    small.close()

    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        doc = uow.session.scalar(select(SubmissionDocumentRow))
        assert doc is not None and doc.number == "05-BC/CB" and doc.signer == "Nguyễn Văn An, Bí thư chi bộ"
        assert doc.media_type == "application/pdf" and doc.size == len(pdf)
        assert doc.sha256 == hashlib.sha256(pdf).hexdigest()
        stored = get_settings().effective_files_dir / doc.sha256[:2] / doc.sha256[2:4] / doc.sha256
        assert stored.read_bytes() == pdf
        uses = list(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("link.%"))))
        assert uses.count("link.submit") == 1 and uses.count("link.open") >= 2

    # The superior's dashboard: the chi bộ's report is in, and the district's figures include it.
    office = browser.new_page(viewport={"width": 1400, "height": 900}, locale="vi-VN")
    _sign_in(office, site, "giolinh")
    office.goto(f"{site.url}/directives/{NUMBER}?unit=QT-GIOLINH")
    expect(office.locator(".sums")).to_contain_text("41")
    expect(office.locator("#done-on-time")).to_have_text("0")
    office.goto(f"{site.url}/directives/{NUMBER}?unit={site.pilot_cell}")
    expect(office.locator("main")).to_contain_text("hoàn thành quá hạn")
    _shot(office, "link-04-superior")
    office.close()
    page.close()


def test_another_units_link_and_an_expired_link_are_refused(site: Site, letter: str) -> None:
    link = re.search(r"Báo cáo trực tuyến tại: (\S+)", letter)[1]  # type: ignore[index]
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        other = uow.session.scalar(select(UnitRow).where(UnitRow.code == "QT-CAMLO-CAMTHANH"))
        assert other is not None
        other_token = create_link(uow.session, other, now=local(2017, 6, 20), days=60)
        uow.commit()
    before = _state(site)
    with httpx.Client(base_url=site.url, timeout=20) as client:
        # Another unit's link, posting to this chi bộ's item: refused, nothing of this chi bộ shown.
        refused = client.post(f"/bao-cao/{other_token}/{site.pilot_obligation}",
                              data={"so_dien_dan": "9", "so_ky_hieu": "1-BC", "ngay_ban_hanh": "19/6/2017",
                                    "nguoi_ky": "X"}, files={"tep": ("a.pdf", _pdf(), "application/pdf")})
        assert refused.status_code == 403
        assert "không thuộc đơn vị" in refused.text and site.pilot_cell not in refused.text
        # A made-up link.
        wrong = client.get("/bao-cao/khong-co-that")
        assert wrong.status_code == 404 and "Đường liên kết không đúng" in wrong.text
        # The reminder's own link, 61 days later.
        site.clock.now = local(2017, 6, 20, 9) + timedelta(days=61)
        try:
            expired = client.get(link.removeprefix(site.url))
            posted = client.post(link.removeprefix(site.url) + f"/{site.pilot_obligation}", data={"so_dien_dan": "1"})
        finally:
            site.clock.now = local(2017, 6, 20)
        assert expired.status_code == 410 and "đã hết hạn" in expired.text
        assert "liên hệ" in expired.text and posted.status_code == 410
        assert _state(site) == before
        # Revoked (the letter was forwarded by mistake): refused from then on, and the letter after it opens again.
        with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
            assert revoke_links(uow.session, site.pilot_cell, now=local(2017, 6, 20, 10), actor="cli:vp") == 1
            uow.commit()
        revoked = client.get(link.removeprefix(site.url))
        assert revoked.status_code == 410 and "đã bị thu hồi lúc 10h00 ngày 20/6/2017" in revoked.text
        with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
            cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
            fresh = create_link(uow.session, cell, now=local(2017, 6, 20, 11), days=60)  # type: ignore[arg-type]
            uow.commit()
        assert client.get(f"/bao-cao/{fresh}").status_code == 200
