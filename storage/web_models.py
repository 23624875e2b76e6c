"""Tables of the dashboard: accounts bound to a subtree, their sessions, the login attempts and the set-password
links of invitations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

# What each value of `web_accounts.role` means, in the words of the pages and letters.
ROLE_LABELS = {"admin": "quản trị văn phòng", "reporter": "cán bộ báo cáo", "viewer": "chỉ xem"}


class AccountRow(Base):
    """A person who may use the dashboard: a role and the unit whose subtree bounds what they see and do."""

    __tablename__ = "web_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # admin | reporter | viewer
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # sha256 of the API bearer token: a token is random and long, so a fast hash is enough to look it up.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class SessionRow(Base):
    """A signed-in browser: the cookie carries a random token, only its sha256 is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("web_accounts.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class LoginAttemptRow(Base):
    """One login attempt, kept to slow down password guessing per account name and per address."""

    __tablename__ = "web_login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool]

    __table_args__ = (
        Index("ix_web_login_attempts_username_at", "username", "at"),
        Index("ix_web_login_attempts_address_at", "address", "at"),
    )


class PasswordLinkRow(Base):
    """A set-password link sent in an invitation (or handed over by an administrator): one account, until it
    expires, once. As for report links, only the sha256 of the random token is stored."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("web_accounts.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(100))
