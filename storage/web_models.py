"""Tables of the dashboard: accounts bound to a subtree, their sessions and the login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


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
