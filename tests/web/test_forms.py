"""Forms, sessions and files: clear messages next to fields, nothing half-written, CSRF, rate limit, expiry."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from storage import UnitOfWork
from storage.files import save_files
from storage.models import AuditEntry, DirectiveRow, ObligationRow, SubmissionRow
from tests.web.conftest import NUMBER, Site, csrf_of, login, post_login


def _obligation(site: Site) -> ObligationRow:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        return uow.session.get(ObligationRow, site.pilot_obligation)  # type: ignore[return-value]


def test_bad_report_shows_each_mistake_next_to_its_field_and_records_nothing(site: Site) -> None:
    with login(site, "giolinh") as client:
        response = client.post(f"/forms/obligations/{site.pilot_obligation}/report",
                               data={"csrf": csrf_of(client), "so_dien_dan": "hai", "so_dang_vien_tham_du": "1,5"})
    assert response.status_code == 400
    assert ('id="error-so_dien_dan">Giá trị “hai” không hợp lệ: phải là số nguyên từ 0 đến 1.000.000.000.000 '
            '(ví dụ 1.234).') in response.text
    assert 'id="error-so_dang_vien_tham_du"' in response.text and 'value="1,5"' in response.text
    assert _obligation(site).status == "overdue"
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.scalars(select(SubmissionRow)).all() == []


def test_good_report_is_recorded_late_and_audited_with_the_account(site: Site) -> None:
    with login(site, "giolinh") as client:
        response = client.post(f"/forms/obligations/{site.pilot_obligation}/report",
                               data={"csrf": csrf_of(client), "so_dien_dan": "2", "giai_phap": "Mô hình A\nMô hình B"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/directives/{NUMBER}?unit={site.pilot_cell}"
    row = _obligation(site)
    assert row.status == "done_late" and row.data == {"so_dien_dan": 2, "giai_phap": ["Mô hình A", "Mô hình B"]}
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        entry = uow.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.submit"))
    assert entry is not None and entry.actor == "web:giolinh"


def test_form_without_the_session_csrf_token_is_refused(site: Site) -> None:
    with login(site, "vp") as client:
        for token in ("", "khong-dung"):
            response = client.post(f"/forms/obligations/{site.pilot_obligation}/report",
                                   data={"csrf": token, "so_dien_dan": "1"})
            assert response.status_code == 403
    assert _obligation(site).status == "overdue"


def test_hold_needs_a_reason_and_shows_it_on_the_directive(site: Site) -> None:
    with login(site, "vp") as client:
        token = csrf_of(client)
        empty = client.post(f"/forms/directives/{site.directive_id}/state",
                            data={"csrf": token, "state_action": "hold", "reason": " "})
        assert empty.status_code == 400 and 'id="error-reason">Phải ghi rõ lý do' in empty.text
        done = client.post(f"/forms/directives/{site.directive_id}/state",
                           data={"csrf": token, "state_action": "hold", "reason": "Chờ ý kiến Thường trực"})
        assert done.status_code == 303
        page = client.get(f"/directives/{NUMBER}").text
    assert "Đang tạm dừng" in page and "Chờ ý kiến Thường trực" in page and "web:vp" in page
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.scalar(select(DirectiveRow.state)) == "held"


def test_gate_approval_is_recorded_once(site: Site) -> None:
    with login(site, "vp") as client:
        token = csrf_of(client)
        gate = client.post(f"/forms/directives/{site.directive_id}/gate/rollout", data={"csrf": token})
        assert gate.status_code == 303
        again = client.post(f"/forms/directives/{site.directive_id}/gate/rollout", data={"csrf": token})
    assert again.status_code == 400 and "đã được web:vp phê duyệt" in again.text


def test_login_is_rate_limited_and_failures_are_audited(site: Site) -> None:
    with httpx.Client(base_url=site.url) as client:
        for _ in range(5):
            assert post_login(client, "camlo", "sai-mat-khau").status_code == 401
        refused = post_login(client, "camlo", "mat-khau-thu-nghiem")
    assert refused.status_code == 429 and "thử lại sau 15 phút" in refused.text
    site.clock.now += timedelta(minutes=16)
    with login(site, "camlo"):
        pass
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        failed = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.login_failed")).all()
    assert len(failed) == 5


def test_sessions_expire_and_logout_ends_them_on_the_server(site: Site) -> None:
    with login(site, "vp") as client:
        assert client.get("/directives").status_code == 200
        site.clock.now += timedelta(hours=8, minutes=1)
        assert client.get("/directives").headers["location"] == "/login"
    with login(site, "vp") as client:
        cookie = client.cookies["tk_session"]
        assert client.post("/logout", data={"csrf": csrf_of(client)}).status_code == 303
    with httpx.Client(base_url=site.url, cookies={"tk_session": cookie}) as stolen:
        assert stolen.get("/directives").status_code == 303


def test_weekly_reports_are_listed_and_served_without_leaving_their_folder(site: Site) -> None:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        save_files(uow.session, "reports/2017-06-19", {"bao-cao-tuan.docx": b"PK\x03\x04 docx"}, site.clock.now)
        save_files(uow.session, "thu-rieng", {"secret.xlsx": b"secret"}, site.clock.now)  # a folder outside reports/
        uow.commit()
    with login(site, "vp") as client:
        listing = client.get("/reports").text
        assert "Tuần lập ngày 19/6/2017" in listing and "bao-cao-tuan.docx" in listing
        download = client.get("/reports/2017-06-19/bao-cao-tuan.docx")
        assert download.content == b"PK\x03\x04 docx" and "wordprocessingml" in download.headers["content-type"]
        for path in ("/reports/2017-06-19/..%2F..%2Fsecret.xlsx", "/reports/..%2F/secret.xlsx",
                     "/reports/2017-06-19/~%2Fsecret.xlsx", "/reports/2017-06-19/%2e%2e%2fsecret.xlsx",
                     "/reports/..%2Fthu-rieng/secret.xlsx"):
            response = client.get(path)
            assert response.status_code in (403, 404) and b"secret" not in response.content, path
