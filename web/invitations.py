"""Accounts at scale: one account per unit of a subtree, logging in with the unit's e-mail, invited through the outbox.

An invitation is an outbox row (template `moi_tai_khoan`, key `moi-tai-khoan:<account>:<n>`) naming the
account; the dispatcher sends it once, and its set-password link is made when the message is composed
(`notifications/compose.py`), so no token is ever written in clear. An invitation is still valid while its
row waits to be sent or a link of the account can still be used: a second run then writes nothing for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from errors import InputError, Problem
from hierarchy import Kind
from rollout.escalate import queue_messages
from rollout.password_links import (
    INVITATION,
    awaiting_password,
    resolve_password_link,
    unusable_hash,
    use_password_link,
)
from schedules import WorkingCalendar
from schedules.render import local_date
from storage.audit import append_audit
from storage.models import AccountRow, AuditEntry, OutboxRow, PasswordLinkRow, SessionRow, UnitRow
from storage.units import find_unit, subtree_units
from web.accounts import Role, hash_password
from web.passwords import password_problem

__all__ = [
    "INVITATION", "InviteResult", "invitations_of", "invite_subtree", "login_of", "queue_invitation", "set_password",
]

KEY_PREFIX = "moi-tai-khoan:"
MAX_LOGIN = 64  # web_accounts.username


@dataclass(frozen=True)
class Invitations:
    """The invitations written for one account so far, and whether one of them can still be used."""

    count: int = 0
    valid: bool = False
    last_at: datetime | None = None


@dataclass
class InviteResult:
    """What one run did, for the office to read and act on."""

    root: UnitRow
    units: int = 0
    created: int = 0
    kept: int = 0  # the unit's account was there already
    invited: int = 0  # invitations written to the outbox
    still_valid: int = 0  # invited before, and that invitation can still be used: nothing written
    activated: int = 0  # the account has its password: no invitation (an administrator may reset it)
    disabled: int = 0  # locked by an administrator: left alone
    not_invited: list[tuple[UnitRow, str]] = field(default_factory=list)  # unit, why


def login_of(unit: UnitRow) -> str | None:
    """The login of a unit's account: its contact e-mail in lower case (None without one)."""
    return unit.email.strip().lower() if unit.email and unit.email.strip() else None


def _check(kinds: list[str], role: str) -> None:
    valid = {k.value for k in Kind}
    problems = [Problem(f"loại đơn vị “{k}” không có; chọn trong: {', '.join(sorted(valid))}", field="--kind")
                for k in kinds if k not in valid]
    if role not in {r.value for r in Role}:
        problems.append(Problem(f"vai trò “{role}” không có; chọn một trong: admin, reporter, viewer", field="--role"))
    if problems:
        raise InputError(problems, title="Chưa mời được")


def invitations_of(session: Session, account_ids: list[int], now: datetime) -> dict[int, Invitations]:
    """For each account, the invitations written so far and whether one is still valid (waiting to be sent, or
    with a set-password link not used, revoked nor expired)."""
    out: dict[int, Invitations] = {}
    wanted = set(account_ids)
    counts: dict[int, int] = defaultdict(int)
    waiting: set[int] = set()
    last: dict[int, datetime] = {}
    for start in range(0, len(account_ids), 500):
        chunk = account_ids[start:start + 500]
        units = select(AccountRow.unit_id).where(AccountRow.id.in_(chunk))
        for key, status, created in session.execute(
                select(OutboxRow.key, OutboxRow.status, OutboxRow.created_at)
                .where(OutboxRow.template == INVITATION, OutboxRow.unit_id.in_(units))):
            account_id = int(key.split(":")[1])
            if account_id in wanted:
                counts[account_id] += 1
                last[account_id] = max(created, last.get(account_id, created))
                if status == "pending":
                    waiting.add(account_id)
        waiting.update(session.scalars(select(PasswordLinkRow.account_id).where(
            PasswordLinkRow.account_id.in_(chunk), PasswordLinkRow.used_at.is_(None),
            PasswordLinkRow.revoked_at.is_(None), PasswordLinkRow.expires_at > now)))
    for account_id in account_ids:
        out[account_id] = Invitations(counts[account_id], account_id in waiting, last.get(account_id))
    return out


def queue_invitation(session: Session, account: AccountRow, sender: UnitRow, *, now: datetime,
                     calendar: WorkingCalendar, sent_before: int) -> str:
    """Write one invitation for an account to the outbox (the caller's transaction); returns its key."""
    key = f"{KEY_PREFIX}{account.id}:{sent_before + 1}"
    queue_messages(session, None, [(key, account.unit_id, INVITATION, {"account": account.id, "sender": sender.id})],
                   now, calendar)
    return key


def invite_subtree(session: Session, root_code: str, *, kinds: list[str], role: str, now: datetime, actor: str,
                   calendar: WorkingCalendar) -> InviteResult:
    """Create an account (login: the unit's e-mail) for every unit of the subtree of the given kinds (all kinds
    when none) that exists today, and invite each one that has no valid invitation and no password yet."""
    _check(kinds, role)
    root = find_unit(session, root_code)
    units = subtree_units(session, root_code, kinds=kinds, day=local_date(now))
    result = InviteResult(root=root, units=len(units))
    logins = {u.id: login_of(u) for u in units}
    existing: dict[str, AccountRow] = {}
    names = sorted({n for n in logins.values() if n})
    for start in range(0, len(names), 500):
        existing.update((a.username, a) for a in session.scalars(
            select(AccountRow).where(AccountRow.username.in_(names[start:start + 500]))))
    accounts: list[AccountRow] = []
    audit: list[dict[str, Any]] = []
    for unit in units:
        name = logins[unit.id]
        if name is None:
            result.not_invited.append((unit, "chưa có địa chỉ email"))
            continue
        if len(name) > MAX_LOGIN:
            result.not_invited.append((unit, f"địa chỉ email dài hơn {MAX_LOGIN} ký tự, không dùng làm tên đăng nhập"))
            continue
        account = existing.get(name)
        if account is not None and account.unit_id != unit.id:
            result.not_invited.append((unit, f"địa chỉ {name} đã là tên đăng nhập của tài khoản một đơn vị khác"))
            continue
        if account is None:
            account = AccountRow(username=name, password_hash=unusable_hash(), role=role, unit_id=unit.id,
                                 active=True, created_at=now)
            session.add(account)
            existing[name] = account
            result.created += 1
            audit.append({"subject": name, "action": "account.add", "details": {"role": role, "unit": unit.code}})
        else:
            result.kept += 1
        accounts.append(account)
    session.flush()
    sent = invitations_of(session, [a.id for a in accounts], now)
    for account in accounts:
        before = sent[account.id]
        if not account.active:
            result.disabled += 1
        elif not awaiting_password(account.password_hash):
            result.activated += 1
        elif before.valid:
            result.still_valid += 1
        else:
            key = queue_invitation(session, account, root, now=now, calendar=calendar, sent_before=before.count)
            result.invited += 1
            audit.append({"subject": account.username, "action": "account.invite",
                          "details": {"outbox": key, "root": root.code}})
    append_audit(session, *(AuditEntry(at=now, actor=actor, action=a["action"], subject=f"account/{a['subject']}",
                                       reason=None, details=a["details"]) for a in audit))
    append_audit(session, AuditEntry(at=now, actor=actor, action="account.invite_subtree", subject=f"unit/{root.code}",
                                     reason=None, details={"kinds": kinds, "role": role, "units": result.units,
                                                           "created": result.created, "invited": result.invited,
                                                           "not_invited": len(result.not_invited)}))
    session.flush()
    return result


def set_password(session: Session, token: str, password: str, again: str, *, now: datetime,
                 address: str) -> AccountRow:
    """Set an account's password through its link, once: the link (and every other of the account) stops
    working, and so does any session opened before; refusals (LinkRefused, InputError) write nothing."""
    link, account = resolve_password_link(session, token, now)
    problems = []
    weak = password_problem(password, hints=(account.username,))
    if weak:
        problems.append(Problem(weak, field="password"))
    elif password != again:
        problems.append(Problem("hai lần nhập mật khẩu không khớp nhau", field="again"))
    if problems:
        raise InputError(problems, title="Chưa đặt được mật khẩu")
    use_password_link(session, link, now=now)
    account.password_hash = hash_password(password)
    session.execute(delete(SessionRow).where(SessionRow.account_id == account.id))
    append_audit(session, AuditEntry(at=now, actor=f"web:{account.username}", action="account.set_password",
                                     subject=f"account/{account.username}", reason=None,
                                     details={"address": address[:64], "link": link.id}))
    session.flush()
    return account
