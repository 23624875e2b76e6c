"""E-mail header injection: a line break in a stored address, name or subject never adds a recipient or a header.
Checked at a real SMTP server on loopback: the extra recipient receives nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from hierarchy.generate import small_quang_tri_2017
from notifications.channels import Attachment, ChannelError, Envelope, SmtpChannel
from notifications.dispatch import dispatch
from storage import UnitOfWork, make_engine
from storage.models import OutboxRow, UnitRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_delivery import CAL, REMIND_AT, reminders

ATTACKER = "attacker@evil.test"
SENDER = "Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"


def _everyone(sink: Sink) -> list[str]:
    return [address for recipients, _ in sink.messages for address in recipients]


@pytest.mark.parametrize("address", [
    f"cb01@quangtri.dcs.vn\nBcc: {ATTACKER}",
    f"cb01@quangtri.dcs.vn\r\nBcc: {ATTACKER}",
    f"cb01@quangtri.dcs.vn, {ATTACKER}",
    f"Chi bộ\n<cb01@quangtri.dcs.vn>, {ATTACKER}",
])
def test_an_address_with_a_second_recipient_is_refused_for_good_and_nothing_is_sent(address: str) -> None:
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        with pytest.raises(ChannelError) as caught:
            SmtpChannel("127.0.0.1", port, sender=SENDER).send(
                Envelope(to=[address], subject="Nhắc hạn", text="Nội dung", idempotency_key="nhac-han:1"))
    finally:
        controller.stop()
    assert caught.value.transient is False and "ở mục To không hợp lệ" in str(caught.value)
    assert sink.messages == []


def test_line_breaks_in_subject_key_and_file_name_stay_on_one_header_line() -> None:
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        SmtpChannel("127.0.0.1", port, sender=SENDER).send(Envelope(
            to=["Chi bộ số 1 <cb01@quangtri.dcs.vn>"], subject=f"Nhắc hạn\r\nBcc: {ATTACKER}", text="Nội dung",
            idempotency_key=f"nhac-han:1\nBcc: {ATTACKER}",
            attachments=[Attachment(f"cong-van\r\nBcc: {ATTACKER}.docx", b"PK", "application/octet-stream")]))
    finally:
        controller.stop()
    [(recipients, message)] = sink.messages
    assert recipients == ["cb01@quangtri.dcs.vn"] and ATTACKER not in _everyone(sink)
    assert message["Bcc"] is None and message["Subject"] == f"Nhắc hạn Bcc: {ATTACKER}"
    assert message["X-Trienkhai-Key"] == f"nhac-han:1 Bcc: {ATTACKER}"
    assert [part.get_filename() for part in message.iter_attachments()] == [f"cong-van Bcc: {ATTACKER}.docx"]


def test_reminders_to_units_stored_with_injected_values_reach_no_one_else(tmp_path: Path) -> None:
    # Values written before imports were checked: a chi bộ's email carrying a Bcc line, another's name a line break.
    units = small_quang_tri_2017()
    cells = sorted(u.code for u in units if u.kind.value == "chi_bo")
    poisoned, renamed = cells[0], cells[1]
    units = [replace(u, contacts=replace(u.contacts, email=f"{u.contacts.email}\nBcc: {ATTACKER}"))
             if u.code == poisoned else replace(u, name=f"{u.name}\r\nBcc: {ATTACKER}") if u.code == renamed else u
             for u in units]
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    expected = reminders(url, tmp_path, units)
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    engine = make_engine(url)
    try:
        result = dispatch(engine, REMIND_AT, channel=SmtpChannel("127.0.0.1", port, sender=SENDER), calendar=CAL)
    finally:
        controller.stop()
    assert ATTACKER not in _everyone(sink) and result.sent == expected - 1 == len(sink.messages)
    assert all(message["Bcc"] is None and "\n" not in str(message["Subject"]) for _, message in sink.messages)
    with UnitOfWork(engine) as uow:
        row = uow.session.scalars(select(OutboxRow).join(UnitRow, UnitRow.id == OutboxRow.unit_id)
                                  .where(UnitRow.code == poisoned)).one()
        assert row.status == "failed" and "không hợp lệ" in (row.last_error or "")
    engine.dispose()
