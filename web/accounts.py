"""Accounts of the dashboard: create, list, disable, verify a password, issue an API token; each change audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from errors import ConflictError, InputError, NotFound, Problem
from storage.audit import append_audit
from storage.models import AccountRow, AuditEntry, LoginAttemptRow, UnitRow
from storage.units import find_unit

__all__ = [
    "Principal", "Role", "authenticate", "create_account", "disable_account", "issue_token", "principal_for_token",
]

_hasher = PasswordHasher()
# A dummy hash verified when the name is unknown, so that timing does not tell which names exist.
_DUMMY = _hasher.hash("không-phải-mật-khẩu")

MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 20
LOCK_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 10


class Role(StrEnum):
    """What an account may do inside its subtree."""

    ADMIN = "admin"  # văn phòng cấp ủy: everything, including gates and holds of its own directives
    REPORTER = "reporter"  # cán bộ báo cáo: submits reports of its units
    VIEWER = "viewer"  # chỉ xem

    @property
    def label(self) -> str:
        """The Vietnamese name of the role."""
        return {"admin": "quản trị văn phòng", "reporter": "cán bộ báo cáo", "viewer": "chỉ xem"}[self.value]


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

    def governs(self, root_path: str) -> bool:
        """Gates and holds belong to an office administrator at or above the directive's root."""
        return self.role is Role.ADMIN and root_path.startswith(self.unit_path)


def token_digest(token: str) -> str:
    """Tokens and session ids are stored as their sha256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


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
    if len(password) < MIN_PASSWORD:
        problems.append(Problem(f"mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự", field="password"))
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


def principal_for_token(session: Session, token: str) -> Principal | None:
    """The principal an API bearer token belongs to, or None."""
    row = session.execute(
        select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
        .where(AccountRow.token_hash == token_digest(token), AccountRow.active.is_(True))
    ).first()
    return None if row is None else _principal(*row)


def _failures(session: Session, column: InstrumentedAttribute[str], value: str, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttemptRow).where(
        column == value, LoginAttemptRow.at >= since, LoginAttemptRow.ok.is_(False))) or 0


def authenticate(session: Session, username: str, password: str, address: str, *, now: datetime) -> Principal:
    """Check a password; too many failures for a name or an address in 15 minutes refuse further tries."""
    since = now - LOCK_WINDOW
    if (_failures(session, LoginAttemptRow.username, username, since) >= MAX_FAILURES_PER_NAME
            or _failures(session, LoginAttemptRow.address, address, since) >= MAX_FAILURES_PER_ADDRESS):
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
                                     action="account.login" if ok else "account.login_failed",
                                     subject=f"account/{username[:60]}", reason=None, details={"address": address}))
    session.flush()
    if not ok or account is None:
        raise InputError([Problem("tên đăng nhập hoặc mật khẩu không đúng", field="password")],
                         title="Chưa đăng nhập được")
    unit = session.get_one(UnitRow, account.unit_id)
    return _principal(account, unit)
