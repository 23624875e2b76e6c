"""Personal report links: a random token in a letter opens what one unit (or a superior's subtree) owes.

Only the token's sha256 is stored (like an API token: random and long, so a fast hash is enough), bound to the
unit, with an expiry and a revocation mark. A refusal names what happened and whom to contact, never the data
of another unit, and writes nothing; each use that is let in is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from errors import NotFound
from plans.schema import FieldDef, Obligation
from rollout.status import UNFINISHED, values
from rollout.stored_plan import item_of, plan_of
from schedules.render import format_short
from storage.audit import append_audit
from storage.db import rowcount
from storage.models import AuditEntry, DirectiveRow, ObligationRow, ReportLinkRow, UnitRow
from storage.units import find_unit, subtree_bounds

__all__ = [
    "LinkGrant", "LinkRefused", "OwedItem", "create_link", "link_url", "owed_items", "record_use", "resolve_link",
    "revoke_links", "uses_since",
]

PATH_PREFIX = "/bao-cao/"
# Uses of one link let in per window: far above what a clerk does, far below what a script guessing figures does.
MAX_USES = 60
USE_WINDOW = timedelta(minutes=10)
# A superior's page lists its subtree's owed items up to this many; the rest it follows on the dashboard.
MAX_ITEMS = 300


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


def create_link(session: Session, unit: UnitRow, *, now: datetime, days: int, subtree: bool = False,
                outbox_id: int | None = None) -> str:
    """A new link for `unit`, valid `days` days; returns the token (shown once, stored only as its digest)."""
    token = secrets.token_urlsafe(32)
    session.add(ReportLinkRow(token_hash=_digest(token), unit_id=unit.id, subtree=subtree, outbox_id=outbox_id,
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
    row = session.scalar(select(ReportLinkRow).where(ReportLinkRow.token_hash == _digest(token))) if token else None
    if row is None:
        raise LinkRefused("unknown", "Đường liên kết không đúng hoặc không còn trong hệ thống. Hãy mở lại đúng "
                          "đường liên kết trong thư gần nhất gửi cho đơn vị.", GENERIC_CONTACT)
    unit = session.get(UnitRow, row.unit_id)
    assert unit is not None
    if row.revoked_at is not None:
        raise LinkRefused("revoked", f"Đường liên kết này đã bị thu hồi lúc {format_short(row.revoked_at)}. "
                          "Hãy dùng đường liên kết trong thư mới nhất gửi cho đơn vị.", contact_of(session, unit))
    if row.expires_at <= now:
        raise LinkRefused("expired", f"Đường liên kết này đã hết hạn sử dụng lúc {format_short(row.expires_at)}. "
                          "Thư nhắc việc tiếp theo sẽ mang đường liên kết mới.", contact_of(session, unit))
    return LinkGrant(row.id, unit, row.subtree, row.expires_at)


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


def owed_items(session: Session, grant: LinkGrant) -> list[OwedItem]:
    """What the link's unit (or subtree) still owes, across active directives, earliest deadline first; of the
    periods not yet open, only the next one of each item."""
    query = (select(ObligationRow, UnitRow, DirectiveRow)
             .join(UnitRow, UnitRow.id == ObligationRow.unit_id)
             .join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
             .where(ObligationRow.status.in_(values(UNFINISHED)), DirectiveRow.state == "active"))
    if grant.subtree:
        lo, hi = subtree_bounds(grant.unit.path)
        query = query.where(UnitRow.path >= lo, UnitRow.path < hi)
    else:
        query = query.where(ObligationRow.unit_id == grant.unit.id)
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
        spec = item_of(plan_of(directive), obligation.key)
        out.append(OwedItem(obligation, unit, directive, spec.title if spec else obligation.key,
                            spec.fields if isinstance(spec, Obligation) else [],
                            spec.report_to if isinstance(spec, Obligation) else None))
    return out
