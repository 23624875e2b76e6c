"""Search, filtered lists and their exports over HTTP: what a clerk gets back, rows and files."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from hierarchy import Kind, Unit
from storage import UnitOfWork
from storage.units import apply_hierarchy
from tests.web.conftest import NUMBER, Site, _hierarchy, local, login
from web.search import fold


def test_fold_drops_diacritics_and_d_stroke() -> None:
    assert fold("Xã Cam Thành") == "xa cam thanh"
    assert fold("Đảng bộ ĐỒNG Hới") == "dang bo dong hoi"
    assert fold("47-KH/TU") == "47 kh tu"


def test_search_finds_a_unit_typed_without_diacritics_within_the_account_subtree(site: Site) -> None:
    with login(site, "vp") as client:
        page = client.get("/search", params={"q": "gio an"})
        assert page.status_code == 200
        assert "Đảng bộ xã Gio An" in page.text
        by_code = client.get("/search", params={"q": "qt-camlo"}).text
        first = by_code.index('id="unit-results"')
        assert "/units/QT-CAMLO\"" in by_code[first:first + 400]  # the exact code comes first
        assert "47-KH/TU" in client.get("/search", params={"q": "47-kh"}).text
    with login(site, "giolinh") as client:  # Gio Linh's account finds nothing of Cam Lộ, nor its list
        text = client.get("/search", params={"q": "cam lo"}).text
        assert 'id="no-units"' in text and "QT-CAMLO" not in text
        assert "Đảng bộ xã Gio An" in client.get("/search", params={"q": "GIO AN"}).text
        for path in ("/list", "/list.csv", "/list.xlsx"):
            refused = client.get(path, params={"directive": NUMBER, "unit": "QT-CAMLO"})
            assert refused.status_code == 403 and "Cam Lộ" not in refused.text


def test_overdue_list_filters_pages_and_exports_the_same_rows(site: Site) -> None:
    with login(site, "vp") as client:
        base = {"directive": NUMBER, "unit": "TU-QT", "status": "overdue", "per": "2"}
        first = client.get("/list", params=base)
        assert first.status_code == 200, first.text
        assert "trên <strong>7</strong>" in first.text
        last = client.get("/list", params=base | {"page": "4"})
        assert "Dòng 7–7 trên" in last.text
        workbook = load_workbook(io.BytesIO(client.get("/list.xlsx", params=base).content), read_only=True)
        rows = list(workbook.active.iter_rows(min_row=3, values_only=True))
        assert len(rows) == 7 and all(r[9] == "quá hạn chưa hoàn thành" for r in rows)
        exported = client.get("/list.csv", params=base | {"under": "QT-GIOLINH"})
        assert exported.content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert table[0][1] == "Đơn vị" and len(table) > 1 and all(r[3] == "Huyện ủy Gio Linh" for r in table[1:])
        bad = client.get("/list", params=base | {"days": "-3"})
        assert bad.status_code == 422 and "Số ngày quá hạn" in bad.text  # a mistyped filter is input, not a conflict


def test_the_filter_choices_follow_a_change_of_the_hierarchy(site: Site) -> None:
    # The kinds and levels a subtree holds are kept between requests; a re-import that adds a kind shows it.
    params = {"directive": NUMBER, "unit": "TU-QT", "status": ""}
    with login(site, "vp") as client:
        before = client.get("/list", params=params)
        assert before.status_code == 200 and '<option value="chi_bo"' in before.text
        assert '<option value="dang_uy_xa"' not in before.text
        with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
            added = Unit(code="QT-DUX-MOI", name="Đảng ủy xã Mới", kind=Kind.DANG_UY_XA, parent_code="TU-QT")
            apply_hierarchy(uow.session, [*_hierarchy(), added], now=local(2017, 6, 19), actor="test")
            uow.commit()
        after = client.get("/list", params=params)
    assert after.status_code == 200 and '<option value="dang_uy_xa">Đảng ủy xã/phường</option>' in after.text
