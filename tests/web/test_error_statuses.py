"""Each kind of error answers with its own HTTP status and its Vietnamese message, on the pages and in the API;
the statuses come from the same table as the command's exit codes (errors.OUTCOMES)."""

from __future__ import annotations

import inspect

import httpx
from sqlalchemy import select, update

import errors
from storage import UnitOfWork
from storage.models import DirectiveRow
from tests.web.conftest import NUMBER, Site, login


def _api(site: Site, who: str) -> httpx.Client:
    return httpx.Client(base_url=site.url, timeout=20, headers={"Authorization": f"Bearer {site.tokens[who]}"})


def test_every_error_class_has_one_exit_code_and_one_http_status_in_one_table() -> None:
    classes = {c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.TrienkhaiError)}
    assert classes == set(errors.OUTCOMES)
    for cls, (exit_code, status) in errors.OUTCOMES.items():
        assert (cls.exit_code, cls.http_status) == (exit_code, status)
    assert {c.http_status for c in (errors.InputError, errors.PlanError, errors.DeadlineError)} == {422}
    assert (errors.NotFound.http_status, errors.ConflictError.http_status, errors.Forbidden.http_status) == (
        404, 409, 403)


def test_a_mistyped_filter_is_422_an_account_outside_the_tree_403_a_missing_item_404_a_repeat_409(site: Site) -> None:
    with login(site, "vp") as client:
        bad = client.get("/list", params={"directive": NUMBER, "status": "khong-co"})
    assert bad.status_code == 422, bad.text
    assert "Không thực hiện được" in bad.text and "Bộ lọc “Trạng thái”: “khong-co” không có" in bad.text

    with login(site, "doan") as client:
        page = client.get(f"/directives/{NUMBER}")
    assert page.status_code == 403 and "Tài khoản không có quyền với nội dung này" in page.text
    with _api(site, "doan") as client:
        answer = client.get(f"/api/directives/{NUMBER}")
    assert answer.status_code == 403 and answer.json()["detail"].startswith("Tài khoản không có quyền")

    body = {"directive": NUMBER, "unit": site.pilot_cell, "key": "khong-co-noi-dung-nay", "data": {}}
    with _api(site, "giolinh") as client:
        missing = client.post("/api/submissions", json=body)
        report = {**body, "key": "bao-cao-chi-dao-diem", "data": {"so_dien_dan": 1}}
        first, twice = client.post("/api/submissions", json=report), client.post("/api/submissions", json=report)
    assert missing.status_code == 404 and "không có nội dung “khong-co-noi-dung-nay”" in missing.json()["detail"]
    assert first.status_code == 201, first.text
    assert twice.status_code == 409 and "hoàn thành quá hạn" in twice.json()["detail"]


def test_a_stored_plan_this_version_cannot_read_is_503_naming_the_directive_not_a_traceback(site: Site) -> None:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        stored = uow.session.scalars(select(DirectiveRow.plan)).one()
        uow.session.execute(update(DirectiveRow).values(plan={**stored, "chase_channel": "fax"}))
        uow.commit()
    site.app.state.readings.clear()  # type: ignore[attr-defined]
    with login(site, "vp") as client:
        page = client.get(f"/directives/{NUMBER}", params={"unit": "TU-QT"})
    assert page.status_code == 503, page.text
    assert f"Kế hoạch đã lưu của văn bản số “{NUMBER}” không còn hợp lệ" in page.text and "chase_channel" in page.text
    assert "Traceback" not in page.text
    with _api(site, "vp") as client:
        answer = client.get(f"/api/directives/{NUMBER}")
    assert answer.status_code == 503 and f"văn bản số “{NUMBER}”" in answer.json()["detail"]
