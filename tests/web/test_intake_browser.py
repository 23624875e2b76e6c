"""An office receives a plan as a Word file, reviews its draft beside the source in a real Chromium, fills the one
value the document cannot give (the issuer's code), checks and issues it; the directive keeps the document."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import docx
import httpx
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from storage import UnitOfWork
from storage.models import DirectiveRow, ObligationRow
from tests.web.conftest import Site, csrf_of, login
from tests.web.test_browser import _shot, _sign_in, browser  # noqa: F401  (the fixture)

BODY = [
    "Thực hiện Kế hoạch số 47-KH/TU, ngày 22/3/2017 của Ban Thường vụ Tỉnh ủy về tổ chức Diễn đàn, Ban Thường vụ "
    "Tỉnh ủy ban hành Kế hoạch sơ kết công tác chỉ đạo điểm như sau:",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "Đánh giá kết quả chỉ đạo điểm, rút kinh nghiệm trước khi triển khai trong toàn Đảng bộ.",
    "II. TỔ CHỨC THỰC HIỆN",
    "Các huyện, thị, thành ủy, đảng ủy trực thuộc báo cáo sơ kết về Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh "
    "ủy) trước ngày 14/7/2017.",
]
RECIPIENTS = ["Nơi nhận:", "- Ban Tuyên giáo Trung ương (b/c),", "- Các huyện, thị, thành ủy, đảng ủy trực thuộc,",
              "- Lưu Văn phòng Tỉnh ủy."]
SIGNATURE = ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC", "(Đã ký)", "Nguyễn Đăng Quang"]


def _plan_docx() -> bytes:
    """A plan laid out as offices write them: the header in a two-column table above the title."""
    document = docx.Document()
    header = document.add_table(rows=2, cols=2)
    header.cell(0, 0).text, header.cell(0, 1).text = "TỈNH ỦY QUẢNG TRỊ", "ĐẢNG CỘNG SẢN VIỆT NAM"
    header.cell(1, 0).text, header.cell(1, 1).text = "Số 52-KH/TU", "Đông Hà, ngày 10 tháng 4 năm 2017"
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("sơ kết công tác chỉ đạo điểm tổ chức Diễn đàn")
    for text in [*BODY, *RECIPIENTS, *SIGNATURE]:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_upload_review_edit_check_and_issue_a_word_plan(browser: Browser, site: Site,  # noqa: F811
                                                        tmp_path: Path) -> None:
    source = tmp_path / "52-KH-TU so ket.docx"
    source.write_bytes(_plan_docx())
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="vi-VN")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _sign_in(page, site, "vp")
    page.click("nav >> text=Nhận văn bản")
    page.set_input_files("#tep", str(source))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Đối chiếu bản nháp với văn bản gốc")
    # Each value is marked in the source where it was read; pointing at it in the list shows that place.
    number_mark = page.locator("#source mark", has_text="Số 52-KH/TU")
    expect(number_mark).to_have_count(1)
    expect(page.locator("#source mark", has_text="trước ngày 14/7/2017")).to_have_count(1)
    row = page.locator("#values tr", has_text="52-KH/TU")
    row.locator("a.to-line").click()
    expect(number_mark).to_have_class("focused")
    _shot(page, "intake-01-review")
    # The page runs under a strict Content-Security-Policy: its script and styles come from files only (the page
    # as served; the live DOM gains attributes from the browser itself).
    html_text = page.request.get(page.url).text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html_text) is None
    assert re.search(r"\sstyle=", html_text) is None and "<style" not in html_text
    # As drafted, the check names the one gap: which unit of the hierarchy issues it.
    page.click("#check")
    expect(page.locator("#problems")).to_contain_text("trường “directive.issuer”")
    expect(page.locator("#problems")).to_contain_text("còn để trống (“THIẾU”)")
    # The clerk fills it in the draft and checks again.
    plan = page.locator("#plan")
    text = plan.input_value()
    assert text.count('"THIẾU"') == 1
    plan.fill(text.replace('issuer: "THIẾU"', 'issuer: "TU-QT"'))
    page.click("#check")
    expect(page.locator("#checked")).to_contain_text("Tệp hợp lệ")
    expect(page.locator("#checked")).to_contain_text("Tổng số nghĩa vụ sẽ tạo")
    _shot(page, "intake-02-checked")
    page.click("#issue")
    expect(page.locator("h1")).to_contain_text("52-KH/TU")
    expect(page.locator("#source-documents")).to_contain_text("52-KH-TU so ket.docx")
    _shot(page, "intake-03-issued")
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        directive = uow.session.scalar(select(DirectiveRow).where(DirectiveRow.number == "52-KH/TU"))
        assert directive is not None
        owed = uow.session.scalar(select(func.count()).select_from(ObligationRow)
                                  .where(ObligationRow.directive_id == directive.id))
        assert owed and owed > 0
    # The kept document is the one uploaded, byte for byte, offered as a download to who sees the directive.
    href = page.locator("#source-documents a").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    got = httpx.get(f"{site.url}{href}", cookies=cookies)
    assert got.status_code == 200 and got.content == source.read_bytes()
    assert got.headers["content-disposition"].startswith("attachment")
    assert dialogs == []
    page.close()


def test_a_scanned_pdf_is_refused_in_vietnamese_and_nothing_is_kept(browser: Browser, site: Site,  # noqa: F811
                                                                     tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8.27, 11.69))  # a page with a picture and no text layer, like a scan
    fig.add_axes((0, 0, 1, 1)).imshow([[0, 1], [1, 0]])
    scan = tmp_path / "ke-hoach-scan.pdf"
    fig.savefig(scan, format="pdf")
    page = browser.new_page()
    _sign_in(page, site, "vp")
    page.goto(f"{site.url}/intake")
    page.set_input_files("#tep", str(scan))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#upload-error")).to_contain_text("không có lớp chữ (bản quét")
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        from storage.service_models import StoredFileRow

        assert uow.session.scalar(select(func.count()).select_from(StoredFileRow)
                                  .where(StoredFileRow.folder.startswith("intake/"))) == 0
    page.close()


def test_intake_is_for_office_administrators_within_their_own_tree(site: Site) -> None:
    with login(site, "giolinh") as reporter:
        assert reporter.get("/intake").status_code == 403
    with login(site, "camlo") as district:
        files = {"tep": ("52-KH-TU.docx", _plan_docx(), "application/octet-stream")}
        assert district.post("/intake", files=files, data={"csrf": "sai"}).status_code == 403
        uploaded = district.post("/intake", files=files, data={"csrf": csrf_of(district)})
        assert uploaded.status_code == 303
        review = district.get(uploaded.headers["location"])
        plan = html.unescape(re.search(r'<textarea id="plan"[^>]*>(.*?)</textarea>', review.text, re.S).group(1))
        plan = plan.replace('issuer: "THIẾU"', 'issuer: "TU-QT"')
        # A district office may not issue the province's plan: refused, nothing written.
        issued = district.post(uploaded.headers["location"],
                               data={"csrf": csrf_of(district), "plan": plan, "action": "issue"})
        assert issued.status_code == 403
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.scalar(select(DirectiveRow).where(DirectiveRow.number == "52-KH/TU")) is None
