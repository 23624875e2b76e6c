"""The weekly report and the đôn đốc letter as printed: converted to PDF by LibreOffice, page 1 read back by poppler.

The PNG of each first page is kept in test-artifacts/printed/ at the root of the checkout (git-ignored, left after
the run, CI keeps it) for a person to look at: the letter and the report of a Party and of a Đoàn issuer.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

from compliance.run import run_compliance
from compliance.snapshot import take_snapshot
from hierarchy.files import read_units
from hierarchy.model import Contacts
from notifications.channels import OutboxFolderChannel
from notifications.dispatch import dispatch
from notifications.docx_letter import build_letter
from notifications.preview import sample_context
from rollout import actions
from rollout.reconcile import advance
from rollout.service import issue_plan
from storage import UnitOfWork
from storage.units import apply_hierarchy
from tests.notifications.test_letter_forms import _letter_for

from compliance_scenario import CAL, at, run

# The Trà Vinh dialogue conference (412-CV/TĐTN-PT): questions are due from the grassroots Đoàn on 18/6/2024 and
# from the district Đoàn at 16h00 on 19/6/2024; the Tỉnh đoàn chases and reports the week after.
DOAN_PLAN = Path(__file__).parents[2] / "examples" / "doi-thoai-thanh-nien-2024.yaml"
DOAN_NUMBER = "412-CV/TĐTN-PT"
# On time: the whole of Thành đoàn Trà Vinh and one unit of Huyện đoàn Càng Long; everyone else stays late.
ON_TIME = ["TD-TV-TP-P1", "TD-TV-TP-P7", "TD-TV-TP-DHTV", "TD-TV-TP", "TD-TV-CL-TT"]

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


@pytest.fixture
def doan_plan(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The dialogue plan issued by Tỉnh đoàn Trà Vinh on 5/6/2024 and followed as the engine does: a weekly run
    on 17/6, reports from the units in ON_TIME, the reconciler past the deadline, the dispatcher writing .eml files."""
    plan = yaml.safe_load(DOAN_PLAN.read_text(encoding="utf-8"))
    hierarchy = DOAN_PLAN.parent / plan["hierarchy"]["file"]
    plan["hierarchy"]["file"] = str(hierarchy)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    # Every unit has an address, as a province's list has before it sends anything.
    units = [replace(u, contacts=Contacts(email=u.contacts.email or f"{u.code.lower()}@travinh.doanthanhnien.vn"))
             for u in read_units(hierarchy)[0]]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=at(2024, 6, 1), actor="test")
        issue_plan(uow.session, path, now=at(2024, 6, 5), actor="vp", calendar=CAL)
        uow.commit()
    run(engine, advance, at(2024, 6, 10))
    run(engine, take_snapshot, at(2024, 6, 17))
    for code in ON_TIME:
        run(engine, actions.submit, DOAN_NUMBER, code, "cau-hoi", now=at(2024, 6, 18, 10), actor="test",
            data={"so_cau_hoi": 12, "cau_hoi": ["Việc làm cho thanh niên nông thôn"], "so_doan_vien_tham_gia": 40})
    outbox = tmp_path / "outbox"
    day = at(2024, 6, 20)
    while not list(outbox.glob("*.eml")) or not _letters(outbox):
        assert day < at(2024, 7, 5), "no đôn đốc letter in the two weeks after the deadline"
        run(engine, advance, day, calendar=CAL)
        dispatch(engine, day, channel=OutboxFolderChannel(outbox, "vanphong@travinh.doanthanhnien.vn"), calendar=CAL)
        day += timedelta(days=1)
    return engine, outbox


def _letters(outbox: Path) -> dict[str, bytes]:
    """The .docx letters attached to the đôn đốc e-mails of an outbox, by addressee (the e-mail's To)."""
    letters = {}
    for eml in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        for part in message.iter_attachments():
            if part.get_filename("").endswith(".docx"):
                letters[str(message["To"])] = part.get_payload(decode=True)
    return letters


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


def _check_letter(pdf: Path, national: str, signer: str, keep_as: str) -> list[str]:
    """Page 1 opens with the national line; Nơi nhận and the signature are never split apart; the list of late
    units opens its own page. Returns page 1's lines."""
    lines = _first_page(pdf, keep_as)
    assert national in lines[0]
    pages = [_page_text(pdf, n) for n in range(1, _pages(pdf) + 1)]
    assert 2 <= len(pages) <= 3
    signed = next(i for i, text in enumerate(pages) if "Nơi nhận:" in text)
    assert signer in pages[signed] and pages[-1].lstrip().startswith("DANH SÁCH")
    assert (ARTIFACTS / f"{keep_as}.png").stat().st_size > 10_000
    return lines


def test_party_letter_prints_on_one_page_plus_its_list(tmp_path: Path) -> None:
    _, context = _letter_for("Tỉnh ủy Quảng Trị", "tinh_uy", None, "Ban Thường vụ Huyện ủy Gio Linh")
    letter = tmp_path / "letter.docx"
    letter.write_bytes(build_letter(context))
    _check_letter(_pdf(letter), "ĐẢNG CỘNG SẢN VIỆT NAM", "Lê Văn B", "cong-van-dang")
    plain = tmp_path / "plain.docx"
    plain.write_bytes(build_letter(replace(sample_context("cong_van_don_doc"))))
    assert _pages(_pdf(plain)) == 1


@SQLITE_ONLY
def test_doan_letter_as_a_huyen_doan_receives_it(doan_plan, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, outbox = doan_plan
    letters = _letters(outbox)
    # Huyện đoàn Càng Long is late itself and two of its three units are: the letter lists them.
    letter = tmp_path / "letter.docx"
    letter.write_bytes(letters["td-tv-cl@travinh.doanthanhnien.vn"])
    words = "\n".join(p.text for p in Document(str(letter)).paragraphs)
    assert "Huyện đoàn Càng Long" in words and "412-CV/TĐTN-PT" in words
    assert "Huyện ủy" not in words and "Tỉnh ủy" not in words and "tổ chức đảng" not in words
    # The công văn's title opens with "Về việc" and names the conference: neither is said twice.
    assert "về về" not in words.lower() and words.count("Hội nghị đối thoại giữa lãnh đạo tỉnh") == 1
    assert "gửi kết quả về Ban Phong trào Tỉnh đoàn trong thời gian sớm nhất" in words
    # The plan names no office signer: the letter goes by order (TL.) of the Ban Thường vụ, for the Chánh Văn phòng.
    lines = _check_letter(_pdf(letter), "ĐOÀN TNCS HỒ CHÍ MINH", "CHÁNH VĂN PHÒNG", "cong-van-doan")
    assert lines[0].startswith("BCH ĐOÀN TỈNH TRÀ VINH")
    # The number is never broken across lines in the trích yếu (pdftotext would drop a hyphen at a line end).
    assert "Công văn số 412-CV/TĐTN-PT" in " ".join(lines).replace("\u2011", "-")


@SQLITE_ONLY
def test_doan_weekly_report_speaks_as_the_doan(doan_plan, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, _ = doan_plan
    paths = {p.suffix: p for p in run_compliance(engine, at(2024, 6, 24, 15), tmp_path / "out")}
    doc = Document(str(paths[".docx"]))
    # The department that collects the questions (route_via) compiles the report under the Tỉnh đoàn's name.
    header = doc.tables[0]
    assert header.cell(0, 0).text.splitlines()[:3] == ["BCH ĐOÀN TỈNH TRÀ VINH", "BAN PHONG TRÀO", "***"]
    assert header.cell(0, 1).text.splitlines()[0] == "ĐOÀN TNCS HỒ CHÍ MINH"
    # The Đoàn's ký hiệu: the Tỉnh đoàn's code, then the compiling department's after a hyphen.
    assert re.fullmatch(r"Số:\s+-BC/TĐTN-BPT", header.cell(0, 0).text.splitlines()[3])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "24 tổ chức đoàn" in text and "tổ chức đảng" not in text and "thành ủy" not in text
    assert "số câu hỏi: 24; số đoàn viên tham gia góp ý: 80" in text
    # A công văn is named as one, its "Về việc" title is not preceded by a second "về", and the causes speak of
    # the Đoàn's own committees.
    assert "triển khai Công văn số 412-CV/TĐTN-PT" in text and "Kế hoạch số" not in text
    assert "về về" not in text.lower() and "cấp ủy" not in text and "một số cấp bộ đoàn" in text
    signature = [t for t in doc.tables if "Nơi nhận:" in t.cell(0, 0).text][0]
    assert signature.cell(0, 1).text.split("\n")[0] == "TRƯỞNG BAN"
    assert "- Thường trực Tỉnh đoàn (b/c)," in signature.cell(0, 0).text
    assert signature.cell(0, 0).text.splitlines()[-1] == "- Lưu Ban Phong trào."
    pdf = _pdf(paths[".docx"])
    lines = _first_page(pdf, "bao-cao-doan")
    assert lines[0].startswith("BCH ĐOÀN TỈNH TRÀ VINH") and "ĐOÀN TNCS HỒ CHÍ MINH" in lines[0]
    assert lines[1].startswith("BAN PHONG TRÀO") and any(line == "BÁO CÁO" for line in lines)
    assert 2 <= _pages(pdf) <= 7
    assert (ARTIFACTS / "bao-cao-doan.png").stat().st_size > 10_000


def test_doan_report_keeps_1500_late_units_in_the_appendix(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

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
    # 1.500 late chi đoàn sit in the appendix, not in the body: the body stays short.
    appendix = next(n for n in range(1, _pages(pdf) + 1) if "PHỤ LỤC" in _page_text(pdf, n))
    assert appendix <= 4
