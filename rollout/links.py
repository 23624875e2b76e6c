"""Personal report links: a random token in a letter opens what one unit (or a superior's subtree) owes.

Only the token's sha256 is stored (like an API token: random and long, so a fast hash is enough), bound to the
unit, with an expiry and a revocation mark. A refusal names what happened and whom to contact, never the data
of another unit, and writes nothing; each use that is let in is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from errors import NotFound
from plans.schema import FieldDef, Obligation
from rollout.status import REPORTED, UNFINISHED, Status, values
from rollout.stored_plan import item_of, plan_of
from schedules.render import format_short
from storage.audit import append_audit
from storage.db import rowcount
from storage.models import AuditEntry, DirectiveRow, ObligationRow, PasswordLinkRow, ReportLinkRow, UnitRow
from storage.units import find_unit, subtree_bounds

__all__ = [
    "LinkGrant", "LinkRefused", "OwedItem", "create_link", "find_live", "link_url", "new_token", "owed_items",
    "record_use", "resolve_link", "revoke_links", "uses_since",
]

PATH_PREFIX = "/bao-cao/"
# Uses of one link let in per window: far above what a clerk does, far below what a script guessing figures does.
MAX_USES = 60
USE_WINDOW = timedelta(minutes=10)
# A superior's page lists its subtree's owed items up to this many; the rest it follows on the dashboard.
MAX_ITEMS = 300
MAX_REPORTED = 20


class LinkRefused(NotFound):
    """A link that does not open: unknown, expired or revoked; `contact` says whom to ask for a new one."""

    def __init__(self, reason: str, message: str, contact: str) -> None:
        self.reason, self.contact = reason, contact
        super().__init__(message)


@dataclass(frozen=True)
class LinkGrant:
    """What an accepted link lets its holder see and do: one unit, or its whole subtree."""

    link_id: int
    unit: UnitRow
    subtree: bool
    expires_at: datetime

    def covers(self, unit: UnitRow) -> bool:
        """A unit is in reach when it is the link's unit, or under it for a subtree link."""
        return unit.id == self.unit.id or (self.subtree and unit.path.startswith(self.unit.path))


@dataclass(frozen=True)
class OwedItem:
    """One item still owed as the link page shows it."""

    obligation: ObligationRow
    unit: UnitRow
    directive: DirectiveRow
    title: str
    fields: list[FieldDef]
    report_to: str | None

    def opened(self, now: datetime) -> bool:
        """A report is accepted only once its period has opened."""
        return self.obligation.opens_at is None or self.obligation.opens_at <= now


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random token for a letter and its sha256, the only part a link table keeps."""
    token = secrets.token_urlsafe(32)
    return token, _digest(token)


# The tables of links sent in letters: same token, expiry and revocation; a set-password link is also used once.
Row = TypeVar("Row", ReportLinkRow, PasswordLinkRow)


def find_live(session: Session, model: type[Row], token: str, now: datetime, *, contact: Callable[[Row], str],
              renew: str, renew_revoked: str | None = None) -> Row:
    """The row of a link table that a token names when it may still be used; else LinkRefused saying why
    (unknown, used once already, revoked, expired) and, but for an unknown token, whom to ask (`contact`)."""
    digest = _digest(token)
    row = session.scalar(select(model).where(model.token_hash == digest)) if token else None
    if row is None:
        raise LinkRefused("unknown", "Đường liên kết không đúng hoặc không còn trong hệ thống. Hãy mở lại đúng "
                          "đường liên kết trong thư gần nhất gửi cho đơn vị.", GENERIC_CONTACT)
    used = row.used_at if isinstance(row, PasswordLinkRow) else None
    if used is not None:
        raise LinkRefused("used", f"Đường liên kết này đã được dùng lúc {format_short(used)} và chỉ dùng được một "
                          f"lần. {renew}", contact(row))
    if row.revoked_at is not None:
        raise LinkRefused("revoked", f"Đường liên kết này đã bị thu hồi lúc {format_short(row.revoked_at)}. "
                          f"{renew_revoked or renew}", contact(row))
    if row.expires_at <= now:
        raise LinkRefused("expired", f"Đường liên kết này đã hết hạn sử dụng lúc {format_short(row.expires_at)}. "
                          f"{renew}", contact(row))
    return row


def create_link(session: Session, unit: UnitRow, *, now: datetime, days: int, subtree: bool = False,
                outbox_id: int | None = None) -> str:
    """A new link for `unit`, valid `days` days; returns the token (shown once, stored only as its digest)."""
    token, digest = new_token()
    session.add(ReportLinkRow(token_hash=digest, unit_id=unit.id, subtree=subtree, outbox_id=outbox_id,
                              created_at=now, expires_at=now + timedelta(days=days)))
    session.flush()
    return token


def link_url(base: str, token: str) -> str:
    """The address printed in a letter."""
    return base.rstrip("/") + PATH_PREFIX + token


def contact_of(session: Session, unit: UnitRow) -> str:
    """Whom a unit asks about its link: the office of its superior, with its e-mail and phone when known."""
    parent = session.get(UnitRow, unit.parent_id) if unit.parent_id else None
    office = parent or unit
    ways = ", ".join(x for x in (office.email, office.phone) if x)
    return f"{office.name}" + (f" ({ways})" if ways else "")


GENERIC_CONTACT = "văn phòng cấp ủy (hoặc đoàn) đã gửi thư cho đơn vị"


def resolve_link(session: Session, token: str, now: datetime) -> LinkGrant:
    """The grant of a token; unknown, expired or revoked tokens are refused with what to do next."""
    row = find_live(session, ReportLinkRow, token, now,
                    contact=lambda r: contact_of(session, session.get_one(UnitRow, r.unit_id)),
                    renew="Thư nhắc việc tiếp theo sẽ mang đường liên kết mới.",
                    renew_revoked="Hãy dùng đường liên kết trong thư mới nhất gửi cho đơn vị.")
    return LinkGrant(row.id, session.get_one(UnitRow, row.unit_id), row.subtree, row.expires_at)


def uses_since(session: Session, link_id: int, since: datetime) -> int:
    """How many uses of a link were let in since `since` (read from the audit log, shared by every worker)."""
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.subject == f"link/{link_id}", AuditEntry.at >= since)) or 0


def record_use(session: Session, grant: LinkGrant, *, now: datetime, action: str, address: str,
               details: dict[str, object] | None = None) -> None:
    """Audit one use of a link: who (the link and its unit), from where, what."""
    append_audit(session, AuditEntry(at=now, actor=f"link:{grant.link_id}:{grant.unit.code}", action=f"link.{action}",
                                     subject=f"link/{grant.link_id}", reason=None,
                                     details={"address": address[:64], "unit": grant.unit.code, **(details or {})}))


def revoke_links(session: Session, unit_code: str, *, now: datetime, actor: str) -> int:
    """Revoke every live link of a unit (a lost or forwarded letter); returns how many were revoked."""
    unit = find_unit(session, unit_code)
    count = rowcount(session.execute(
        update(ReportLinkRow)
        .where(ReportLinkRow.unit_id == unit.id, ReportLinkRow.revoked_at.is_(None), ReportLinkRow.expires_at > now)
        .values(revoked_at=now, revoked_by=actor)
    ))
    append_audit(session, AuditEntry(at=now, actor=actor, action="link.revoke", subject=f"unit/{unit.code}",
                                     reason=None, details={"count": count}))
    session.flush()
    return int(count)


def _items(grant: LinkGrant, statuses: frozenset[Status]) -> Select[ObligationRow, UnitRow, DirectiveRow]:
    query = (select(ObligationRow, UnitRow, DirectiveRow)
             .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
             .join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
             .where(ObligationRow.status.in_(values(statuses)), DirectiveRow.state == "active"))
    if grant.subtree:
        lo, hi = subtree_bounds(grant.unit.path)
        return query.where(UnitRow.path >= lo, UnitRow.path < hi)
    return query.where(ObligationRow.unit_id == grant.unit.id)


def _item(obligation: ObligationRow, unit: UnitRow, directive: DirectiveRow) -> OwedItem:
    spec = item_of(plan_of(directive), obligation.key)
    return OwedItem(obligation, unit, directive, spec.title if spec else obligation.key,
                    spec.fields if isinstance(spec, Obligation) else [],
                    spec.report_to if isinstance(spec, Obligation) else None)


def owed_items(session: Session, grant: LinkGrant) -> list[OwedItem]:
    """What the link's unit (or subtree) still owes, across active directives, earliest deadline first; of the
    periods not yet open, only the next one of each item."""
    query = _items(grant, UNFINISHED)
    rows = session.execute(query.order_by(ObligationRow.due_at, UnitRow.path, ObligationRow.id).limit(MAX_ITEMS)).all()
    out = []
    upcoming: set[tuple[int, int, str]] = set()
    for obligation, unit, directive in rows:
        if obligation.status == "pending":
            # Of the periods not yet open, only the next one is shown: the 2021 report is not owed in 2017.
            key = (directive.id, unit.id, obligation.key)
            if key in upcoming:
                continue
            upcoming.add(key)
        out.append(_item(obligation, unit, directive))
    return out


def reported_items(session: Session, grant: LinkGrant) -> list[OwedItem]:
    """The reports the link's unit (or subtree) has recorded on active directives, the latest first (at most
    MAX_REPORTED): the holder of the link, who may submit them, may also correct them."""
    query = _items(grant, REPORTED)
    rows = session.execute(query.order_by(ObligationRow.submitted_at.desc(), ObligationRow.id.desc())
                           .limit(MAX_REPORTED)).all()
    return [_item(obligation, unit, directive) for obligation, unit, directive in rows]
