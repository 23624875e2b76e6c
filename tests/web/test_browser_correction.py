"""In a real Chromium: a district reporter sends a wrong figure, corrects it with a reason, and the chi bộ's line on
the directive page shows both versions while the roll-up takes the corrected one; no policy violation on the way."""

from __future__ import annotations

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from rollout import actions
from rollout.links import create_link
from storage import UnitOfWork
from storage.models import ObligationRow, SubmissionRow, UnitRow
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


def test_a_chi_bo_corrects_its_report_through_its_link(browser: Browser, site: Site) -> None:  # noqa: F811
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        actions.submit(uow.session, NUMBER, cell.code, "bao-cao-chi-dao-diem", now=site.clock.now, actor="cb",
                       data={"so_dien_dan": 2, "so_dang_vien_tham_du": 180, "giai_phap": ["Mô hình A"]},
                       period=0)
        token = create_link(uow.session, cell, now=site.clock.now, days=30)
        uow.commit()
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    problems = _watch(page)
    page.goto(f"{site.url}/bao-cao/{token}")
    item = page.locator(f"#reported-{site.pilot_obligation}")
    expect(item).to_contain_text("Số đảng viên tham dự: 180")
    item.locator("summary", has_text="Sửa báo cáo này").click()
    field = item.locator(f"#c-{site.pilot_obligation}-so_dang_vien_tham_du")
    expect(field).to_have_value("180")
    expect(item.locator(f"#c-{site.pilot_obligation}-giai_phap")).to_have_value("Mô hình A")
    field.fill("18")
    item.locator("button[type=submit]").click()  # no reason: refused, the form stays open with the figure typed
    item = page.locator(f"#reported-{site.pilot_obligation}")
    expect(item.locator(".field-error")).to_contain_text("Phải ghi rõ lý do sửa")
    expect(item.locator(f"#c-{site.pilot_obligation}-so_dang_vien_tham_du")).to_have_value("18")
    item.locator(f"#c-{site.pilot_obligation}-reason").fill("Gõ thừa một chữ số 0")
    item.locator("button[type=submit]").click()
    expect(page.locator("#corrected")).to_contain_text("Đã sửa báo cáo “Báo cáo kết quả chỉ đạo điểm")
    item = page.locator(f"#reported-{site.pilot_obligation}")
    expect(item.locator(".current-values")).to_contain_text("Số đảng viên tham dự: 18")
    item.locator("summary", has_text="Lịch sử báo cáo").click()
    expect(item.locator(".versions li")).to_have_count(2)
    expect(item.locator(".versions li").nth(1)).to_contain_text("Sửa lúc 9h00 ngày 20/6/2017 — lý do: Gõ thừa")
    _shot(page, "correction-02-link")
    assert problems == [], problems
    page.close()
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        row = uow.session.get_one(ObligationRow, site.pilot_obligation)
        assert row.data == {"so_dien_dan": 2, "so_dang_vien_tham_du": 18, "giai_phap": ["Mô hình A"]}
        last = uow.session.scalars(select(SubmissionRow).where(SubmissionRow.obligation_id == row.id)
                                   .order_by(SubmissionRow.id.desc())).first()
        assert last is not None and last.action == "correct" and last.actor.startswith("link:")
