"""Submissions by API: one record per Idempotency-Key, the form's checks and messages, scope and roles, the schema."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from storage import UnitOfWork
from storage.audit import verify
from storage.models import IdempotentRequestRow, ObligationRow, SubmissionDocumentRow, SubmissionRow
from tests.web.conftest import NUMBER, Site

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _count(site: Site, model: type) -> int:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def _client(site: Site, who: str) -> httpx.Client:
    return httpx.Client(base_url=site.url, timeout=20, headers={"Authorization": f"Bearer {site.tokens[who]}"})


def _body(site: Site, **data: object) -> dict[str, object]:
    return {"directive": NUMBER, "unit": site.pilot_cell, "key": "bao-cao-chi-dao-diem",
            "data": data or {"so_dien_dan": 1, "so_dang_vien_tham_du": 23},
            "document": {"number": "07-BC/CB", "signed_on": "19/6/2017", "signer": "Lê Thị Bình, Bí thư",
                         "file_name": "bao-cao.pdf", "content_base64": base64.b64encode(PDF).decode()}}


def test_the_same_post_twice_with_one_key_records_one_submission(site: Site) -> None:
    with _client(site, "giolinh") as client:
        first = client.post("/api/submissions", json=_body(site), headers={"Idempotency-Key": "vpdt-2017-0042"})
        again = client.post("/api/submissions", json=_body(site), headers={"Idempotency-Key": "vpdt-2017-0042"})
        other = client.post("/api/submissions", json=_body(site, so_dien_dan=9),
                            headers={"Idempotency-Key": "vpdt-2017-0042"})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "done_late" and first.json()["data"]["so_dien_dan"] == 1
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and "đã dùng cho một yêu cầu khác" in other.json()["detail"]
    assert _count(site, SubmissionRow) == 1 and _count(site, SubmissionDocumentRow) == 1
    assert _count(site, IdempotentRequestRow) == 1
    # Without the key, a second report of the same item is refused as already handed in.
    with _client(site, "giolinh") as client:
        twice = client.post("/api/submissions", json=_body(site))
    assert twice.status_code == 409 and "hoàn thành quá hạn" in twice.json()["detail"]
    assert _count(site, SubmissionRow) == 1


def test_copies_of_one_request_sent_at_once_record_one_submission_and_get_one_answer(site: Site) -> None:
    # An e-office system that times out and retries several times at once: the copies race through the checks
    # (made before the write lock) and the lock; one is recorded and every copy gets its answer.
    def post(_: int) -> httpx.Response:
        with _client(site, "giolinh") as client:
            return client.post("/api/submissions", json=_body(site), headers={"Idempotency-Key": "vpdt-dong-thoi"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers if a.status_code != 201]
    assert len({a.text for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 7
    assert _count(site, SubmissionRow) == 1 and _count(site, IdempotentRequestRow) == 1
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert verify(uow.session).broken_id is None


def test_refusals_carry_the_forms_messages_and_write_nothing(site: Site) -> None:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        before = list(uow.session.scalars(select(ObligationRow.status).order_by(ObligationRow.id)))
    bad_file = _body(site)
    bad_file["document"]["content_base64"] = base64.b64encode(b"PK\x03\x04 not really").decode()  # type: ignore[index]
    with _client(site, "giolinh") as client:
        typed = client.post("/api/submissions", json=_body(site, so_dien_dan="hai"), headers={"Idempotency-Key": "a"})
        wrong_file = client.post("/api/submissions", json=bad_file, headers={"Idempotency-Key": "b"})
        outside = client.post("/api/submissions", json={**_body(site), "unit": "QT-CAMLO"})
    with _client(site, "xem") as client:
        viewer = client.post("/api/submissions", json=_body(site))
    with _client(site, "giolinh") as client:
        waive = client.post("/api/waivers", json={"directive": NUMBER, "unit": site.pilot_cell,
                                                  "key": "bao-cao-chi-dao-diem", "reason": "sáp nhập"})
    assert typed.status_code == 422 and any(p["field"] == "so_dien_dan" for p in typed.json()["problems"])
    assert wrong_file.status_code == 422 and "không phải PDF" in wrong_file.json()["problems"][0]["message"]
    assert outside.status_code == 403 and viewer.status_code == 403 and waive.status_code == 403
    assert _count(site, SubmissionRow) == 0 and _count(site, IdempotentRequestRow) == 0
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        assert list(uow.session.scalars(select(ObligationRow.status).order_by(ObligationRow.id))) == before


def test_the_schema_documents_submissions_and_the_key(site: Site) -> None:
    schema = httpx.get(f"{site.url}/api/openapi.json", timeout=20).json()
    post = schema["paths"]["/api/submissions"]["post"]
    assert any(p["name"] == "idempotency-key" for p in post["parameters"])
    assert {"201", "409", "422"} <= set(post["responses"])
    assert "/api/waivers" in schema["paths"]
