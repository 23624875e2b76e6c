"""The shared file store against real databases: save, replace, list, read, export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from errors import InputError
from storage import UnitOfWork
from storage.files import export_files, list_folders, read_file, save_files
from storage.service_models import StoredFileRow

MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 07:00 in Vietnam
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHART = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # every byte value: the store must keep binaries exact


def save(engine, folder: str, files: dict[str, bytes], now: datetime = MONDAY) -> list[str]:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        names = save_files(uow.session, folder, files, now)
        uow.commit()
    return names


def test_saved_files_come_back_exact_with_their_media_type(engine) -> None:  # type: ignore[no-untyped-def]
    names = save(engine, "reports/2026-12-07", {"bieu-do.png": CHART, "bao-cao.docx": b"PK\x03\x04 docx",
                                                "trang.html": "<p>Đảng ủy</p>".encode()})
    assert names == ["bieu-do.png", "bao-cao.docx", "trang.html"]
    with UnitOfWork(engine) as uow:
        chart = read_file(uow.session, "reports/2026-12-07", "bieu-do.png")
        page = read_file(uow.session, "reports/2026-12-07", "trang.html")
        docx = read_file(uow.session, "reports/2026-12-07", "bao-cao.docx")
        assert read_file(uow.session, "reports/2026-12-07", "khong-co.png") is None
        assert read_file(uow.session, "reports/2026-12-14", "bieu-do.png") is None
    assert chart is not None and page is not None and docx is not None
    assert (chart.content, chart.media_type, chart.size) == (CHART, "image/png", len(CHART))
    assert page.content.decode() == "<p>Đảng ủy</p>" and page.media_type == "text/html; charset=utf-8"
    assert docx.media_type == DOCX and chart.written_at == MONDAY


def test_rewriting_a_name_replaces_it_and_leaves_the_others(engine) -> None:  # type: ignore[no-untyped-def]
    save(engine, "reports/2026-12-07", {"tuan.xlsx": b"ban dau", "bieu-do.png": CHART})
    later = MONDAY + timedelta(hours=3)
    save(engine, "reports/2026-12-07", {"tuan.xlsx": b"ban sau, dai hon"}, later)
    with UnitOfWork(engine) as uow:
        row = read_file(uow.session, "reports/2026-12-07", "tuan.xlsx")
        assert row is not None and (row.content, row.size, row.written_at) == (b"ban sau, dai hon", 16, later)
        assert uow.session.scalar(select(func.count()).select_from(StoredFileRow)) == 2
        assert read_file(uow.session, "reports/2026-12-07", "bieu-do.png").content == CHART  # type: ignore[union-attr]


def test_nothing_is_stored_unless_the_caller_commits(engine) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        save_files(uow.session, "reports/2026-12-07", {"tuan.xlsx": b"x"}, MONDAY)
    with UnitOfWork(engine) as uow:
        assert list_folders(uow.session, "reports/") == []


def test_folders_are_listed_newest_first_with_sizes_and_times(engine) -> None:  # type: ignore[no-untyped-def]
    save(engine, "reports/2026-11-30", {"tuan.xlsx": b"12345"}, MONDAY - timedelta(days=7))
    save(engine, "reports/2026-12-07", {"b.png": CHART, "a.docx": b"docx"})
    save(engine, "reports/2026-10-05", {"tuan.xlsx": b"1"}, MONDAY - timedelta(days=63))
    save(engine, "letters/2026-12-08", {"cong-van.docx": b"letter"})
    with UnitOfWork(engine) as uow:
        listed = list_folders(uow.session, "reports/")
        assert list_folders(uow.session, "reports_") == []  # '_' is a character here, not a wildcard
    assert [folder for folder, _ in listed] == ["reports/2026-12-07", "reports/2026-11-30", "reports/2026-10-05"]
    newest = listed[0][1]
    assert [(f.name, f.size, f.written_at) for f in newest] == [("a.docx", 4, MONDAY), ("b.png", len(CHART), MONDAY)]
    assert not hasattr(newest[0], "content")


def test_export_writes_each_file_whole_and_nothing_else(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    save(engine, "reports/2026-12-07", {"bieu-do.png": CHART, "tuan.xlsx": b"xlsx"})
    save(engine, "reports/2026-12-14", {"khac.xlsx": b"other week"})
    target = tmp_path / "ban-sao"
    (target).mkdir()
    (target / "tuan.xlsx").write_bytes(b"cu")  # an older copy is overwritten
    with UnitOfWork(engine) as uow:
        paths = export_files(uow.session, "reports/2026-12-07", target)
        assert export_files(uow.session, "reports/2026-01-05", tmp_path / "trong") == []
    assert paths == [target / "bieu-do.png", target / "tuan.xlsx"]
    assert (target / "bieu-do.png").read_bytes() == CHART and (target / "tuan.xlsx").read_bytes() == b"xlsx"
    assert sorted(p.name for p in target.iterdir()) == ["bieu-do.png", "tuan.xlsx"]  # no temporary left behind
    assert not (tmp_path / "trong").exists()


BAD = [("reports/2026-12-07", "../bi-mat.xlsx"), ("reports/2026-12-07", "a/b.png"), ("reports/2026-12-07", ".an.png"),
       ("reports/2026-12-07", "a\\b.png"), ("reports/2026-12-07", ""), ("reports/../etc", "a.png"),
       ("/reports/2026-12-07", "a.png"), ("reports//x", "a.png")]


def test_names_with_a_path_in_them_are_refused_and_nothing_is_stored(engine) -> None:  # type: ignore[no-untyped-def]
    for folder, name in BAD:
        with UnitOfWork(engine) as uow:
            with pytest.raises(InputError):
                save_files(uow.session, folder, {"tot.png": CHART, name: b"x"}, MONDAY)
            uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(StoredFileRow)) == 0
