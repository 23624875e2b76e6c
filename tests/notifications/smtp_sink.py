"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for delivery tests and the bench."""

from __future__ import annotations

import asyncio
import socket
import threading
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """aiosmtpd handler: every accepted message, parsed, with its envelope recipients."""

    def __init__(self, delay: float = 0.0, *, headers_only: bool = False) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()
        self.delay = delay  # seconds before answering: a slow mail server
        # Keep only the headers, as a mail server that stores what it accepts does: the benchmark shares two cores
        # with this server, and parsing every body with the email package costs it more than sending it did.
        self.parser = BytesParser(policy=policy.compat32 if headers_only else policy.default)
        self.headers_only = headers_only

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        message = self.parser.parsebytes(envelope.original_content or envelope.content, headersonly=self.headers_only)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 OK"

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for _, m in self.messages]


def start(port: int, sink: Sink) -> Controller:
    """Start an SMTP server on 127.0.0.1:port delivering into `sink`."""
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller
