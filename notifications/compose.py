"""Build a message from an outbox row: read the directive, the recipient and the items still owed.

Rows store references (obligation ids), not rendered text, so a message sent later drops the items
submitted or waived in the meantime, and a row whose items are all done is cancelled, not sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from notifications.channels import Attachment, Envelope
from notifications.context import (
    ContactLine,
    CopyRecipient,
    DeploymentContext,
    DirectiveRef,
    EscalationContext,
    EventLine,
    InvitationContext,
    Issuer,
    LetterContext,
    ObligationLine,
    OverdueUnit,
    ReminderContext,
    Signature,
    as_mapping,
)
from notifications.docx_letter import letter_attachment
from notifications.forms import OrganisationForm, kind_name, organisation_form
from notifications.render import render_message
from plans.peaks import title_of
from plans.schema import Signer
from rollout.event import EventView, event_of, quota_lines
from rollout.links import contact_of, create_link, link_url
from rollout.password_links import INVITATION, awaiting_password, create_password_link, password_url
from rollout.status import CHASED, UNFINISHED, values
from rollout.stored_plan import collecting_office, plan_of, titles as plan_titles
from schedules import WorkingCalendar
from schedules.render import to_local
from settings import get_settings
from storage.models import AccountRow, DirectiveRow, ObligationRow, OutboxRow, UnitRow
from storage.web_models import ROLE_LABELS

__all__ = ["Composed", "compose"]

@dataclass(frozen=True)
class Composed:
    """A message ready for a channel, or the reason it cannot (or need not) be sent."""

    envelope: Envelope | None
    recipient: UnitRow
    cancelled: str | None = None  # every item was finished meanwhile
    no_address: bool = False


# The items of a message still owed, with their units: one statement for every message (built once, its lists
# bound at each run), so that a dispatcher does not build and compile it anew hundreds of times a second.
_ITEMS = (
    select(ObligationRow, UnitRow).join(UnitRow, UnitRow.id == ObligationRow.unit_id)
    .where(ObligationRow.id.in_(bindparam("ids", expanding=True)),
           ObligationRow.status.in_(bindparam("owed", expanding=True)))
    .order_by(UnitRow.path, ObligationRow.due_at)
)


def _ref(directive: DirectiveRow, issuer: UnitRow) -> DirectiveRef:
    return DirectiveRef(number=directive.number, title=directive.title,
                        issued_on=to_local(directive.issued_at).date(), issuer=issuer.name,
                        kind_name=kind_name(directive.kind))


def compose(session: Session, row: OutboxRow, now: datetime, calendar: WorkingCalendar) -> Composed:
    """The envelope of an outbox row, with the recipient's address; cc the superior on a đôn đốc letter."""
    if row.template == INVITATION:
        return _invitation(session, row, now)
    directive = session.get(DirectiveRow, row.directive_id)
    recipient = session.get(UnitRow, row.unit_id)
    assert directive is not None and recipient is not None
    issuer = session.get_one(UnitRow, directive.issuer_id)
    # A new directive announces what is owed even before its window opens; chasing is about what is still owed.
    owed = values(UNFINISHED if row.template == "thong_bao_trien_khai" else CHASED)
    items = session.execute(_ITEMS, {"ids": row.context["obligations"], "owed": owed}).all()
    if not items and row.context["obligations"]:
        return Composed(None, recipient, cancelled="mọi việc trong thông báo đã hoàn thành hoặc được miễn")
    ref = _ref(directive, issuer)
    titles = plan_titles(plan_of(directive))
    today = to_local(now).date()
    lines = {o.id: ObligationLine(description=title_of(titles, o.key), due=o.due_at, directive=ref,
                                  days_overdue=_late_days(o.due_at, today, calendar)) for o, _ in items}
    as_of = date.fromisoformat(row.context["as_of"])
    # The rung's signer, kept with the message when it was queued.
    signer = Signer.model_validate(row.context["signer"]) if row.context.get("signer") else None
    parent = session.get(UnitRow, recipient.parent_id) if recipient.parent_id else None
    name = _display_name(recipient, parent)
    cc: list[str] = []
    if row.template == "thong_bao_trien_khai":
        view = event_of(session, directive, calendar)
        context: Any = DeploymentContext(recipient=name, directive=ref, obligations=list(lines.values()),
                                         sender=issuer.name, event=_event_line(view) if view else None,
                                         quotas=[q.text() for q in quota_lines(session, directive, recipient)])
    elif row.template == "nhac_han":
        view = event_of(session, directive, calendar)
        # A reminder recalls the event only for work that prepares it, i.e. due no later than the event itself.
        prepares = view is not None and view.at is not None and any(o.due_at <= view.at for o, _ in items if o.due_at)
        own, below = _own_and_below(session, items, lines, recipient)
        context = ReminderContext(recipient=name, items=own, sender=issuer.name, as_of=as_of, units=below,
                                  signature=_email_signature(session, issuer, signer),
                                  event=_event_line(view) if view and prepares else None)
    elif row.template == "cong_van_don_doc":
        own, below = _own_and_below(session, items, lines, recipient)
        context = _letter(session, directive, issuer, recipient, name, ref, own, below, as_of, signer)
        # The superior is copied only when it is not the issuer itself (a letter through the line has none).
        cc = [parent.email] if parent is not None and parent.email and parent.id != issuer.id else []
    else:
        by_unit: dict[int, tuple[UnitRow, list[ObligationLine]]] = {}
        for o, unit in items:
            by_unit.setdefault(unit.id, (unit, []))[1].append(lines[o.id])
        reminders_sent = row.context.get("rung", 1) - 1
        context = EscalationContext(
            recipient=name, directive=ref, sender=issuer.name, as_of=as_of,
            signature=_email_signature(session, issuer, signer),
            units=[
                OverdueUnit(name=_display_name(u, session.get(UnitRow, u.parent_id) if u.parent_id else None),
                            items=ls, reminders_sent=reminders_sent)
                for u, ls in by_unit.values()
            ],
        )
    if not recipient.email and not recipient.webhook:
        return Composed(None, recipient, no_address=True)
    where = _report_where(session, row, recipient, now)
    message = render_message(row.template, {**as_mapping(context), **where})
    if where["report_link"] and where["report_link"] not in message.text:
        # A province's own template may not know the link yet: the letter carries it all the same.
        message = replace(message, text=f"{message.text.rstrip()}\n\nBáo cáo trực tuyến tại: {where['report_link']}\n")
    attachments: list[Attachment | tuple[str, bytes, str]] = (
        [letter_attachment(context)] if isinstance(context, LetterContext) else []
    )
    envelope = Envelope(to=[recipient.email] if recipient.email else [], cc=cc, subject=message.subject,
                        text=message.text, html=message.html, idempotency_key=row.key, attachments=attachments)
    return Composed(envelope, recipient)


def _own_and_below(
    session: Session, items: Sequence[Row[ObligationRow, UnitRow]], lines: dict[int, ObligationLine],
    recipient: UnitRow,
) -> tuple[list[ObligationLine], list[OverdueUnit]]:
    """The recipient's own items, and the units of its subtree with theirs when the message goes through the line."""
    own = [lines[o.id] for o, unit in items if unit.id == recipient.id]
    below: dict[int, tuple[UnitRow, list[ObligationLine]]] = {}
    for o, unit in items:
        if unit.id != recipient.id:
            below.setdefault(unit.id, (unit, []))[1].append(lines[o.id])
    return own, [OverdueUnit(_display_name(u, session.get(UnitRow, u.parent_id) if u.parent_id else None), ls)
                 for u, ls in below.values()]


def signature_of(form: OrganisationForm, signer: Signer | None) -> Signature:
    """A signature block in the issuer's form. With no signer, a routine letter is signed by order (T/L) of the
    standing committee by the head of the office; K/T signs for the head (Bí thư) unless the body is named."""
    if signer is None:
        return Signature(title="CHÁNH VĂN PHÒNG", name="", form=form.family.form("T/L"), collective=form.collective())
    signed = signer.form or "T/L"
    body = signer.body or ("Bí thư" if signed == "K/T" else None)
    return Signature(title=signer.title.upper(), name=signer.name, form=form.family.form(signed),
                     collective=form.collective(body))


def _email_signature(session: Session, issuer: UnitRow, signer: Signer | None) -> Signature | None:
    """An e-mail is signed by the rung's signer when the plan names one, else by the sender's name (None)."""
    return signature_of(issuer_form(session, issuer), signer) if signer is not None else None


def _report_where(session: Session, row: OutboxRow, recipient: UnitRow, now: datetime) -> dict[str, str | None]:
    """Where the recipient hands in what it owes: its personal link when the public address is set (a new link
    per message, written in its own short transaction so the pass's read session stays read-only), else the
    office it reports to. An escalation goes to an office that follows up on the dashboard: no link."""
    where = contact_of(session, recipient)
    settings = get_settings()
    if row.template == "leo_thang" or not settings.public_url:
        return {"report_link": None, "report_where": where}
    has_children = session.scalar(select(UnitRow.id).where(UnitRow.parent_id == recipient.id).limit(1)) is not None
    with Session(session.get_bind()) as writer, writer.begin():
        token = create_link(writer, recipient, now=now, days=settings.report_link_days, subtree=has_children,
                            outbox_id=row.id)
    return {"report_link": link_url(settings.public_url, token), "report_where": where}


def _invitation(session: Session, row: OutboxRow, now: datetime) -> Composed:
    """An account's invitation with a new set-password link (made in its own short transaction, as report links
    are); cancelled when the account was locked or its password set meanwhile, or the public address is unset."""
    recipient = session.get_one(UnitRow, row.unit_id)
    account = session.get(AccountRow, row.context["account"])
    if account is None or not account.active:
        return Composed(None, recipient, cancelled="tài khoản đã bị khóa")
    if not awaiting_password(account.password_hash):
        return Composed(None, recipient, cancelled="tài khoản đã đặt mật khẩu")
    settings = get_settings()
    if not settings.public_url:
        return Composed(None, recipient, cancelled="chưa đặt địa chỉ công khai của trang (TRIENKHAI_PUBLIC_URL)")
    if not recipient.email:
        return Composed(None, recipient, no_address=True)
    with Session(session.get_bind()) as writer, writer.begin():
        token = create_password_link(writer, account.id, now=now, days=settings.password_link_days, outbox_id=row.id)
    scope = session.get_one(UnitRow, account.unit_id)
    sender = session.get(UnitRow, row.context.get("sender"))
    parent = session.get(UnitRow, recipient.parent_id) if recipient.parent_id else None
    context = InvitationContext(
        recipient=_display_name(recipient, parent), login=account.username,
        role=ROLE_LABELS.get(account.role, account.role), scope=scope.name,
        link=password_url(settings.public_url, token), expires_at=now + timedelta(days=settings.password_link_days),
        sender=sender.name if sender else scope.name, contact=contact_of(session, recipient))
    message = render_message(INVITATION, context)
    envelope = Envelope(to=[recipient.email], cc=[], subject=message.subject, text=message.text, html=message.html,
                        idempotency_key=row.key)
    return Composed(envelope, recipient)


def _display_name(unit: UnitRow, parent: UnitRow | None) -> str:
    """Cells are named "Chi bộ số 1" in every commune: say whose, so that a letter reaches the right one."""
    if parent is not None and unit.kind in ("chi_bo", "chi_doan", "ban"):
        return f"{unit.name}, {parent.name}"
    return unit.name


def _late_days(due: datetime | None, today: date, calendar: WorkingCalendar) -> int:
    if due is None:
        return 0
    due_day = to_local(due).date()
    return max(0, calendar.working_days_between(due_day, today)) if today > due_day else 0


def _letter(session: Session, directive: DirectiveRow, issuer: UnitRow, recipient: UnitRow, name: str,
            ref: DirectiveRef, own: list[ObligationLine], late_units: list[OverdueUnit], as_of: date,
            rung_signer: Signer | None = None) -> LetterContext:
    """A đôn đốc letter in the issuer's form, signed by the rung's signer, else the plan's office signer, else by
    order (T/L) by the head of its office; Nơi nhận by convention: Như trên, the issuer's standing body (để b/c)
    unless the standing committee signs itself (T/M),
    the department in charge (để theo dõi), the recipient's own superior when it is not the issuer (để chỉ đạo),
    the file copy of the issuer's office ("Lưu Văn phòng Tỉnh ủy")."""
    plan = plan_of(directive)
    data = plan.directive
    form = issuer_form(session, issuer)
    signer = rung_signer or data.office_signer
    signature = signature_of(form, signer)
    department = _department(session, directive)
    # Signed on behalf of the standing committee (T/M), the letter is its own: it reports to no one of its own.
    copies = [] if signer is not None and signer.form == "T/M" else [CopyRecipient(form.standing, "để b/c")]
    if department is not None:
        copies.append(CopyRecipient(department, "để theo dõi"))
    if recipient.parent_id is not None and recipient.parent_id != issuer.id:
        superior = session.get(UnitRow, recipient.parent_id)
        if superior is not None:
            copies.append(CopyRecipient(superior.name, "để chỉ đạo"))
    report_to = _report_to(session, directive)
    contact, event = data.contact, event_of(session, directive)
    dues = [d for d in (line.due for line in [*own, *(i for u in late_units for i in u.items)]) if d is not None]
    return LetterContext(
        issuer=Issuer(name=form.header_name, parent=form.header_above,
                      code=directive.number.rpartition("/")[2] or "TU"),
        place=data.place or "",
        issued_on=as_of,
        recipient=name,
        # The plan was issued by the standing committee, which is who the letter cites and speaks for.
        directive=replace(ref, issuer=form.standing_committee),
        overdue=own,
        signature=signature,
        copies=copies,
        filing=form.filing,
        requester=form.standing_committee,
        report_to=report_to,
        family=form.family,
        late_units=late_units,
        contact=ContactLine(contact.name, contact.title, contact.phone, contact.email) if contact else None,
        event=_event_line(event) if event else None,
        first_due=min((to_local(d).date() if isinstance(d, datetime) else d) for d in dues) if dues else None,
    )


def issuer_form(session: Session, unit: UnitRow) -> OrganisationForm:
    """The form of a unit as an issuer: its family, its header lines (with its hierarchy's top above it)."""
    root = session.get(UnitRow, int(unit.path[:9])) if unit.path else None
    committee = session.get(UnitRow, unit.parent_id) if unit.kind == "ban" and unit.parent_id else None
    return organisation_form(unit.name, unit.kind, root_name=root.name if root is not None else None,
                             committee=committee.name if committee else None,
                             committee_kind=committee.kind if committee else None)


def _department(session: Session, directive: DirectiveRow) -> str | None:
    code = collecting_office(plan_of(directive))
    return session.scalar(select(UnitRow.name).where(UnitRow.code == code)) if code else None


def _report_to(session: Session, directive: DirectiveRow) -> str | None:
    """Where results go, as the plan says it: "Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh ủy)"."""
    for o in plan_of(directive).obligations:
        via = session.scalar(select(UnitRow.name).where(UnitRow.code == o.route_via)) if o.route_via else None
        if o.report_to or via:
            # "(qua …)" only when the department that collects is not the addressee itself.
            through = via and o.report_to and via != o.report_to
            return f"{o.report_to or via}{f' (qua {via})' if through else ''}"
    return None


def _event_line(view: EventView) -> EventLine:
    """The event as a letter recalls it; its time as people write it ("14h00 ngày 27/6/2024")."""
    return EventLine(view.title, view.when, view.place, view.host, view.participants, view.sizes())
