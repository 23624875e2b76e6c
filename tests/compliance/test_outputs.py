"""The files of a weekly run, opened the way their readers open them."""

from __future__ import annotations

import re
import struct
from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from compliance.run import report_folder, run_compliance, run_compliance_detailed
from settings import get_settings
from storage import UnitOfWork
from storage.files import list_folders, read_file

from compliance_scenario import at

SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _files(paths) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {p.suffix: p for p in paths}


def _docx_text(path) -> str:  # type: ignore[no-untyped-def]
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture
def outputs(followed, tmp_path):  # type: ignore[no-untyped-def]
    return _files(run_compliance(followed, at(2017, 6, 30, 15), tmp_path / "out"))


def test_run_stores_one_of_each_file_and_exports_the_same_bytes(followed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    paths = run_compliance(followed, at(2017, 6, 30, 15), tmp_path / "out")
    names = [
        "bao-cao-tong-hop_47-KH-TU_2017-06-26.docx", "bao-cao-tong-hop_47-KH-TU_2017-06-26.html",
        "bao-cao-tong-hop_47-KH-TU_2017-06-26.png", "tong-hop-tuan_2017-06-26.xlsx",
    ]
    assert sorted(p.name for p in paths) == names
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)  # no temporary left
    with UnitOfWork(followed) as uow:
        ((folder, listed),) = list_folders(uow.session, "reports/")
        assert folder == "reports/2017-06-30" and [f.name for f in listed] == names
        for path in paths:
            assert read_file(uow.session, folder, path.name).content == path.read_bytes()  # type: ignore[union-attr]


def test_files_are_stored_by_the_local_day_of_the_run_and_nothing_on_disk(followed) -> None:  # type: ignore[no-untyped-def]
    result = run_compliance_detailed(followed, at(2017, 7, 2, 23))  # Sunday 23h00 in Vietnam, 16h00 in UTC
    assert result.folder == report_folder(at(2017, 7, 2, 23)) == "reports/2017-07-02" and result.paths == []
    with UnitOfWork(followed) as uow:
        assert [folder for folder, _ in list_folders(uow.session, "reports/")] == ["reports/2017-07-02"]
    assert not (get_settings().home / "reports").exists()
    # 06h30 on Monday in Vietnam is still Sunday in UTC: the folder follows Vietnam's day
    assert report_folder(datetime(2017, 7, 2, 23, 30, tzinfo=UTC)) == "reports/2017-07-03"


def test_docx_has_the_party_header_title_districts_and_figures(outputs) -> None:  # type: ignore[no-untyped-def]
    doc = Document(str(outputs[".docx"]))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert doc.styles["Normal"].font.name == "Times New Roman"
    header = doc.tables[0]
    left, right = header.cell(0, 0).text.splitlines(), header.cell(0, 1).text.splitlines()
    assert left[:3] == ["TỈNH ỦY QUẢNG TRỊ", "BAN TUYÊN GIÁO", "*"]
    assert re.fullmatch(r"Số\s+-BC/BTGTU", left[3])
    assert right[0] == "ĐẢNG CỘNG SẢN VIỆT NAM" and right[-1] == "Đông Hà, ngày 30 tháng 6 năm 2017"
    text = _docx_text(outputs[".docx"])
    assert "BÁO CÁO" in text
    assert "tổng hợp tình hình triển khai Kế hoạch số 47-KH/TU ngày 22/3/2017" in text
    for name in ("Thành ủy Đông Hà", "Huyện ủy Cam Lộ", "Huyện ủy Gio Linh", "Đảng ủy Khối các cơ quan tỉnh"):
        assert name in text
    district_table = next(t for t in doc.tables if t.cell(0, 1).text == "Đơn vị")
    dong_ha = next(row for row in district_table.rows if row.cells[1].text == "Thành ủy Đông Hà")
    assert [c.text for c in dong_ha.cells[2:]] == ["2", "1", "2", "4", "40,0%", "−26,7"]
    assert "Nơi nhận:" in text and "TRƯỞNG BAN" in text
    assert len(doc.inline_shapes) == 1  # the chart


def test_xlsx_has_a_summary_and_a_sheet_per_level(outputs) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(outputs[".xlsx"])
    assert book.sheetnames == ["47-KH-TU", "47-KH-TU cấp 1", "47-KH-TU cấp 2", "47-KH-TU cấp 3"]
    summary = book["47-KH-TU"]
    assert summary.freeze_panes == "C3" and summary["B2"].font.bold
    rows = {row[1]: row for row in summary.iter_rows(min_row=3, values_only=True)}
    dong_ha = rows["Thành ủy Đông Hà"]
    assert dong_ha[2:7] == (9, 2, 1, 2, 4) and dong_ha[10] == pytest.approx(0.4)
    assert dong_ha[11] == pytest.approx(0.4 - 2 / 3) and dong_ha[12:] == (1, 1)
    share_cell = next(r for r in summary.iter_rows(min_row=3) if r[1].value == "Thành ủy Đông Hà")[10]
    assert share_cell.number_format == "0.0%"
    assert rows["Toàn Đảng bộ"][2] == 38
    level3 = book["47-KH-TU cấp 3"]
    codes = [row[0] for row in level3.iter_rows(min_row=3, values_only=True)]
    assert len(codes) == 19 and "QT-DONGHA-CA-CB01" in codes
    late = next(row for row in level3.iter_rows(min_row=3, values_only=True) if row[0] == "QT-CAMLO-CAMTHANH-CB01")
    assert late[5] == 1 and late[-1] == 11  # one report due 15/6, overdue on 16, 19–23 and 26–30/6


def test_html_is_self_contained_and_embeds_the_chart(outputs) -> None:  # type: ignore[no-untyped-def]
    page = outputs[".html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in page and "Thành ủy Đông Hà" in page and "40,0%" in page


def test_chart_is_a_png_of_printable_size(outputs) -> None:  # type: ignore[no-untyped-def]
    data = outputs[".png"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1200 and 600 <= height < width and 20_000 < len(data) < 2_000_000


def test_no_active_directive_writes_nothing(issued, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rollout import actions

    from compliance_scenario import NUMBER, run

    run(issued, actions.set_state, NUMBER, "abort", reason="Thôi", now=at(2017, 6, 9), actor="vp")
    result = run_compliance_detailed(issued, at(2017, 6, 12), tmp_path / "out")
    assert result.paths == [] and result.names == [] and not (tmp_path / "out").exists()
    with UnitOfWork(issued) as uow:
        assert list_folders(uow.session, "reports/") == []


@SQLITE_ONLY
def test_cli_prints_the_table_and_the_paths(followed, db_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from cli.main import app

    monkeypatch.setenv("TRIENKHAI_DATABASE_URL", db_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["compliance", "run", "--now", "2017-06-30T15:00", "--out", str(tmp_path / "o")],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "Thành ủy Đông Hà" in result.output and "40,0%" in result.output
    assert "reports/2017-06-30" in result.output and "tong-hop-tuan_2017-06-26.xlsx" in result.output
    assert str(tmp_path / "o" / "tong-hop-tuan_2017-06-26.xlsx") in result.output
    with UnitOfWork(followed) as uow:
        stored = read_file(uow.session, "reports/2017-06-30", "tong-hop-tuan_2017-06-26.xlsx")
    assert stored is not None and stored.content == (tmp_path / "o" / "tong-hop-tuan_2017-06-26.xlsx").read_bytes()
    bad = CliRunner().invoke(app, ["compliance", "run", "--now", "thứ hai"])
    assert bad.exit_code != 0 and "ISO" in str(bad.exception)


def test_docx_lists_no_overdue_when_all_reported(issued, tmp_path) -> None:  # type: ignore[no-untyped-def]
    paths = _files(run_compliance(issued, at(2017, 4, 10), tmp_path / "o"))
    text = _docx_text(paths[".docx"])
    assert "Không có tổ chức đảng nào quá hạn chưa hoàn thành." in text
    assert date(2017, 4, 10).isoformat() in paths[".docx"].name


@SQLITE_ONLY
def test_a_run_started_while_another_job_writes_waits_its_turn(followed, db_url) -> None:  # type: ignore[no-untyped-def]
    # On a shared SQLite file the dispatcher or the reconciler may be writing when the weekly run starts: the
    # run must wait for the lock, not fail with "database is locked" after reading a snapshot gone stale.
    import sqlite3
    import threading
    import time

    locked, release = threading.Event(), threading.Event()

    def other_job() -> None:
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE directives SET title = title")
        locked.set()
        release.wait(5)
        time.sleep(1.0)
        conn.execute("COMMIT")
        conn.close()

    writer = threading.Thread(target=other_job)
    writer.start()
    locked.wait(5)
    release.set()
    try:
        result = run_compliance_detailed(followed, at(2017, 6, 30, 15))
    finally:
        writer.join()
    assert result.snapshot.rows > 0 and len(result.names) == 4
