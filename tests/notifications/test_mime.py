"""Messages written by notifications.mime read back, in the email package as in a mail client, exactly as sent."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

from hypothesis import given, settings, strategies as st

from notifications.channels import Envelope, build_email, message_id_for

SENDER = "Văn phòng Tỉnh ủy <vanphong@tinhuy.quangtri.vn>"
# Vietnamese letters with their marks, the ASCII a subject or a name mixes with them, and what quoting must survive.
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐƯƠ"
text = st.text(st.sampled_from(VIETNAMESE + " 0123456789,.;:()<>\"'\\/=?-_—–“”@"), min_size=1, max_size=300)
words = text.map(lambda value: " ".join(value.split())).filter(bool)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _read(raw: bytes):  # type: ignore[no-untyped-def]
    return BytesParser(policy=policy.default).parsebytes(raw)


@settings(max_examples=150, deadline=None)
@given(subject=words, name=words, body=text, filename=words)
def test_headers_bodies_and_files_read_back_as_written(subject: str, name: str, body: str, filename: str) -> None:
    envelope = Envelope(to=[f'"{name.replace(chr(92), "").replace(chr(34), "")}" <cb1@giolinh.quangtri.vn>'],
                        cc=["btv@giolinh.quangtri.vn"], subject=subject, text=f"Kính gửi:\n{body}\n",
                        html=f"<p>{body}</p>", idempotency_key="nhac_han:21-KH/TU:1",
                        attachments=[(filename, body.encode("utf-8") * 3, DOCX)])
    raw = build_email(envelope, SENDER, date=datetime(2017, 9, 15, 2, tzinfo=UTC)).data
    message = _read(raw)
    assert str(message["Subject"]) == subject
    [to] = message["To"].addresses
    assert to.display_name == name.replace("\\", "").replace('"', "") and to.addr_spec == "cb1@giolinh.quangtri.vn"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["btv@giolinh.quangtri.vn"]
    assert message["From"].addresses[0].display_name == "Văn phòng Tỉnh ủy"
    assert message["Message-ID"] == message_id_for("nhac_han:21-KH/TU:1", SENDER)
    assert message["Date"].datetime == datetime(2017, 9, 15, 2, tzinfo=UTC)
    # Line ends travel as CRLF inside the encoding, as the email package's SMTP policy writes them.
    assert message.get_body(("plain",)).get_content() == f"Kính gửi:\n{body}\n".replace("\n", "\r\n")
    assert message.get_body(("html",)).get_content() == f"<p>{body}</p>\r\n"
    [attached] = message.iter_attachments()
    assert (attached.get_filename(), attached.get_content_type()) == (filename, DOCX)
    assert attached.get_content() == body.encode("utf-8") * 3
    assert not [defect for part in message.walk() for defect in part.defects]
    # Standards a relay holds us to: 7-bit, lines of at most 998 characters, a subject in encoded words of at most 75.
    assert raw.isascii() and max(map(len, raw.split(b"\r\n"))) <= 998
    head = raw.partition(b"\r\nDate:")[0].partition(b"\r\nSubject: ")[2]
    assert all(len(word) <= 75 for word in re.findall(rb"=\?utf-8\?b\?[^?]*\?=", head))


def test_a_text_only_message_is_one_part_and_an_ascii_subject_stays_readable() -> None:
    envelope = Envelope(to=["cb1@giolinh.quangtri.vn"], subject="Bao cao =?utf-8?q?x?= tuan 12", text="Noi dung",
                        idempotency_key="k")
    raw = build_email(envelope, "trienkhai@localhost").data
    message = _read(raw)
    assert message.get_content_type() == "text/plain" and message.get_content() == "Noi dung\r\n"
    # What looks like an encoded word in a plain subject is the subject's own text, not decoded by the reader.
    assert str(message["Subject"]) == "Bao cao =?utf-8?q?x?= tuan 12"
