"""A letter is kept as sent: shown, written as .eml and sent again unchanged after the plan and templates change."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import select, update

from hierarchy.generate import small_quang_tri_2017
from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import DirectiveRow, OutboxFileRow, OutboxRow
from storage.units import apply_hierarchy
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_ladder import PLAN

CAL = WorkingCalendar()
TITLE = "kế hoạch báo cáo nhanh trước và sau Tết Giáp Thìn"
# Monday 19/2/2024, 10:00 local: one working day after the deadline of 16/2, the đôn đốc letters go out.
CHASE_AT = datetime(2024, 2, 19, 3, tzinfo=UTC)
# A working morning after the real clock's `notify resend` (which queues for "now").
RESEND_AT = datetime(2030, 1, 8, 3, tzinfo=UTC)
SENDER = "Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"


def _trienkhai(*args: str, home: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "TRIENKHAI_DATABASE_URL": url,
           "TRIENKHAI_MAIL_FROM": SENDER, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                          timeout=300)


def _plain(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _files(message: EmailMessage) -> list[tuple[str, bytes]]:
    return [(str(part.get_filename()), part.get_payload(decode=True)) for part in message.iter_attachments()]


def _dispatch(engine, at: datetime, sender: str = SENDER) -> list[EmailMessage]:  # type: ignore[no-untyped-def]
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        dispatch(engine, at, channel=SmtpChannel("127.0.0.1", port, sender=sender), calendar=CAL)
    finally:
        controller.stop()
    return [m for _, m in sink.messages]


def test_a_sent_letter_is_shown_written_and_resent_as_it_went_out(engine, db_url: str, home: Path,  # type: ignore[no-untyped-def]
                                                                  tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2024, 1, 2, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2024, 1, 15, 2, tzinfo=UTC), actor="t", calendar=CAL)
        advance(uow.session, CHASE_AT, calendar=CAL)
        uow.commit()
    received = _dispatch(engine, CHASE_AT)
    with UnitOfWork(engine) as uow:
        row = uow.session.scalars(select(OutboxRow).where(OutboxRow.template == "cong_van_don_doc")
                                  .order_by(OutboxRow.id)).first()
        assert row is not None and row.status == "sent"
        row_id, message_id = row.id, row.message_id
        files = uow.session.scalars(select(OutboxFileRow).where(OutboxFileRow.outbox_id == row_id)).all()
    original = next(m for m in received if str(m["Message-ID"]) == message_id)
    letter_name, letter = _files(original)[0]
    assert letter_name.endswith(".docx") and TITLE in _plain(original)
    # The letter's file is kept byte for byte with its digest.
    assert [(f.name, f.content, f.sha256) for f in files] == [
        (letter_name, letter, hashlib.sha256(letter).hexdigest())]

    # The province rewrites the subject template and the plan is renamed; what was sent stays what it was.
    (home / "templates").mkdir()
    (home / "templates" / "cong_van_don_doc.subject.txt").write_text("V/v mẫu tiêu đề mới", encoding="utf-8")
    with UnitOfWork(engine) as uow:
        uow.session.execute(update(DirectiveRow).values(title="Kế hoạch đã đổi tên"))
        uow.commit()

    eml = tmp_path / "thu.eml"
    shown = _trienkhai("notify", "show", str(row_id), "--eml", str(eml), home=home, url=db_url)
    assert shown.returncode == 0, shown.stderr
    assert str(original["Subject"]) in " ".join(shown.stdout.split())
    assert TITLE in " ".join(shown.stdout.split()) and "mẫu tiêu đề mới" not in shown.stdout
    assert letter_name in shown.stdout and hashlib.sha256(letter).hexdigest() in shown.stdout
    written = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert str(written["Subject"]) == str(original["Subject"])
    assert _plain(written) == _plain(original)
    assert str(written["Message-ID"]) == message_id and _files(written) == _files(original)

    # Sent again: the stored message, not a new rendering, under the same Message-ID (even from a new address).
    resent = _trienkhai("notify", "resend", str(row_id), home=home, url=db_url)
    assert resent.returncode == 0 and "Đã đưa 1 thông báo" in resent.stdout
    again = _dispatch(engine, RESEND_AT, sender="Văn phòng Tỉnh ủy <vanphong@quangtri.gov.vn>")
    assert len(again) == 1
    assert str(again[0]["Message-ID"]) == message_id and str(again[0]["Subject"]) == str(original["Subject"])
    assert _plain(again[0]) == _plain(original) and _files(again[0]) == _files(original)
    with UnitOfWork(engine) as uow:
        assert uow.session.get_one(OutboxRow, row_id).status == "sent"
        assert len(uow.session.scalars(select(OutboxFileRow).where(OutboxFileRow.outbox_id == row_id)).all()) == 1


def test_an_unsent_message_has_no_stored_letter_to_write(engine, db_url: str, home: Path,  # type: ignore[no-untyped-def]
                                                         tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2024, 1, 2, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2024, 1, 15, 2, tzinfo=UTC), actor="t", calendar=CAL)
        advance(uow.session, CHASE_AT, calendar=CAL)
        uow.commit()
        row_id = uow.session.scalars(select(OutboxRow.id).order_by(OutboxRow.id)).first()
    shown = _trienkhai("notify", "show", str(row_id), "--eml", str(tmp_path / "x.eml"), home=home, url=db_url)
    assert shown.returncode == 5 and "chưa gửi" in shown.stderr + shown.stdout
    assert not (tmp_path / "x.eml").exists()
