"""The dashboard opens a letter as it was sent: its text, recipients and files, unchanged after the plan changes."""

from __future__ import annotations

import hashlib
import html
import io
from email import policy
from email.parser import BytesParser
from pathlib import Path

import docx
import httpx
from sqlalchemy import select, update

from notifications.channels import OutboxFolderChannel
from notifications.dispatch import dispatch
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import DirectiveRow, OutboxFileRow, OutboxRow, UnitRow
from tests.web.conftest import NUMBER, Site, local, login


def _send_letter(site: Site, folder: Path) -> int:
    """Queue a đôn đốc letter to the overdue pilot chi bộ and send it; its outbox id."""
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        cell = uow.session.scalar(select(UnitRow).where(UnitRow.code == site.pilot_cell))
        assert cell is not None
        uow.session.execute(update(OutboxRow).where(OutboxRow.status == "pending").values(status="cancelled"))
        row = OutboxRow(key=f"letter:{site.pilot_obligation}", directive_id=site.directive_id, unit_id=cell.id,
                        template="cong_van_don_doc", recipients={"to": [], "cc": []},
                        context={"obligations": [site.pilot_obligation], "as_of": "2017-06-20", "rung": 2},
                        status="pending", attempts=0, next_attempt_at=local(2017, 6, 20, 8),
                        created_at=local(2017, 6, 20, 8))
        uow.session.add(row)
        uow.commit()
        row_id = row.id
    result = dispatch(site.engine, local(2017, 6, 20, 9), channel=OutboxFolderChannel(folder, "vp@quangtri.dcs.vn"),  # type: ignore[arg-type]
                      calendar=WorkingCalendar())
    assert result.sent == 1
    return row_id


def test_the_directive_page_opens_each_letter_as_sent(site: Site, tmp_path: Path) -> None:
    row_id = _send_letter(site, tmp_path / "outbox")
    sent_eml, = (tmp_path / "outbox").glob("*.eml")
    sent = BytesParser(policy=policy.default).parsebytes(sent_eml.read_bytes())
    subject, text = str(sent["Subject"]), sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        stored = uow.session.scalars(select(OutboxFileRow).where(OutboxFileRow.outbox_id == row_id)).one()
        # The plan is renamed after the letter went out.
        uow.session.execute(update(DirectiveRow).values(title="Kế hoạch đã đổi tên"))
        uow.commit()
    with login(site, "vp") as client:
        directive = client.get(f"/directives/{NUMBER}?unit={site.pilot_cell}")
        assert f'href="/letters/{row_id}"' in directive.text
        page = client.get(f"/letters/{row_id}")
        assert page.status_code == 200
        assert subject in page.text and "đã đổi tên" not in page.text
        assert "Kính gửi:" in page.text and html.escape(str(sent["Message-ID"])) in page.text
        assert '<dd id="channel">thư điện tử</dd>' in page.text  # which channel carried it
        assert stored.name in page.text and stored.sha256 in page.text
        file = client.get(f"/letters/{row_id}/files/1")
        assert file.status_code == 200 and file.content == stored.content
        assert hashlib.sha256(file.content).hexdigest() == stored.sha256
        assert file.headers["content-disposition"].startswith("attachment;")
        signer = [p.text for p in docx.Document(io.BytesIO(file.content)).tables[1].cell(0, 1).paragraphs if p.text]
        assert signer[0] == "T/L BAN THƯỜNG VỤ"
        eml = BytesParser(policy=policy.default).parsebytes(client.get(f"/letters/{row_id}/eml").content)
        assert str(eml["Subject"]) == subject and eml.get_body(("plain",)).get_content() == text  # type: ignore[union-attr]
        assert str(eml["Message-ID"]) == str(sent["Message-ID"])
        # A letter recorded before letters were stored says so instead of showing a new rendering.
        old = client.get(f"/letters/{_old_letter(site)}")
        assert old.status_code == 200 and "không có bản lưu" in old.text and "/eml" not in old.text
        no_eml = client.get(f"/letters/{_old_letter(site)}/eml")
        assert no_eml.status_code == 404 and "trước khi hệ thống lưu thư đã gửi" in no_eml.text
    # The JSON API names each letter by its number and stored subject, for the page that opens it.
    detail = httpx.get(f"{site.url}/api/directives/{NUMBER}?unit={site.pilot_cell}",
                       headers={"Authorization": f"Bearer {site.tokens['vp']}"}).json()
    letters = [m for o in detail["overdue_units"] for m in o["letters"] if m["id"] == row_id]
    assert letters and letters[0]["subject"] == subject
    with login(site, "camlo") as client:  # Cam Lộ's office: the letter went to a Gio Linh chi bộ
        assert client.get(f"/letters/{row_id}").status_code == 403
        assert client.get(f"/letters/{row_id}/files/1").status_code == 403


def _old_letter(site: Site) -> int:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        found = uow.session.scalar(select(OutboxRow.id).where(OutboxRow.key.like("don-doc:%")))
    assert found is not None
    return found
