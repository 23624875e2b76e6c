"""Letters as sent: what the dispatcher stores when it marks a row sent, and the message read back from it.

A sent message is kept as it went out (subject, text and HTML bodies, To/Cc, Message-ID, every attached file
byte for byte with its SHA-256), so that `notify show`, the dashboard and a resend never render it again from
today's plan, templates or hierarchy.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from notifications.channels import Attachment, Envelope, build_email
from storage.models import OutboxFileRow, OutboxRow

__all__ = ["eml_bytes", "file_values", "sent_values", "stored_envelope", "stored_files", "write_files"]


def sent_values(envelope: Envelope) -> dict[str, Any]:
    """The columns of an outbox row that keep the message as sent (recipients are recorded with every try)."""
    return {"subject": envelope.subject, "body_text": envelope.text, "body_html": envelope.html}


def file_values(row_id: int, envelope: Envelope) -> list[dict[str, Any]]:
    """One outbox_files row per attachment, in the message's order, with its size and SHA-256."""
    return [{"outbox_id": row_id, "seq": seq, "name": name, "media_type": mime, "content": content,
             "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
            for seq, (name, content, mime) in enumerate(envelope.attachments, 1)]


def write_files(conn: Connection, files: Sequence[dict[str, Any]]) -> None:
    """Insert the attachments of a message in the caller's transaction (the one that marks the row sent)."""
    if files:
        conn.execute(insert(OutboxFileRow), list(files))


def stored_files(session: Session, row_id: int) -> list[OutboxFileRow]:
    """The files a sent message carried, in their order."""
    return list(session.scalars(select(OutboxFileRow).where(OutboxFileRow.outbox_id == row_id)
                                .order_by(OutboxFileRow.seq)))


def stored_envelope(session: Session, row: OutboxRow) -> Envelope | None:
    """The message exactly as it was sent, with its key (hence its Message-ID); None if it was never sent."""
    if row.subject is None or row.body_text is None:
        return None
    recipients = row.recipients or {}
    return Envelope(to=list(recipients.get("to", [])), cc=list(recipients.get("cc", [])), subject=row.subject,
                    text=row.body_text, html=row.body_html, idempotency_key=row.key,
                    attachments=[Attachment(f.name, f.content, f.media_type) for f in stored_files(session, row.id)],
                    message_id=row.message_id)


def eml_bytes(envelope: Envelope, sender: str, sent_at: datetime | None) -> bytes:
    """The stored message as an .eml file, dated when it was sent, with the Message-ID it went out with."""
    return build_email(envelope, sender, date=sent_at).data
