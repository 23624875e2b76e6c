"""The reports page reads the shared file store: what a weekly run or a rehearsal stored is listed and downloads
exactly as stored, HTML cannot script the dashboard, and only province-wide accounts get in."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from bootstrap import Services
from compliance.run import run_compliance_detailed
from hierarchy.generate import small_quang_tri_2017
from schedules import WorkingCalendar
from simulation.rehearse import rehearse
from storage import UnitOfWork
from storage.files import read_file
from tests.web.conftest import PASSWORD, PLAN, Clock, Site, local, login, serve
from web.accounts import create_account
from web.app import create_app

STEM = "bao-cao-tong-hop_47-KH-TU_2017-06-19"
FILES = [f"{STEM}.docx", f"{STEM}.html", f"{STEM}.png", "tong-hop-tuan_2017-06-19.xlsx"]


def _days(page: str) -> list[str]:
    return re.findall(r"Tuần lập ngày (\d+/\d+/\d{4})", page)


def test_weekly_run_is_listed_newest_first_and_downloads_as_stored(site: Site) -> None:
    run_compliance_detailed(site.engine, local(2017, 6, 12, 7))  # type: ignore[arg-type]
    result = run_compliance_detailed(site.engine, local(2017, 6, 19, 7))  # type: ignore[arg-type]
    assert result.folder == "reports/2017-06-19" and sorted(result.names) == FILES
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        stored = {name: read_file(uow.session, result.folder, name) for name in FILES}
    with login(site, "vp") as client:
        page = client.get("/reports")
        assert page.status_code == 200
        assert _days(page.text) == ["19/6/2017", "12/6/2017"]
        for name in FILES:
            assert f'href="/reports/2017-06-19/{name}"' in page.text
        assert "lập lúc 7h00 ngày 19/6/2017" in page.text and re.search(r"\d+,\d KB", page.text)
        for name, row in stored.items():
            response = client.get(f"/reports/2017-06-19/{name}")
            assert response.status_code == 200, name
            assert response.content == row.content and response.headers["content-type"].startswith(  # type: ignore[union-attr]
                row.media_type.split(";")[0])  # type: ignore[union-attr]
            assert response.headers["content-security-policy"] == "sandbox; frame-ancestors 'none'"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert f'filename="{name}"' in response.headers["content-disposition"]
        page_html = client.get(f"/reports/2017-06-19/{STEM}.html")
        assert page_html.headers["content-type"] == "text/html; charset=utf-8"
        assert "Thành ủy Đông Hà" in page_html.text
        assert client.get(f"/reports/2017-06-19/{STEM}.docx").headers["content-disposition"].startswith("attachment;")
        missing = client.get("/reports/2017-06-26/tong-hop-tuan_2017-06-26.xlsx")
        assert missing.status_code == 404 and "Không có tệp" in missing.text and "26/6/2017" in missing.text


def test_accounts_below_the_province_are_refused_the_page_and_the_files(site: Site) -> None:
    run_compliance_detailed(site.engine, local(2017, 6, 19, 7))  # type: ignore[arg-type]
    for username in ("camlo", "giolinh"):  # a district's administrator, a district's reporter
        with login(site, username) as client:
            assert client.get("/reports").status_code == 403
            response = client.get(f"/reports/2017-06-19/{STEM}.html")
            assert response.status_code == 403 and "Thành ủy Đông Hà" not in response.text
            assert "Báo cáo tuần" not in client.get("/directives").text  # not offered in the menu either
    with login(site, "xem") as viewer:  # a viewer of the Tỉnh ủy reads them
        assert viewer.get(f"/reports/2017-06-19/{STEM}.docx").status_code == 200


def test_a_rehearsal_leaves_every_week_on_the_reports_page_of_its_database(tmp_path: Path) -> None:
    rehearsal = rehearse(PLAN, small_quang_tri_2017(), date(2017, 4, 1), date(2017, 4, 19), seed=7,
                         out=tmp_path / "mo-phong", calendar=WorkingCalendar(), sender="vp@quangtri.dcs.vn")
    assert rehearsal.report_folders == ["reports/2017-04-19", "reports/2017-04-17", "reports/2017-04-10",
                                        "reports/2017-04-03"]
    with UnitOfWork(rehearsal.engine) as uow:
        create_account(uow.session, "vp", PASSWORD, "admin", "TU-QT", now=local(2017, 4, 19), actor="test")
        uow.commit()
    app = create_app(Services.over(rehearsal.engine, Clock(local(2017, 4, 19, 17))))
    with serve(app) as url, login(url, "vp") as client:
        page = client.get("/reports").text
        assert _days(page) == ["19/4/2017", "17/4/2017", "10/4/2017", "3/4/2017"]
        assert "bao-cao-tong-hop_47-KH-TU_2017-04-10.docx" in page
        for copy in rehearsal.reports:  # the copy on disk is the stored file of the last day
            assert client.get(f"/reports/2017-04-19/{copy.name}").content == copy.read_bytes()
