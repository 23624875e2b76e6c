"""Tables of the state of record. Instants are UTC (UTCDateTime); codes are the stable keys people use."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, PathString


class UnitRow(Base):
    """A unit of the hierarchy.

    Subtrees are answered with a materialised path: `path` is the chain of ids from the root, each
    zero-padded to 9 digits and followed by '.', so a subtree is the index range
    [path, path[:-1] + '/') — a B-tree range scan on both SQLite and PostgreSQL, with no recursive
    query and no graph in memory. Paths are rewritten only when a unit moves, which is rare.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    path: Mapped[str] = mapped_column(PathString, unique=True)
    depth: Mapped[int] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(32))
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    webhook: Mapped[str | None] = mapped_column(String(500))
    route_via: Mapped[str | None] = mapped_column(String(64))
    led_by: Mapped[str | None] = mapped_column(String(64))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]

    # Children of a unit (list pages, roll-ups, letters) by index rather than a scan of the whole hierarchy.
    __table_args__ = (Index("ix_units_kind_path", "kind", "path"), Index("ix_units_parent", "parent_id"))


class HierarchyChange(Base):
    """One applied difference of a hierarchy import: which unit, what happened, which fields."""

    __tablename__ = "hierarchy_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime]
    code: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # added | changed | closed
    changes: Mapped[dict[str, Any]]


class AuditEntry(Base):
    """Append-only log of every change: who, when, what, why. Triggers refuse UPDATE, DELETE, REPLACE and
    TRUNCATE; `chain_hash` chains each row to the one before it (storage/audit.py writes every row)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    chain_hash: Mapped[str] = mapped_column(String(64))

# Importing this module registers every table (and re-exports the rows of the other model modules).
from storage.compliance_models import ComplianceSnapshotRow  # noqa: E402,F401
from storage.intake_models import IdempotentRequestRow, ReportLinkRow, SubmissionDocumentRow  # noqa: E402,F401
from storage.rollout_models import (  # noqa: E402,F401
    DirectiveRow,
    EventRow,
    ObligationRow,
    OutboxFileRow,
    OutboxRow,
    PhaseRow,
    PilotRow,
    QuotaRow,
    SubmissionRow,
)
from storage.service_models import ServiceRunRow, StoredFileRow  # noqa: E402,F401
from storage.web_models import AccountRow, LoginAttemptRow, PasswordLinkRow, SessionRow  # noqa: E402,F401
