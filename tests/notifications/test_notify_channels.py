"""Channels: a real SMTP server on loopback, the .eml outbox folder, and an Apprise webhook on loopback."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from errors import ConfigError
from notifications.channels import (
    AppriseChannel,
    Attachment,
    ChannelError,
    Envelope,
    OutboxFolderChannel,
    SmtpChannel,
    build_email,
    channel_from_settings,
    message_id_for,
)
from notifications.docx_letter import DOCX_MIME, letter_attachment
from notifications.preview import preview, sample_context
from settings import Settings

SENDER = "Văn phòng Tỉnh ủy <vanphong@tinhuy.quangtri.vn>"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The sample letter's subject: what, to whom, by when (one subject per recipient and deadline).
SUBJECT = "V/v đôn đốc báo cáo kết quả chỉ đạo điểm tổ chức Diễn đàn — Ban Thường vụ Huyện ủy Gio Linh (hạn 30/6/2017)"


def _envelope(key: str = "don_doc:47-KH/TU:gio-linh:1", **changes) -> Envelope:
    message = preview("cong_van_don_doc")
    values = {
        "to": ["Ban Thường vụ Huyện ủy Gio Linh <btv@giolinh.quangtri.vn>"],
        "cc": ["thuongtruc@tinhuy.quangtri.vn"],
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "idempotency_key": key,
    }
    return Envelope(**(values | changes))


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses the addresses it is told to."""

    def __init__(self, refuse: dict[str, str] | None = None) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.refuse = refuse or {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_smtp_delivers_to_every_recipient_with_vietnamese_intact(smtp_server) -> None:
    inbox, port = smtp_server
    attachment = letter_attachment(sample_context("cong_van_don_doc"))
    sent = SmtpChannel("127.0.0.1", port, sender=SENDER).send(_envelope(attachments=[attachment]))
    [(mail_from, rcpt_tos, message)] = inbox.received
    assert mail_from == "vanphong@tinhuy.quangtri.vn"
    assert rcpt_tos == ["btv@giolinh.quangtri.vn", "thuongtruc@tinhuy.quangtri.vn"]
    assert message["Subject"] == (
        "V/v đôn đốc báo cáo kết quả chỉ đạo điểm tổ chức Diễn đàn — Ban Thường vụ Huyện ủy Gio Linh (hạn 30/6/2017)"
    )
    assert message["To"].addresses[0].display_name == "Ban Thường vụ Huyện ủy Gio Linh"
    assert message["From"].addresses[0].display_name == "Văn phòng Tỉnh ủy"
    text = message.get_body(("plain",)).get_content()
    assert "Kính gửi: Ban Thường vụ Huyện ủy Gio Linh" in text and "T/M BAN THƯỜNG VỤ" in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in message.get_body(("html",)).get_content()
    [received_file] = list(message.iter_attachments())
    assert received_file.get_filename() == attachment.filename
    assert received_file.get_content_type() == DOCX_MIME
    assert received_file.get_content() == attachment.content
    assert message["Message-ID"] == sent.message_id == message_id_for("don_doc:47-KH/TU:gio-linh:1", SENDER)


def test_a_resend_carries_the_same_message_id(smtp_server) -> None:
    inbox, port = smtp_server
    channel = SmtpChannel("127.0.0.1", port, sender=SENDER)
    channel.send(_envelope("nhac_han:42"))
    channel.send(_envelope("nhac_han:42"))
    channel.send(_envelope("nhac_han:43"))
    ids = [message["Message-ID"] for _, _, message in inbox.received]
    assert ids[0] == ids[1] != ids[2]


@pytest.mark.parametrize(
    ("reply", "transient"), [("451 4.3.0 Thử lại sau", True), ("550 5.1.1 Không có hộp thư", False)]
)
def test_refused_recipients_are_transient_only_for_4xx_replies(reply: str, transient: bool) -> None:
    inbox = Inbox(refuse={"btv@giolinh.quangtri.vn": reply.encode("ascii", "replace").decode()})
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        with pytest.raises(ChannelError) as caught:
            SmtpChannel("127.0.0.1", controller.port, sender=SENDER).send(_envelope(cc=[]))
    finally:
        controller.stop()
    assert caught.value.transient is transient
    assert "btv@giolinh.quangtri.vn" in str(caught.value)
    assert inbox.received == []


def test_unreachable_server_is_a_transient_failure() -> None:
    with pytest.raises(ChannelError) as caught:
        SmtpChannel("127.0.0.1", _free_port(), sender=SENDER, timeout=5).send(_envelope())
    assert caught.value.transient is True
    assert "Không kết nối được máy chủ thư" in str(caught.value)


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    cert_path, key_path = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"vanphong", b"mk-dung")
        return AuthResult(success=ok, handled=False)

    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=_free_port(), tls_context=server_context,
        require_starttls=True, auth_required=True, authenticator=authenticate,
    )
    controller.start()
    yield inbox, controller.port, cert_path
    controller.stop()


def test_starttls_and_login_when_configured(tls_server) -> None:
    inbox, port, cert_path = tls_server
    trust = ssl.create_default_context(cafile=str(cert_path))
    channel = SmtpChannel("127.0.0.1", port, "vanphong", "mk-dung", tls=True, sender=SENDER, ssl_context=trust)
    channel.send(_envelope())
    assert inbox.received[0][2]["Subject"] == SUBJECT


def test_wrong_password_is_not_retried(tls_server) -> None:
    _, port, cert_path = tls_server
    trust = ssl.create_default_context(cafile=str(cert_path))
    channel = SmtpChannel("127.0.0.1", port, "vanphong", "mk-sai", tls=True, sender=SENDER, ssl_context=trust)
    with pytest.raises(ChannelError) as caught:
        channel.send(_envelope())
    assert caught.value.transient is False and "mật khẩu" in str(caught.value)


def test_untrusted_certificate_is_not_retried(tls_server) -> None:
    _, port, _ = tls_server
    with pytest.raises(ChannelError) as caught:
        SmtpChannel("127.0.0.1", port, "vanphong", "mk-dung", tls=True, sender=SENDER).send(_envelope())
    assert caught.value.transient is False and "Chứng chỉ" in str(caught.value)


def test_outbox_writes_one_eml_per_key(tmp_path: Path) -> None:
    outbox = OutboxFolderChannel(tmp_path / "outbox", SENDER)
    first = outbox.send(_envelope("nhac_han:7:2024-06-17"))
    again = outbox.send(_envelope("nhac_han:7:2024-06-17", subject="Tiêu đề khác"))
    other = outbox.send(_envelope("nhac_han:8:2024-06-17"))
    assert (first.already_sent, again.already_sent, other.already_sent) == (False, True, False)
    assert first.location == again.location != other.location
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    assert files == sorted([Path(first.location).name, Path(other.location).name])
    kept = email.message_from_bytes(Path(first.location).read_bytes(), policy=policy.default)
    # The file written first stays as it was.
    assert kept["Subject"] == SUBJECT
    assert "Kính gửi: Ban Thường vụ Huyện ủy Gio Linh" in kept.get_body(("plain",)).get_content()


def test_outbox_keeps_keys_that_differ_only_in_punctuation_apart(tmp_path: Path) -> None:
    outbox = OutboxFolderChannel(tmp_path, SENDER)
    assert outbox.path_for("don_doc:1/2") != outbox.path_for("don_doc:1:2")


def test_email_without_any_recipient_is_refused_for_good() -> None:
    with pytest.raises(ChannelError) as caught:
        build_email(_envelope(to=[], cc=[]), SENDER)
    assert caught.value.transient is False and "không có người nhận" in str(caught.value)


def test_settings_choose_smtp_when_a_host_is_set_else_the_outbox(home: Path) -> None:
    outbox = channel_from_settings(Settings(home=home))
    assert isinstance(outbox, OutboxFolderChannel) and outbox.folder == home / "outbox"
    smtp = channel_from_settings(Settings(home=home, smtp_host="mail.quangtri.vn", smtp_port=587, smtp_tls=True))
    assert isinstance(smtp, SmtpChannel) and (smtp.host, smtp.port, smtp.tls) == ("mail.quangtri.vn", 587, True)


class _Hook(BaseHTTPRequestHandler):
    status = 200
    posts: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server hook)
        self.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[type[_Hook], int]]:
    hook = type("Hook", (_Hook,), {"posts": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hook, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_apprise_posts_subject_and_text_to_a_webhook(webhook) -> None:
    hook, port = webhook
    envelope = _envelope(attachments=[Attachment("ghi-chu.txt", "Ghi chú".encode(), "text/plain")])
    AppriseChannel([f"json://127.0.0.1:{port}/"]).send(envelope)
    [post] = hook.posts
    assert post["title"] == SUBJECT
    assert "Kính gửi: Ban Thường vụ Huyện ủy Gio Linh" in post["message"]
    assert [a["filename"] for a in post["attachments"]] == ["ghi-chu.txt"]


def test_apprise_failure_is_transient(webhook) -> None:
    hook, port = webhook
    hook.status = 503
    with pytest.raises(ChannelError) as caught:
        AppriseChannel([f"json://127.0.0.1:{port}/"]).send(_envelope())
    assert caught.value.transient is True


def test_apprise_rejects_an_unknown_url_scheme() -> None:
    with pytest.raises(ConfigError) as caught:
        AppriseChannel(["khongco://abc"])
    assert "khongco://abc" in str(caught.value)
