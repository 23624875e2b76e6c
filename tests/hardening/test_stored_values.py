"""Values already stored (before entry was bounded, or written by hand) cannot take a page down: the directive
page, the directives list, a unit's page and the API answer 200 whatever a report holds."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text

from storage import UnitOfWork
from storage.models import ObligationRow, SubmissionRow, UnitRow
from tests.web.conftest import NUMBER, Site, login

# One odd report per obligation: a number beyond any float, 400 digits, text and an object where a count belongs.
ODD = [
    '{"so_dien_dan": 1e999}',
    '{"so_dien_dan": ' + "9" * 400 + "}",
    '{"so_dang_vien_tham_du": "nhiều", "so_dien_dan": -1e308}',
    '{"so_dang_vien_tham_du": {"a": 1}, "giai_phap": 5}',
]


def _store_odd_values(site: Site) -> str:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        session = uow.session
        lo = session.scalar(select(UnitRow.path).where(UnitRow.code == "QT-GIOLINH"))
        rows = session.execute(
            select(ObligationRow.id, UnitRow.code).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
            .where(ObligationRow.key == "bao-cao-chi-dao-diem", UnitRow.path.startswith(lo))
            .order_by(UnitRow.code).limit(len(ODD))
        ).all()
        json_value = ":data" if session.bind.dialect.name == "sqlite" else "CAST(:data AS JSON)"  # type: ignore[union-attr]
        for (obligation_id, _code), raw in zip(rows, ODD, strict=True):
            session.execute(text(f"UPDATE obligations SET data = {json_value}, status = 'done_late' WHERE id = :id"),
                            {"data": raw, "id": obligation_id})
            session.add(SubmissionRow(obligation_id=obligation_id, at=site.clock.now, actor="cũ", action="submit"))
        session.flush()
        for (obligation_id, _code), raw in zip(rows, ODD, strict=True):
            session.execute(text(f"UPDATE submissions SET data = {json_value} WHERE obligation_id = :id"),
                            {"data": raw, "id": obligation_id})
        uow.commit()
        return str(rows[0][1])


def test_odd_stored_report_values_leave_every_page_readable(site: Site) -> None:
    cell = _store_odd_values(site)
    with login(site, "vp") as client:
        for path in ("/directives", f"/directives/{NUMBER}", f"/directives/{NUMBER}?unit=QT-GIOLINH",
                     f"/directives/{NUMBER}?unit={cell}", f"/units/{cell}", "/units/QT-GIOLINH"):
            page = client.get(path)
            assert page.status_code == 200, (path, page.text[-2000:])
            assert "Lỗi máy chủ" not in page.text and "Internal Server Error" not in page.text
        directive = client.get(f"/directives/{NUMBER}").text
        assert "Số diễn đàn đã tổ chức" in directive  # the summed figures still show, with what could be read
    headers = {"Authorization": f"Bearer {site.tokens['vp']}"}
    for path in (f"/api/directives/{NUMBER}", f"/api/units/{cell}", "/api/directives"):
        answer = httpx.get(f"{site.url}{path}", headers=headers, timeout=20)
        assert answer.status_code == 200, (path, answer.text[-2000:])
