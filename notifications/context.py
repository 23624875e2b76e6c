"""What each notification template expects: callers build one of these and pass it to `render_message`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from notifications.forms import PARTY, Family

__all__ = [
    "ContactLine",
    "CopyRecipient",
    "DeploymentContext",
    "DirectiveRef",
    "EventLine",
    "EscalationContext",
    "InvitationContext",
    "Issuer",
    "LetterContext",
    "ObligationLine",
    "OverdueUnit",
    "ReminderContext",
    "Signature",
    "as_mapping",
]


@dataclass(frozen=True)
class DirectiveRef:
    """A directive as a letter cites it: “Kế hoạch số 47-KH/TU, ngày 22/3/2017 của Ban Thường vụ Tỉnh ủy”."""

    number: str
    title: str
    issued_on: date
    issuer: str
    kind_name: str = "Kế hoạch"


@dataclass(frozen=True)
class ObligationLine:
    """One thing a unit owes: what, by when (a day or an instant), and how late it is if overdue."""

    description: str
    due: date | datetime | None  # None when the plan gave the item no deadline
    directive: DirectiveRef | None = None
    # Where the result goes ("Ban Thường vụ Tỉnh ủy (qua Ban Tuyên giáo Tỉnh ủy)"); None when not routed.
    report_to: str | None = None
    days_overdue: int = 0


@dataclass(frozen=True)
class Issuer:
    """The body that signs: its name, the committee it belongs to (for a department) and its number suffix."""

    name: str
    parent: str | None = None
    # Suffix of document numbers after the type, e.g. "TU" in "125-CV/TU".
    code: str = "TU"


@dataclass(frozen=True)
class CopyRecipient:
    """A line under “Nơi nhận:”; purpose is “để b/c” for a superior, “để biết” or “để thực hiện” otherwise."""

    name: str
    purpose: str = ""


@dataclass(frozen=True)
class ContactLine:
    """Whom to call about the letter: "đồng chí Lê Văn B, Chuyên viên Văn phòng Tỉnh ủy, điện thoại 0233 385 2345"."""

    name: str
    title: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def text(self) -> str:
        """The contact as one phrase, each part present only when known."""
        parts = [f"đồng chí {self.name}", self.title or ""]
        parts += [f"điện thoại {self.phone}" if self.phone else "", f"thư điện tử {self.email}" if self.email else ""]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class EventLine:
    """The event the plan organises, as a letter recalls it: what, when (as written for people), where, who
    hosts and attends, how many delegates and awards."""

    title: str
    at: str
    place: str | None = None
    host: str | None = None
    participants: tuple[str, ...] = ()
    sizes: str | None = None


@dataclass(frozen=True)
class Signature:
    """The signature block: form and collective (“T/M BAN THƯỜNG VỤ”), the signer's title and name."""

    title: str
    name: str
    form: str = "T/M"
    collective: str = "BAN THƯỜNG VỤ"


@dataclass(frozen=True)
class DeploymentContext:
    """`thong_bao_trien_khai`: a new directive reaches a unit, with what the unit owes and by when."""

    recipient: str
    directive: DirectiveRef
    obligations: list[ObligationLine]
    sender: str
    link: str | None = None
    event: EventLine | None = None
    # The allocation of each quota to the recipient and the units under it ("Số đại biểu dự Đại hội: 5 đại biểu").
    quotas: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReminderContext:
    """`nhac_han`: items due soon for one recipient; several items make one digest message."""

    recipient: str
    items: list[ObligationLine]
    sender: str
    as_of: date
    link: str | None = None
    # The plan's event, when an item reminded of is due on or before it (it prepares the event).
    event: EventLine | None = None
    # Units of the recipient's subtree with items due soon, when the reminder goes through the line.
    units: list[OverdueUnit] = field(default_factory=list)
    # The rung's signer; None signs with the sender's name.
    signature: Signature | None = None


@dataclass(frozen=True)
class OverdueUnit:
    """One late unit in an escalation: its overdue items and how many reminders it already ignored."""

    name: str
    items: list[ObligationLine]
    reminders_sent: int = 0
    last_reminder_on: date | None = None


@dataclass(frozen=True)
class LetterContext:
    """`cong_van_don_doc`: the formal chasing letter to a unit that is late on one directive."""

    issuer: Issuer
    place: str
    issued_on: date
    recipient: str
    directive: DirectiveRef
    overdue: list[ObligationLine]
    signature: Signature
    # Left blank for the office to fill in when the letter is registered ("Số     -CV/TU").
    number: str | None = None
    # The superior that receives a copy (“để b/c”) and others (“để biết”), after the unit itself.
    copies: list[CopyRecipient] = field(default_factory=list)
    filing: str = "Lưu VP"
    # A new date by which the result is asked for; None asks for it “as soon as possible”.
    new_due: date | None = None
    # Who speaks in the body (“Ban Thường vụ Tỉnh ủy”) and where the result goes; both default to the issuer.
    requester: str | None = None
    report_to: str | None = None
    # The family of the issuer (Party or Đoàn): national line, star, number label, words.
    family: Family = PARTY
    # Late units of the recipient's subtree when the letter goes through the line (listed after the body).
    late_units: list[OverdueUnit] = field(default_factory=list)
    contact: ContactLine | None = None
    event: EventLine | None = None
    link: str | None = None
    # The earliest deadline the letter is about, for a subject that tells letters apart.
    first_due: date | None = None
    # The number as printed after “Số”: blank before the serial so the office can write it in by hand.
    number_text: str = field(init=False)

    def __post_init__(self) -> None:
        label = self.family.number_label
        number = self.number or f"      -CV/{self.issuer.code}"
        object.__setattr__(self, "number_text", f"{label} {number}")


@dataclass(frozen=True)
class InvitationContext:
    """`moi_tai_khoan`: a unit is invited to report online; its login and the link to set its password once."""

    recipient: str
    login: str
    role: str  # the role's Vietnamese name
    scope: str  # the unit whose subtree the account sees
    link: str
    expires_at: datetime
    sender: str
    contact: str


@dataclass(frozen=True)
class EscalationContext:
    """`leo_thang`: tells the standing (or issuing) office which units stay overdue on a directive."""

    recipient: str
    directive: DirectiveRef
    units: list[OverdueUnit]
    sender: str
    as_of: date
    link: str | None = None
    # The rung's signer; None signs with the sender's name.
    signature: Signature | None = None


def as_mapping(context: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    """A context dataclass becomes its top-level fields (nested objects stay objects); a mapping passes as is."""
    if isinstance(context, Mapping):
        return context
    if is_dataclass(context) and not isinstance(context, type):
        return {f.name: getattr(context, f.name) for f in fields(context)}
    raise TypeError(f"context must be a mapping or a dataclass instance, not {type(context).__name__}")
