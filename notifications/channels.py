"""Ways a message leaves the system: .eml files in an outbox folder, SMTP, or chat/webhooks through Apprise."""

from __future__ import annotations

import hashlib
import os
import re
import smtplib
import ssl
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import format_datetime, getaddresses
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol

import apprise
from apprise.attachment.memory import AttachMemory

from errors import ConfigError, TrienkhaiError
from hierarchy.limits import email_problem, one_line, shown, text_problem
from notifications.mime import address_list, encoded, message_bytes
from settings import Settings

__all__ = [
    "AppriseChannel",
    "Attachment",
    "Channel",
    "ChannelError",
    "Envelope",
    "Mail",
    "OutboxFolderChannel",
    "Sent",
    "SmtpChannel",
    "build_email",
    "channel_from_settings",
    "message_id_for",
]

KEY_HEADER = "X-Trienkhai-Key"


class Attachment(NamedTuple):
    """A file sent with a message: name, content and MIME type (“application/pdf”)."""

    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True)
class Envelope:
    """One message to send: recipients, rendered bodies, attachments and the key that makes a resend recognisable."""

    to: list[str]
    subject: str
    text: str
    idempotency_key: str
    html: str | None = None
    cc: list[str] = field(default_factory=list)
    attachments: list[Attachment | tuple[str, bytes, str]] = field(default_factory=list)
    # The Message-ID a message already went out with: a resend of a stored letter keeps it even if the sender's
    # address changed since. None: derived from the key (`message_id_for`).
    message_id: str | None = None


@dataclass(frozen=True)
class Sent:
    """What a channel did: the Message-ID, where it went, and whether an earlier send of the same key was found."""

    message_id: str
    location: str
    already_sent: bool = False
    refused: tuple[str, ...] = ()


class ChannelError(TrienkhaiError):
    """Sending failed; `transient` says whether trying again later may succeed (the dispatcher retries those), and
    `not_before` when the channel said it will not take the message before a given instant."""

    def __init__(self, message: str, *, transient: bool, not_before: datetime | None = None) -> None:
        self.transient, self.not_before = transient, not_before
        super().__init__(message)


class Channel(Protocol):
    def send(self, envelope: Envelope) -> Sent:
        """Deliver the envelope or raise ChannelError."""
        ...


def message_id_for(key: str, sender: str) -> str:
    """The Message-ID of a key: the same key always gives the same id, so a resend can be recognised."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = sender.rpartition("@")[2] or "trienkhai.local"
    domain = re.sub(r"[^A-Za-z0-9.-]", "", domain.rstrip(">")) or "trienkhai.local"
    return f"<{digest}@{domain}>"


def _addresses(values: list[str], header: str) -> list[tuple[str, str]]:
    """(display name, addr-spec) per entry. An entry that is not exactly one address (a second one, a line break,
    a control or bidi character) is refused for good: nothing written in a unit's cell can add a recipient or a
    header."""
    return [_address(value, header) for value in values]


@lru_cache(maxsize=4096)
def _address(value: str, header: str) -> tuple[str, str]:
    # A dispatcher writes the same sender and the same few thousand units' addresses over and over.
    trouble = text_problem(value, max_chars=400)
    parsed = getaddresses([value]) if trouble is None else []
    if trouble is None and len(parsed) != 1:
        trouble = "có nhiều hơn một địa chỉ; mỗi mục chỉ được một địa chỉ"
    if trouble is None and header != "From":
        trouble = email_problem(parsed[0][1])
    if trouble is None and "@" not in parsed[0][1]:  # the sender is the operator's setting: a local mail
        trouble = "thiếu phần @tên-miền"  # domain such as "localhost" is fine there, a bare name is not
    if trouble is None and not parsed[0][1].isascii():
        trouble = "địa chỉ chỉ ghi chữ không dấu (tên miền có dấu ghi theo dạng xn--…)"
    if trouble is not None:
        raise ChannelError(f"Địa chỉ thư {shown(value)} ở mục {header} không hợp lệ: {trouble}", transient=False)
    display, addr = parsed[0]
    user, _, domain = addr.rpartition("@")
    return display, Address(username=user, domain=domain).addr_spec


class Mail(NamedTuple):
    """A message ready for the wire: its Message-ID, the addr-specs it goes to (To and Cc) and its bytes."""

    message_id: str
    recipients: list[str]
    data: bytes


def build_email(envelope: Envelope, sender: str, *, date: datetime | None = None) -> Mail:
    """A UTF-8 email: text and HTML as alternatives, attachments alongside, Message-ID taken from the key.

    Recipients must each be one valid address; the subject, key and file names are put on one line (a stored line
    break or control character becomes a space). Written by `notifications.mime`, as the email package would.
    """
    if not envelope.to and not envelope.cc:
        raise ChannelError("Thư không có người nhận (mục To và Cc đều trống)", transient=False)
    to, cc = _addresses(envelope.to, "To"), _addresses(envelope.cc, "Cc")
    message_id = one_line(envelope.message_id or message_id_for(envelope.idempotency_key, sender))
    headers = [("From", address_list(_addresses([sender], "From"))),
               *([("To", address_list(to))] if to else []), *([("Cc", address_list(cc))] if cc else []),
               ("Subject", encoded(one_line(envelope.subject))),
               ("Date", format_datetime(date or datetime.now(UTC))),
               ("Message-ID", encoded(message_id)),
               (KEY_HEADER, encoded(one_line(envelope.idempotency_key)))]
    files = [(one_line(name), content, one_line(mime)) for name, content, mime in envelope.attachments]
    try:
        data = message_bytes(headers, envelope.text, envelope.html, files)
    except ValueError as exc:  # what would break a header: the letter cannot go
        raise ChannelError(f"Không dựng được thư vì một tiêu đề có ký tự không hợp lệ ({exc})",
                           transient=False) from exc
    return Mail(message_id, [addr for _, addr in to + cc], data)


def _key_filename(key: str) -> str:
    # Readable part for people browsing the folder, hash part so that distinct keys never share a file.
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", key).strip("._")[:80]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{readable}-{digest}.eml" if readable else f"{digest}.eml"


class OutboxFolderChannel:
    """Writes each message as one .eml file named after its key; a key already written is not written again."""

    def __init__(self, folder: Path, sender: str = "trienkhai@localhost") -> None:
        self.folder = Path(folder)
        self.sender = sender

    def path_for(self, key: str) -> Path:
        """The file a key is (or will be) written to."""
        return self.folder / _key_filename(key)

    def send(self, envelope: Envelope) -> Sent:
        """Write the .eml atomically: the file appears complete or not at all, and never twice for one key."""
        message = build_email(envelope, self.sender)
        target = self.path_for(envelope.idempotency_key)
        if target.exists():
            return Sent(message.message_id, str(target), already_sent=True)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".eml")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(message.data)
                    handle.flush()
                    os.fsync(handle.fileno())
                # link() refuses an existing target, so two writers racing on one key leave one file.
                os.link(tmp_name, target)
            finally:
                os.unlink(tmp_name)
        except FileExistsError:
            return Sent(message.message_id, str(target), already_sent=True)
        except OSError as exc:
            raise ChannelError(f"Không ghi được thư vào thư mục {self.folder}: {exc.strerror or exc}",
                               transient=True) from exc
        return Sent(message.message_id, str(target))


def _smtp_failure(exc: Exception) -> ChannelError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ChannelError("Máy chủ thư từ chối tên đăng nhập hoặc mật khẩu (smtp_user, smtp_password)",
                            transient=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return ChannelError(f"Máy chủ thư không hỗ trợ yêu cầu: {exc}; kiểm tra smtp_tls và smtp_port", transient=False)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        refused = ", ".join(exc.recipients)
        return ChannelError(f"Máy chủ thư từ chối mọi người nhận: {refused}",
                            transient=all(400 <= c < 500 for c in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return ChannelError(f"Máy chủ thư trả lỗi {exc.smtp_code}: {reply}", transient=400 <= exc.smtp_code < 500)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return ChannelError(f"Chứng chỉ TLS của máy chủ thư không hợp lệ: {exc.verify_message}", transient=False)
    return ChannelError(f"Không kết nối được máy chủ thư: {exc}", transient=True)


class SmtpChannel:
    """Sends through an SMTP server: STARTTLS when tls is on (implicit TLS on port 465), login when a user is set."""

    def __init__(
        self, host: str, port: int = 25, user: str | None = None, password: str | None = None,
        tls: bool = False, sender: str = "trienkhai@localhost", *, timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None, connections: int = 1,
    ) -> None:
        self.host, self.port, self.user, self.password = host, port, user, password
        # How many conversations with this server a dispatcher holds at once (notifications/dispatch.py).
        self.connections = connections
        self.tls, self.sender, self.timeout = tls, sender, timeout
        # A province's mail server may use a certificate from its own authority; pass a context that trusts it.
        self.ssl_context = ssl_context
        self._client: smtplib.SMTP | None = None
        self._keep_open = False

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or ssl.create_default_context()
        if self.tls and self.port == 465:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.tls:
            client.starttls(context=context)
        return client

    def send(self, envelope: Envelope) -> Sent:
        """Send once; a 4xx reply or a lost connection is transient, a 5xx reply or bad credentials is not.

        Inside `with channel.kept_open():` the connection stays open between messages (a dispatcher pass
        makes one handshake, not ten thousand) and one the server dropped meanwhile is reopened once.
        """
        message = build_email(envelope, self.sender)
        # The bare address: a display name has no place in the envelope.
        envelope_from = _address(self.sender, "From")[1]
        for attempt in (1, 2):
            try:
                if self._client is None:
                    self._client = self._connect()
                    if self.user:
                        self._client.login(self.user, self.password or "")
                refused = self._client.sendmail(envelope_from, message.recipients, message.data)
                if not self._keep_open:
                    self.close()
                break
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if attempt == 2:
                    raise _smtp_failure(exc) from exc
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                raise _smtp_failure(exc) from exc
        return Sent(message.message_id, f"smtp://{self.host}:{self.port}", refused=tuple(refused))

    def copy(self) -> SmtpChannel:
        """The same server and settings on a connection of its own, for a dispatcher's parallel conversations."""
        return SmtpChannel(self.host, self.port, self.user, self.password, self.tls, self.sender,
                           timeout=self.timeout, ssl_context=self.ssl_context, connections=self.connections)

    @contextmanager
    def kept_open(self) -> Iterator[SmtpChannel]:
        """Keep one connection for every send inside the block, and close it at the end."""
        self._keep_open = True
        try:
            yield self
        finally:
            self._keep_open = False
            self.close()

    def close(self) -> None:
        """Say goodbye to the server, if connected; errors on the way out do not matter."""
        client, self._client = self._client, None
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()


@contextmanager
def _quiet_apprise_imports() -> Iterator[None]:
    # Apprise loads its plugins lazily; one of them pulls in PGPy, which imports the stdlib `imghdr`
    # deprecated since Python 3.11. That warning is theirs, and it must not fail a run that treats warnings as errors.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'imghdr' is deprecated", category=DeprecationWarning)
        yield


class AppriseChannel:
    """Posts the subject and text to chat or webhook services through Apprise URLs (Telegram, Zalo bots, JSON …)."""

    def __init__(self, urls: list[str]) -> None:
        self.apprise = apprise.Apprise()
        with _quiet_apprise_imports():
            bad = [url for url in urls if not self.apprise.add(url)]
        if bad or not urls:
            raise ConfigError(
                "Địa chỉ Apprise không hợp lệ: " + (", ".join(bad) if bad else "chưa có địa chỉ nào")
                + "; xem danh sách dịch vụ và cú pháp tại https://github.com/caronc/apprise/wiki"
            )

    def send(self, envelope: Envelope) -> Sent:
        """Notify every URL; Apprise reports only success or failure, so a failure is treated as transient."""
        attachments = apprise.AppriseAttachment()
        for filename, content, mime in envelope.attachments:
            attachments.add(AttachMemory(content=content, name=filename, mimetype=mime))
        with _quiet_apprise_imports():
            ok = self.apprise.notify(
                title=envelope.subject,
                body=envelope.text,
                body_format=apprise.NotifyFormat.TEXT,
                attach=attachments if envelope.attachments else None,
            )
        if not ok:
            raise ChannelError("Không gửi được thông báo qua Apprise tới ít nhất một địa chỉ", transient=True)
        return Sent(message_id_for(envelope.idempotency_key, "trienkhai.local"), "apprise")


def channel_from_settings(settings: Settings) -> SmtpChannel | OutboxFolderChannel:
    """SMTP when smtp_host is set, otherwise .eml files in the data folder's outbox."""
    if settings.smtp_host:
        return SmtpChannel(
            settings.smtp_host, settings.smtp_port, settings.smtp_user, settings.smtp_password,
            settings.smtp_tls, settings.mail_from, connections=settings.smtp_connections,
        )
    return OutboxFolderChannel(settings.home / "outbox", settings.mail_from)
