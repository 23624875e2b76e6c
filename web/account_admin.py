"""The account admin page of an office: accounts of its subtree, found without diacritics, locked, unlocked,
reset (a new invitation) or moved within the subtree; every change audited, anything outside refused (403)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from errors import ConflictError, InputError, Problem
from rollout.password_links import (
    UNUSABLE_PREFIX,
    awaiting_password,
    create_password_link,
    revoke_password_links,
    unusable_hash,
)
from schedules import WorkingCalendar
from storage.audit import append_audit
from storage.models import AccountRow, AuditEntry, SessionRow, UnitRow
from storage.units import subtree_bounds
from web.accounts import Principal, Role, disable_account, enable_account
from web.invitations import Invitations, invitations_of, login_of, queue_invitation
from web.queries import OutOfScope, unit_in_scope
from web.search import SearchIndex, fold

__all__ = ["STATES", "AccountLine", "AccountPage", "account_page", "change_scope", "managed_account", "reset",
           "set_active"]

PER_PAGE = 50
STATES = {"": "Mọi trạng thái", "dung": "Đang dùng", "cho": "Chờ đặt mật khẩu", "khoa": "Đã khóa"}


@dataclass(frozen=True)
class AccountLine:
    """One account as the page lists it, with its unit and its invitations."""

    account: AccountRow
    unit: UnitRow
    invitations: Invitations

    @property
    def state(self) -> str:
        """Đã khóa, chờ đặt mật khẩu or đang dùng."""
        if not self.account.active:
            return "khoa"
        return "cho" if awaiting_password(self.account.password_hash) else "dung"

    @property
    def role(self) -> Role:
        """The account's role."""
        return Role(self.account.role)


@dataclass(frozen=True)
class AccountPage:
    """A page of the list: the lines, how many matched, which page."""

    lines: list[AccountLine]
    total: int
    page: int
    pages: int


def _base(principal: Principal, state: str) -> Select[int, str, int]:
    lo, hi = subtree_bounds(principal.unit_path)
    query = (select(AccountRow.id, AccountRow.username, AccountRow.unit_id)
             .join(UnitRow, UnitRow.id == AccountRow.unit_id).where(UnitRow.path >= lo, UnitRow.path < hi))
    waiting = AccountRow.password_hash.startswith(UNUSABLE_PREFIX)
    if state == "khoa":
        query = query.where(AccountRow.active.is_(False))
    elif state == "cho":
        query = query.where(AccountRow.active.is_(True), waiting)
    elif state == "dung":
        query = query.where(AccountRow.active.is_(True), ~waiting)
    return query.order_by(UnitRow.path, AccountRow.username)


def account_page(session: Session, index: SearchIndex, principal: Principal, *, text: str, state: str, page: int,
                 now: datetime) -> AccountPage:
    """Accounts of the admin's subtree, in tree order, or when searching: exact login first, then by the unit's
    name or code ranked as the unit search ranks them, then logins containing the words (all without diacritics)."""
    query = _base(principal, state if state in STATES else "")
    folded = fold(text)
    if folded:
        ranked_units = index.get(session).find(text, principal.unit_path, limit=10**9)[0]
        unit_rank = {unit_id: i for i, unit_id in enumerate(ranked_units)}
        hits = []
        for account_id, username, unit_id in session.execute(query):
            login = fold(username)
            if login == folded:
                hits.append((-1, account_id))
            elif unit_id in unit_rank:
                hits.append((unit_rank[unit_id], account_id))
            elif folded in login:
                hits.append((len(unit_rank), account_id))
        hits.sort()
        total, ids = len(hits), [a for _, a in hits]
    else:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
        ids = []
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    shown = (ids[(page - 1) * PER_PAGE:page * PER_PAGE] if folded
             else list(session.scalars(query.with_only_columns(AccountRow.id).offset((page - 1) * PER_PAGE)
                                       .limit(PER_PAGE))))
    rows = {a.id: (a, u) for a, u in session.execute(
        select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id).where(AccountRow.id.in_(shown)))}
    invited = invitations_of(session, shown, now)
    return AccountPage([AccountLine(*rows[i], invited[i]) for i in shown if i in rows], total, page, pages)


def managed_account(session: Session, principal: Principal, account_id: int) -> tuple[AccountRow, UnitRow]:
    """An account the admin may manage: an office administrator's, bound inside its subtree; else 403."""
    if principal.role is not Role.ADMIN:
        raise OutOfScope(principal.role.value)
    row = session.execute(select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
                          .where(AccountRow.id == account_id)).first()
    if row is None or not principal.sees(row[1].path):
        raise OutOfScope(f"account/{account_id}")
    return row[0], row[1]


def _not_self(principal: Principal, account: AccountRow, what: str) -> None:
    if account.id == principal.account_id:
        raise ConflictError(f"Không tự {what} tài khoản đang đăng nhập; hãy nhờ quản trị cấp trên.")


def set_active(session: Session, principal: Principal, account_id: int, active: bool, *, now: datetime) -> AccountRow:
    """Lock an account (its sessions and API token stop at once) or unlock it, within the admin's subtree."""
    account, _ = managed_account(session, principal, account_id)
    if active:
        return enable_account(session, account.username, now=now, actor=principal.actor)
    _not_self(principal, account, "khóa")
    disable_account(session, account.username, now=now, actor=principal.actor)
    session.execute(delete(SessionRow).where(SessionRow.account_id == account.id))
    return account


def reset(session: Session, principal: Principal, account_id: int, *, now: datetime, calendar: WorkingCalendar,
          days: int) -> str | None:
    """A new invitation: the password, open sessions and earlier links stop working; the invitation goes to the
    unit's e-mail through the outbox, or, for a unit without one, the returned token is shown once to the admin."""
    account, unit = managed_account(session, principal, account_id)
    _not_self(principal, account, "cấp lại")
    if not account.active:
        raise ConflictError(f"Tài khoản “{account.username}” đang bị khóa; hãy mở khóa trước khi cấp lại.")
    account.password_hash = unusable_hash()
    session.execute(delete(SessionRow).where(SessionRow.account_id == account.id))
    revoke_password_links(session, account.id, now=now, actor=principal.actor)
    token = None
    details: dict[str, object] = {"unit": unit.code}
    if login_of(unit):
        sent = invitations_of(session, [account.id], now)[account.id].count
        root = session.get_one(UnitRow, principal.unit_id)
        details["outbox"] = queue_invitation(session, account, root, now=now, calendar=calendar, sent_before=sent)
    else:
        token = create_password_link(session, account.id, now=now, days=days)
        details["handed_over"] = True
    append_audit(session, AuditEntry(at=now, actor=principal.actor, action="account.reset",
                                     subject=f"account/{account.username}", reason=None, details=details))
    session.flush()
    return token


def change_scope(session: Session, principal: Principal, account_id: int, unit_code: str, role: str, *,
                 now: datetime) -> AccountRow:
    """Bind an account to another unit of the admin's subtree and give it a role; both ends must be in reach."""
    account, unit = managed_account(session, principal, account_id)
    _not_self(principal, account, "đổi phạm vi của")
    if role not in {r.value for r in Role}:
        raise InputError([Problem(f"vai trò “{role}” không có; chọn một trong: admin, reporter, viewer",
                                  field="role")], title="Chưa đổi được phạm vi")
    target = unit_in_scope(session, principal, unit_code.strip())
    if target.id == unit.id and role == account.role:
        raise ConflictError(f"Tài khoản “{account.username}” đã gắn với {target.name} với vai trò "
                            f"{Role(role).label}; không có gì thay đổi.")
    append_audit(session, AuditEntry(at=now, actor=principal.actor, action="account.scope",
                                     subject=f"account/{account.username}", reason=None,
                                     details={"from": {"unit": unit.code, "role": account.role},
                                              "to": {"unit": target.code, "role": role}}))
    account.unit_id, account.role = target.id, role
    session.flush()
    return account
