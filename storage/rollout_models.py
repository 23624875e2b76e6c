"""Tables of rollouts: directives, phases, obligations per unit, submissions, events, pilot set, quotas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rollout.status import DirectiveState, OutboxStatus, PhaseState, Status
from storage.base import Base, state_type


class DirectiveRow(Base):
    """An issued directive and the plan it was issued from (kept whole, to refuse silent changes)."""

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    # plans.numbers.number_key of the number: "047-KH/TU" and "47-kh/tu" are one directive, issued once.
    number_key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    root_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    issued_at: Mapped[datetime]
    fingerprint: Mapped[str] = mapped_column(String(64))
    plan: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(state_type(DirectiveState, "state"), default=DirectiveState.ACTIVE)
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_by: Mapped[str | None] = mapped_column(String(100))
    state_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PhaseRow(Base):
    """A phase of a directive, its window, its gate and when it actually opened and closed."""

    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    gate_share: Mapped[float | None] = mapped_column(Float)
    gate_counts: Mapped[str | None] = mapped_column(String(64))
    gate_approval: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(state_type(PhaseState, "state"), default=PhaseState.PENDING)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("directive_id", "name"),)


class ObligationRow(Base):
    """What one unit owes for a directive: a plan, an activity, a report or a milestone, in one period.

    `period` is 0 for a one-off obligation and the occurrence number of a recurring one; the unique
    key (directive, key, unit, period) is what makes issuing and reconciling idempotent.
    """

    __tablename__ = "obligations"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    key: Mapped[str] = mapped_column(String(64))
    period: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str | None] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(state_type(Status, "status"), default=Status.PENDING)
    submitted_at: Mapped[datetime | None]
    escalation_step: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any] | None]
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("directive_id", "key", "unit_id", "period"),
        # The reconciler's scans, per directive, so that an advance seeks the rows that change instead of reading
        # a national directive's million: past due (status, due_at), a rung to climb (escalation_step after
        # due_at), a window that started (opens_at). They replace an index on (status, due_at) over all directives.
        Index("ix_obligations_directive_due", "directive_id", "status", "due_at", "escalation_step"),
        Index("ix_obligations_directive_opens", "directive_id", "status", "opens_at"),
        Index("ix_obligations_unit", "unit_id", "directive_id"),
    )


class SubmissionRow(Base):
    """A report or a waiver as it was submitted; obligations keep the latest, this keeps them all."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))  # submit | waive
    data: Mapped[dict[str, Any] | None]
    reason: Mapped[str | None] = mapped_column(Text)


class EventRow(Base):
    """Something the reconciler noticed (an obligation opened, is due soon, is overdue…), recorded once."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligations.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(index=True)
    dedup: Mapped[str] = mapped_column(String(120), unique=True)
    details: Mapped[dict[str, Any] | None]


class PilotRow(Base):
    """A unit chosen for the pilot, with the rule that chose it."""

    __tablename__ = "pilot_units"

    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    rule: Mapped[str] = mapped_column(Text)


class QuotaRow(Base):
    """A quota allocated to a unit (e.g. delegates), with the rule that set it."""

    __tablename__ = "quotas"

    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(Text)


class OutboxRow(Base):
    """A message to send, written in the same transaction as the change that causes it.

    `key` is the idempotency key (e.g. step:directive:unit:recipient:day), unique: writing a message whose key
    is stored already leaves the stored one (escalate.queue_messages). A dispatcher claims a
    row by setting `claimed_by` and `lease_until`; another dispatcher skips it until the lease expires, so
    two dispatchers never send one row twice, and a dead dispatcher's rows are taken up again.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    directive_id: Mapped[int | None] = mapped_column(ForeignKey("directives.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    template: Mapped[str] = mapped_column(String(64))
    recipients: Mapped[dict[str, Any]]  # {"to": [...], "cc": [...]}
    context: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(state_type(OutboxStatus, "status"), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(200))
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None]
    # The message as sent, written in the commit that marks the row sent (with its files in outbox_files):
    # what was sent stays readable and can be sent again unchanged after the plan, the templates or the
    # hierarchy change. None until the first send.
    subject: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class OutboxFileRow(Base):
    """A file attached to a sent message (the đôn đốc letter's .docx), kept byte for byte with its digest."""

    __tablename__ = "outbox_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"))
    seq: Mapped[int] = mapped_column(Integer)  # the order of the attachments in the message
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (UniqueConstraint("outbox_id", "seq"),)


class RollupCountRow(Base):
    """How many obligations of a directive lie strictly below a unit, per item, status and deadline.

    Kept by `rollout.summary` in the transaction of every change that moves a status or a deadline, so that a
    page reads a province's counts instead of scanning its subtree. Only units with something below them have
    rows; a unit's own obligations are read with it. `due_at` is NO_DUE (year 9999) where there is no deadline.
    """

    __tablename__ = "rollup_counts"

    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    due_at: Mapped[datetime] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RollupFigureRow(Base):
    """The consolidated figure of what lies strictly below a unit, per item, period and summed report field: the
    sum over its children of each child's own figure, or, where a child gave none, of what lies below the child
    (a report replaces the sum of its subtree, never both)."""

    __tablename__ = "rollup_figures"

    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    below: Mapped[float] = mapped_column(Float)
