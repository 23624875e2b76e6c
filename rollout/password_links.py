"""Set-password links of invited accounts: a random token, stored hashed, expiring, used once.

They are made and refused like the personal report links (`rollout.links`: same tokens, same refusals), in a
table of their own (`password_links`) so that neither kind of link can open the other's page. An account that
waits for its password holds an unusable hash, which no password verifies against.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from rollout.links import LinkRefused, contact_of, find_live, new_token
from storage.db import rowcount
from storage.models import AccountRow, PasswordLinkRow, UnitRow

__all__ = [
    "INVITATION", "PATH_PREFIX", "UNUSABLE_PREFIX", "awaiting_password", "create_password_link", "password_url",
    "resolve_password_link", "revoke_password_links", "unusable_hash", "use_password_link",
]

PATH_PREFIX = "/dat-mat-khau/"
INVITATION = "moi_tai_khoan"  # the outbox template of an invitation, which carries a link
# An invited or reset account holds this prefix and a random value instead of an argon2 hash.
UNUSABLE_PREFIX = "!chua-dat-mat-khau:"


def unusable_hash() -> str:
    """A password hash no password matches (an account invited, or reset, that waits for its password)."""
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def awaiting_password(password_hash: str) -> bool:
    """An account invited or reset whose holder has not set a password yet."""
    return password_hash.startswith(UNUSABLE_PREFIX)


def create_password_link(session: Session, account_id: int, *, now: datetime, days: int,
                         outbox_id: int | None = None) -> str:
    """A new set-password link for an account, valid `days` days; returns the token (stored only as its digest)."""
    token, digest = new_token()
    session.add(PasswordLinkRow(token_hash=digest, account_id=account_id, outbox_id=outbox_id, created_at=now,
                                expires_at=now + timedelta(days=days)))
    session.flush()
    return token


def password_url(base: str, token: str) -> str:
    """The address printed in an invitation."""
    return base.rstrip("/") + PATH_PREFIX + token


def _contact(session: Session, account_id: int) -> str:
    account = session.get_one(AccountRow, account_id)
    return contact_of(session, session.get_one(UnitRow, account.unit_id))


def resolve_password_link(session: Session, token: str, now: datetime) -> tuple[PasswordLinkRow, AccountRow]:
    """The link and its account when the password may be set through it; else LinkRefused (unknown, used,
    revoked, expired, or the account locked), naming whom to ask for a new invitation."""
    row = find_live(session, PasswordLinkRow, token, now, contact=lambda r: _contact(session, r.account_id),
                    renew="Hãy đề nghị văn phòng cấp ủy quản lý tài khoản gửi lại thư mời.",
                    renew_revoked="Tài khoản đã được cấp lại; hãy dùng đường liên kết trong thư mời mới nhất.")
    account = session.get_one(AccountRow, row.account_id)
    if not account.active:
        raise LinkRefused("disabled", f"Tài khoản “{account.username}” đang bị khóa nên không đặt được mật khẩu.",
                          _contact(session, account.id))
    return row, account


def use_password_link(session: Session, row: PasswordLinkRow, *, now: datetime) -> None:
    """Mark a link used, once (a guarded update: of two requests racing with one link, the second is refused);
    the account's other live links stop working with it, since its password is now set."""
    used = rowcount(session.execute(
        update(PasswordLinkRow)
        .where(PasswordLinkRow.id == row.id, PasswordLinkRow.used_at.is_(None), PasswordLinkRow.revoked_at.is_(None))
        .values(used_at=now)
    ))
    if not used:
        raise LinkRefused("used", "Đường liên kết này vừa được dùng để đặt mật khẩu và chỉ dùng được một lần.",
                          _contact(session, row.account_id))
    revoke_password_links(session, row.account_id, now=now, actor="dat-mat-khau")


def revoke_password_links(session: Session, account_id: int, *, now: datetime, actor: str) -> int:
    """Revoke every live set-password link of an account (a reset, a lock, a password set); returns how many."""
    return rowcount(session.execute(
        update(PasswordLinkRow)
        .where(PasswordLinkRow.account_id == account_id, PasswordLinkRow.used_at.is_(None),
               PasswordLinkRow.revoked_at.is_(None), PasswordLinkRow.expires_at > now)
        .values(revoked_at=now, revoked_by=actor)
    ))
