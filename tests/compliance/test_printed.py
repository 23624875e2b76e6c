"""The weekly report and the đôn đốc letter as printed: converted to PDF by LibreOffice, page 1 read back by poppler.

The PNG of each first page is kept in test-artifacts/printed/ at the root of the checkout (git-ignored, left after
the run, CI keeps it) for a person to look at: the letter and the report of a Party and of a Đoàn issuer.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook

from compliance.run import run_compliance
from notifications.docx_letter import build_letter
from notifications.preview import sample_context
from tests.notifications.test_letter_forms import _letter_for

from compliance_scenario import at

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice and poppler-utils are installed by ./dev test")


def _pdf(docx: Path) -> Path:
    subprocess.run(["soffice", "--headless", "-env:UserInstallation=file://" + str(docx.parent / "lo-profile"),
                    "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                   check=True, capture_output=True, timeout=180)
    return docx.with_suffix(".pdf")


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "printed"


def _first_page(pdf: Path, keep_as: str) -> list[str]:
    """Page 1's lines of text; its picture is kept as test-artifacts/printed/<keep_as>.png."""
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    (ARTIFACTS / f"{keep_as}.png").unlink(missing_ok=True)  # a picture left by an earlier run proves nothing
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "100", "-singlefile", "-png", str(pdf),
                    str(ARTIFACTS / keep_as)], check=True, timeout=60)
    print(f"page 1 kept as {ARTIFACTS / keep_as}.png")
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def _artifacts_folder() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


@SQLITE_ONLY
def test_weekly_report_prints_with_the_header_on_top_and_late_units_in_the_appendix(followed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    paths = {p.suffix: p for p in run_compliance(followed, at(2017, 6, 30, 15), tmp_path / "out")}
    pdf = _pdf(paths[".docx"])
    lines = _first_page(pdf, "bao-cao-dang")
    assert lines[0].startswith("TỈNH ỦY QUẢNG TRỊ") and "ĐẢNG CỘNG SẢN VIỆT NAM" in lines[0]
    assert any(line == "BÁO CÁO" for line in lines)
    assert 2 <= _pages(pdf) <= 7
    assert (ARTIFACTS / "bao-cao-dang.png").stat().st_size > 10_000
    sheet = load_workbook(paths[".xlsx"]).worksheets[0]
    assert sheet.auto_filter.ref and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.print_title_rows == "$1:$2"


@pytest.mark.parametrize(("name", "kind", "root", "national", "keep_as"), [
    ("Tỉnh ủy Quảng Trị", "tinh_uy", None, "ĐẢNG CỘNG SẢN VIỆT NAM", "cong-van-dang"),
    ("Đoàn Khối các cơ quan tỉnh", "doan_khoi", "Tỉnh đoàn Quảng Trị", "ĐOÀN TNCS HỒ CHÍ MINH", "cong-van-doan"),
])
def test_letter_prints_on_one_page_plus_its_list(name, kind, root, national, keep_as, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, context = _letter_for(name, kind, root, "Ban Thường vụ Huyện ủy Gio Linh")
    letter = tmp_path / "letter.docx"
    letter.write_bytes(build_letter(context))
    pdf = _pdf(letter)
    lines = _first_page(pdf, keep_as)
    assert national in lines[0]
    pages = [_page_text(pdf, n) for n in range(1, _pages(pdf) + 1)]
    assert 2 <= len(pages) <= 3
    # Nơi nhận and the signature are never split apart; the list of late units opens its own page.
    signed = next(i for i, text in enumerate(pages) if "Nơi nhận:" in text)
    assert "Lê Văn B" in pages[signed] and pages[-1].lstrip().startswith("DANH SÁCH")
    plain = tmp_path / "plain.docx"
    plain.write_bytes(build_letter(replace(sample_context("cong_van_don_doc"))))
    assert _pages(_pdf(plain)) == 1
    assert (ARTIFACTS / f"{keep_as}.png").stat().st_size > 10_000


def test_doan_report_speaks_as_the_doan(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from docx import Document

    from compliance.model import ComplianceReport, Counts, DistrictLine, LevelTotals, OverdueUnit
    from compliance.outputs.docx_report import build_docx

    counts = Counts(done_on_time=2876, done_late=11, overdue=1500, open=3, pending=0)
    report = ComplianceReport(
        number="150-KH/TĐTN-TCKT", title="Tổ chức Diễn đàn", issued_on=date(2020, 10, 15),
        issuer_name="Tỉnh đoàn Trà Vinh", department_name=None, place="Trà Vinh", week=date(2020, 11, 16),
        as_of=datetime(2020, 11, 16, 1, tzinfo=UTC), previous_week=None, totals=counts,
        levels=[LevelTotals(1, 3542, counts)],
        districts=[DistrictLine("HD-CL", "Huyện đoàn Càng Long", 3542, counts, None)],
        overdue=[OverdueUnit(2, f"CD{i}", f"Chi đoàn số {i}", "Huyện đoàn Càng Long", "Đoàn xã An Trường", 1, 2,
                             date(2020, 11, 2), 10) for i in range(1500)],
        units=[], family="doan", header_name="BCH ĐOÀN TỈNH TRÀ VINH", standing="Thường trực Tỉnh đoàn",
        standing_committee="Ban Thường vụ Tỉnh đoàn", lower_units="các huyện, thị, thành đoàn, Đoàn Khối",
        signer_form="TM. BAN THƯỜNG VỤ TỈNH ĐOÀN", signer_title="PHÓ BÍ THƯ THƯỜNG TRỰC", signer_name="Trần Trí Cường",
    )
    path = tmp_path / "doan.docx"
    path.write_bytes(build_docx(report))
    doc = Document(str(path))
    header = doc.tables[0]
    assert header.cell(0, 0).text.splitlines()[:2] == ["BCH ĐOÀN TỈNH TRÀ VINH", "***"]
    assert header.cell(0, 1).text.splitlines()[0] == "ĐOÀN TNCS HỒ CHÍ MINH"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "3.542 tổ chức đoàn" in text and "tổ chức đảng" not in text and "thành ủy" not in text
    assert "Tỷ lệ hoàn thành đúng hạn trên số nhiệm vụ đã đến hạn đạt 65,6%" in text
    signature = [t for t in doc.tables if "Nơi nhận:" in t.cell(0, 0).text][0]
    assert signature.cell(0, 1).text.split("\n")[0] == "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN"
    assert "Trần Trí Cường" in signature.cell(0, 1).text
    assert "- Thường trực Tỉnh đoàn (b/c)," in signature.cell(0, 0).text
    pdf = _pdf(path)
    assert _first_page(pdf, "bao-cao-doan")[0].startswith("BCH ĐOÀN TỈNH TRÀ VINH")
    # 1.500 late chi đoàn sit in the appendix, not in the body: the body stays short.
    appendix = next(n for n in range(1, _pages(pdf) + 1) if "PHỤ LỤC" in _page_text(pdf, n))
    assert appendix <= 4
