"""Accounts of the dashboard: create, list, disable, verify a password, issue an API token; each change audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from errors import ConflictError, InputError, NotFound, Problem
from storage.audit import append_audit
from storage.models import AccountRow, AuditEntry, LoginAttemptRow, SessionRow, UnitRow
from storage.units import find_unit
from storage.web_models import ROLE_LABELS
from web.passwords import password_problem

__all__ = [
    "Principal", "Role", "authenticate", "change_password", "create_account", "disable_account", "enable_account",
    "hash_password", "issue_token", "principal_for_token", "set_password",
]

_hasher = PasswordHasher()
# A dummy hash verified when the name is unknown, so that timing does not tell which names exist.
_DUMMY = _hasher.hash("không-phải-mật-khẩu")

# Failures of one account name from one address lock that pair only: someone guessing elsewhere cannot lock the
# real user out of their own office. One address trying many names is slowed down on its own.
MAX_FAILURES_PER_NAME_AND_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 20
LOCK_WINDOW = timedelta(minutes=15)


class Role(StrEnum):
    """What an account may do inside its subtree."""

    ADMIN = "admin"  # văn phòng cấp ủy: everything, including gates and holds of its own directives
    REPORTER = "reporter"  # cán bộ báo cáo: submits reports of its units
    VIEWER = "viewer"  # chỉ xem

    @property
    def label(self) -> str:
        """The Vietnamese name of the role."""
        return ROLE_LABELS[self.value]


@dataclass(frozen=True)
class Principal:
    """A signed-in account as the routes see it: who, which role, which subtree (by materialised path)."""

    account_id: int
    username: str
    role: Role
    unit_id: int
    unit_code: str
    unit_name: str
    unit_path: str

    @property
    def actor(self) -> str:
        return f"web:{self.username}"

    def sees(self, path: str) -> bool:
        """A unit is in scope when its path lies in the account's path range."""
        return path.startswith(self.unit_path)

    def overlaps(self, root_path: str) -> bool:
        """A directive concerns the account when its tree and the account's subtree meet."""
        return root_path.startswith(self.unit_path) or self.unit_path.startswith(root_path)

    def waives(self, issuer_path: str) -> bool:
        """Waivers belong to the issuer's administrators: the issuing unit lies in the account's subtree."""
        return self.role is Role.ADMIN and issuer_path.startswith(self.unit_path)

    def governs(self, issuer_path: str) -> bool:
        """Gates, holds and aborts belong, like waivers, to an administrator of the issuing unit or above it (not
        of the directive's root, which may be a unit the issuer sends it to)."""
        return self.role is Role.ADMIN and issuer_path.startswith(self.unit_path)


def token_digest(token: str) -> str:
    """Tokens and session ids are stored as their sha256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """The argon2 hash kept in place of a password."""
    return _hasher.hash(password)


def _principal(account: AccountRow, unit: UnitRow) -> Principal:
    return Principal(account.id, account.username, Role(account.role), unit.id, unit.code, unit.name, unit.path)


def principal_of(session: Session, account_id: int) -> Principal | None:
    """The principal of an active account, or None."""
    row = session.execute(
        select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
        .where(AccountRow.id == account_id, AccountRow.active.is_(True))
    ).first()
    return None if row is None else _principal(*row)


def create_account(session: Session, username: str, password: str, role: str, unit_code: str, *, now: datetime,
                   actor: str) -> AccountRow:
    """Create an account bound to a unit's subtree; the password is kept only as an argon2 hash."""
    problems = []
    username = username.strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-" for c in username):
        problems.append(Problem("tên đăng nhập gồm chữ, số, dấu chấm, gạch ngang, gạch dưới (tối đa 64 ký tự)",
                                field="username"))
    if role not in {r.value for r in Role}:
        problems.append(Problem(f"vai trò “{role}” không có; chọn một trong: admin, reporter, viewer", field="role"))
    weak = password_problem(password, hints=(username, unit_code))
    if weak is not None:
        problems.append(Problem(weak, field="password"))
    if problems:
        raise InputError(problems, title="Không tạo được tài khoản")
    unit = find_unit(session, unit_code)
    if session.scalar(select(AccountRow.id).where(AccountRow.username == username)) is not None:
        raise ConflictError(f"Tài khoản “{username}” đã có.")
    account = AccountRow(username=username, password_hash=_hasher.hash(password), role=role, unit_id=unit.id,
                         active=True, created_at=now)
    session.add(account)
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.add", subject=f"account/{username}",
                                     reason=None, details={"role": role, "unit": unit.code}))
    session.flush()
    return account


def _account(session: Session, username: str) -> AccountRow:
    account = session.scalar(select(AccountRow).where(AccountRow.username == username))
    if account is None:
        raise NotFound(f"Không có tài khoản “{username}” (xem `trienkhai user list`).")
    return account


def disable_account(session: Session, username: str, *, now: datetime, actor: str) -> AccountRow:
    """Disable an account: its sessions and token stop working at once."""
    account = _account(session, username)
    if not account.active:
        raise ConflictError(f"Tài khoản “{username}” đã bị khóa từ trước.")
    account.active, account.disabled_at, account.token_hash = False, now, None
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.disable", subject=f"account/{username}",
                                     reason=None, details={}))
    session.flush()
    return account


def enable_account(session: Session, username: str, *, now: datetime, actor: str) -> AccountRow:
    """Unlock a locked account: its password works again (its API token was withdrawn when it was locked)."""
    account = _account(session, username)
    if account.active:
        raise ConflictError(f"Tài khoản “{username}” đang được dùng, không bị khóa.")
    account.active, account.disabled_at = True, None
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.enable", subject=f"account/{username}",
                                     reason=None, details={}))
    session.flush()
    return account


def issue_token(session: Session, username: str, *, now: datetime, actor: str) -> str:
    """A new API bearer token for an active account (the old one stops working); shown once, stored hashed."""
    account = _account(session, username)
    if not account.active:
        raise ConflictError(f"Tài khoản “{username}” đã bị khóa.")
    token = secrets.token_urlsafe(32)
    account.token_hash = token_digest(token)
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.token", subject=f"account/{username}",
                                     reason=None, details={}))
    session.flush()
    return token


def set_password(session: Session, username: str, password: str, *, now: datetime, actor: str) -> AccountRow:
    """Give an account a new password under the same rule as a new account; its open sessions end (a reset is
    usually because the old one leaked), its API token stays."""
    account = _account(session, username)
    unit = session.get_one(UnitRow, account.unit_id)
    weak = password_problem(password, hints=(username, unit.code))
    if weak is not None:
        raise InputError([Problem(weak, field="password")], title="Chưa đổi được mật khẩu")
    account.password_hash = _hasher.hash(password)
    session.execute(delete(SessionRow).where(SessionRow.account_id == account.id))
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.password", subject=f"account/{username}",
                                     reason=None, details={}))
    session.flush()
    return account


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The principal an API bearer token belongs to, or None."""
    row = session.execute(
        select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
        .where(AccountRow.token_hash == token_digest(token), AccountRow.active.is_(True))
    ).first()
    return None if row is None else _principal(*row)


def _failures(session: Session, since: datetime, *conditions: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
        *conditions, LoginAttemptRow.at >= since, LoginAttemptRow.ok.is_(False))) or 0


def authenticate(session: Session, username: str, password: str, address: str, *, now: datetime,
                 audit_as: str = "account.login") -> Principal:
    """Check a password; 5 failures for a name from one address, or 20 from one address for any names, in 15
    minutes refuse further tries from that address (the same name from another address still may sign in)."""
    if "@" in username:  # an invited unit logs in with its e-mail, which is kept in lower case
        username = username.lower()
    since = now - LOCK_WINDOW
    name, place = LoginAttemptRow.username == username[:64], LoginAttemptRow.address == address[:64]
    if (_failures(session, since, name, place) >= MAX_FAILURES_PER_NAME_AND_ADDRESS
            or _failures(session, since, place) >= MAX_FAILURES_PER_ADDRESS):
        raise ConflictError("Đăng nhập sai quá nhiều lần; hãy thử lại sau 15 phút.")
    account = session.scalar(select(AccountRow).where(AccountRow.username == username))
    ok = False
    try:
        ok = (_hasher.verify(account.password_hash if account else _DUMMY, password)
              and account is not None and account.active)
    except (VerificationError, InvalidHashError):
        ok = False
    session.add(LoginAttemptRow(at=now, username=username[:64], address=address[:64], ok=ok))
    append_audit(session, AuditEntry(at=now, actor=f"web:{username[:60]}",
                                     action=audit_as if ok else f"{audit_as}_failed",
                                     subject=f"account/{username[:60]}", reason=None, details={"address": address}))
    session.flush()
    if not ok or account is None:
        raise InputError([Problem("tên đăng nhập hoặc mật khẩu không đúng", field="password")],
                         title="Chưa đăng nhập được")
    unit = session.get_one(UnitRow, account.unit_id)
    return _principal(account, unit)


def change_password(session: Session, username: str, current: str, new: str, repeat: str, address: str, *,
                    now: datetime) -> None:
    """A signed-in person changes their own password: the current one is checked like a login (and counts toward
    the same lockout), the new one is typed twice, differs from the current one and meets the rule."""
    try:
        authenticate(session, username, current, address, now=now, audit_as="account.password_check")
    except InputError as exc:
        raise InputError([Problem("mật khẩu hiện tại không đúng", field="current")],
                         title="Chưa đổi được mật khẩu") from exc
    if new != repeat:
        raise InputError([Problem("hai lần nhập mật khẩu mới không khớp nhau", field="repeat")],
                         title="Chưa đổi được mật khẩu")
    if new == current:
        raise InputError([Problem("mật khẩu mới phải khác mật khẩu hiện tại", field="new")],
                         title="Chưa đổi được mật khẩu")
    try:
        set_password(session, username, new, now=now, actor=f"web:{username}")
    except InputError as exc:
        raise InputError([Problem(p.message, field="new") for p in exc.problems], title=exc.title) from exc
