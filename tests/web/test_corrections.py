"""Correcting a report from the dashboard: whoever may submit it may correct it, with a reason; the directive page
shows every version of a corrected item; a value stored before entry was bounded can be corrected too."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from storage import UnitOfWork
from storage.models import AuditEntry, ObligationRow, SubmissionRow, UnitRow
from tests.hardening.test_stored_values import _store_odd_values
from tests.web.conftest import NUMBER, Site, csrf_of, login


def test_a_reporter_corrects_a_report_and_the_history_shows_both_versions(site: Site) -> None:
    oid = site.pilot_obligation
    with login(site, "giolinh") as client:
        token = csrf_of(client)
        sent = client.post(f"/forms/obligations/{oid}/report",
                           data={"csrf": token, "so_dien_dan": "2", "so_dang_vien_tham_du": "1.800"})
        assert sent.status_code == 303
        page = client.get(f"/directives/{NUMBER}?unit={site.pilot_cell}").text
        assert f'href="/forms/obligations/{oid}/correct"' in page and f'id="history-{oid}"' not in page
        form = client.get(f"/forms/obligations/{oid}/correct").text
        assert re.search(r'id="f-so_dang_vien_tham_du" name="so_dang_vien_tham_du" inputmode="numeric" '
                         r'value="1800"', form), form
        no_reason = client.post(f"/forms/obligations/{oid}/correct",
                                data={"csrf": token, "so_dien_dan": "2", "so_dang_vien_tham_du": "18", "reason": ""})
        assert no_reason.status_code == 400 and 'id="error-reason"' in no_reason.text
        assert 'value="18"' in no_reason.text  # what was typed comes back
        done = client.post(f"/forms/obligations/{oid}/correct",
                           data={"csrf": token, "so_dien_dan": "2", "so_dang_vien_tham_du": "18",
                                 "reason": "Gõ thừa hai chữ số 0"})
        assert done.status_code == 303
        page = client.get(f"/directives/{NUMBER}?unit={site.pilot_cell}").text
        province = client.get(f"/directives/{NUMBER}?unit=QT-GIOLINH").text
    history = page[page.index(f'id="history-{oid}"'):]
    history = history[:history.index("</details>")]
    assert "2 lần ghi nhận" in history and "1 (nộp)" in history and "2 (sửa)" in history
    assert history.count("web:giolinh") == 2 and "Gõ thừa hai chữ số 0" in history
    assert "1.800" in history and "18</div>" in history
    assert "Số đảng viên tham dự: <strong>18</strong>" in province  # the roll-up reads the corrected figure
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        row = uow.session.get_one(ObligationRow, oid)
        assert row.status == "done_late" and row.data == {"so_dien_dan": 2, "so_dang_vien_tham_du": 18}
        assert len(uow.session.scalars(select(SubmissionRow).where(SubmissionRow.obligation_id == oid)).all()) == 2


def test_those_who_may_not_submit_may_not_correct(site: Site) -> None:
    oid = site.pilot_obligation
    with login(site, "giolinh") as client:
        client.post(f"/forms/obligations/{oid}/report", data={"csrf": csrf_of(client), "so_dien_dan": "2"})
    for account in ("xem", "camlo"):  # a viewer; an administrator of another district
        with login(site, account) as client:
            token = csrf_of(client)
            assert client.get(f"/forms/obligations/{oid}/correct").status_code == 403
            posted = client.post(f"/forms/obligations/{oid}/correct",
                                 data={"csrf": token, "so_dien_dan": "5", "reason": "Thử sửa hộ"})
            assert posted.status_code == 403
    with login(site, "xem") as client:
        assert "/correct" not in client.get(f"/directives/{NUMBER}?unit={site.pilot_cell}").text
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.get_one(ObligationRow, oid).data == {"so_dien_dan": 2}


def test_a_value_stored_before_entry_was_bounded_is_corrected_from_the_web(site: Site) -> None:
    cell = _store_odd_values(site)  # its report holds so_dien_dan = 1e999
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        oid = uow.session.scalar(select(ObligationRow.id).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
                                 .where(UnitRow.code == cell, ObligationRow.key == "bao-cao-chi-dao-diem"))
    with login(site, "vp") as client:
        form = client.get(f"/forms/obligations/{oid}/correct")
        assert form.status_code == 200 and 'value="inf"' in form.text
        done = client.post(f"/forms/obligations/{oid}/correct",
                           data={"csrf": csrf_of(client), "so_dien_dan": "1", "reason": "Số cũ ghi sai"})
        assert done.status_code == 303
        page = client.get(f"/directives/{NUMBER}?unit={cell}")
        unit_page = client.get(f"/units/{cell}")
    assert page.status_code == 200 and unit_page.status_code == 200
    assert f'id="history-{oid}"' in page.text and "inf" in page.text and "Số cũ ghi sai" in page.text
    assert "(sửa báo cáo)" in unit_page.text and "Lý do sửa:" in unit_page.text
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        audit = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "report.correct")).one()
    assert audit.details == {"data": {"so_dien_dan": 1}, "before": {"so_dien_dan": "inf"}}  # kept, as text


def test_an_e_office_system_corrects_a_report_through_the_api(site: Site) -> None:
    body = {"directive": NUMBER, "unit": site.pilot_cell, "key": "bao-cao-chi-dao-diem"}

    def call(account: str, path: str, payload: dict[str, object]) -> httpx.Response:
        return httpx.post(f"{site.url}/api/{path}", json=payload, timeout=20,
                          headers={"Authorization": f"Bearer {site.tokens[account]}"})

    assert call("giolinh", "submissions", body | {"data": {"so_dang_vien_tham_du": 180}}).status_code == 201
    no_reason = call("giolinh", "corrections", body | {"data": {"so_dang_vien_tham_du": 18}, "reason": " "})
    assert no_reason.status_code == 422
    assert {"field": "reason", "message": "phải ghi rõ lý do sửa (sẽ hiển thị trong lịch sử báo cáo)"} in \
        no_reason.json()["problems"]
    for account in ("camlo", "xem"):
        assert call(account, "corrections", body | {"data": {"so_dang_vien_tham_du": 1}, "reason": "x"}).status_code \
            == 403
    done = call("giolinh", "corrections", body | {"data": {"so_dang_vien_tham_du": 18}, "reason": "Gõ thừa số 0"})
    assert done.status_code == 201, done.text
    assert done.json()["data"] == {"so_dang_vien_tham_du": 18} and done.json()["status"] == "done_late"
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        actions = uow.session.scalars(select(SubmissionRow.action).where(
            SubmissionRow.obligation_id == site.pilot_obligation).order_by(SubmissionRow.id)).all()
    assert actions == ["submit", "correct"]


def test_a_link_of_another_unit_cannot_correct_the_report(site: Site) -> None:
    from rollout import actions
    from rollout.links import create_link
    from storage.units import find_unit

    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        actions.submit(uow.session, NUMBER, site.pilot_cell, "bao-cao-chi-dao-diem", data={"so_dien_dan": 2},
                       now=site.clock.now, actor="cb", period=0)
        other = create_link(uow.session, find_unit(uow.session, "QT-CAMLO"), now=site.clock.now, days=30,
                            subtree=True)
        uow.commit()
    refused = httpx.post(f"{site.url}/bao-cao/{other}/{site.pilot_obligation}/sua", timeout=20,
                         data={"so_dien_dan": "7", "reason": "Sửa hộ"})
    assert refused.status_code == 403 and "Không thuộc đơn vị của đường liên kết" in refused.text
    assert "Gio" not in httpx.get(f"{site.url}/bao-cao/{other}", timeout=20).text
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.get_one(ObligationRow, site.pilot_obligation).data == {"so_dien_dan": 2}
        assert uow.session.scalar(select(SubmissionRow.id).where(SubmissionRow.action == "correct")) is None
