"""Tables of units handing in their own reports: personal links, the documents attached, API idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ReportLinkRow(Base):
    """A personal link sent in a letter: bound to one unit (and its subtree for a superior), until it expires.

    The token itself is random and only its sha256 is stored, so a copy of the database opens nothing.
    """

    __tablename__ = "report_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    subtree: Mapped[bool] = mapped_column(default=False)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))


class SubmissionDocumentRow(Base):
    """The unit's own document handed in with a submission: its number, date, signer and the file's digest."""

    __tablename__ = "submission_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    signed_on: Mapped[date]
    signer: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)


class IdempotentRequestRow(Base):
    """An API request recorded under its Idempotency-Key: a retry with the same key gets the same answer."""

    __tablename__ = "api_idempotency"

    account_id: Mapped[int] = mapped_column(ForeignKey("web_accounts.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_api_idempotency_created", "created_at"),)
