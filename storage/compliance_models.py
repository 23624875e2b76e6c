"""Weekly compliance snapshots: one row per (week, directive, unit) with the unit's obligations counted by status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class ComplianceSnapshotRow(Base):
    """Where one unit stood on a directive in one week; kept for good so that trends can be drawn.

    `week` is the local Monday of the run: re-running in the same week replaces that week's rows.
    `overdue_since` is the earliest deadline among the unit's overdue obligations, so that days overdue
    can be told from the snapshot alone, long after the obligations have moved on.
    """

    __tablename__ = "compliance_snapshots"

    week: Mapped[date] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directives.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime]
    done_on_time: Mapped[int] = mapped_column(Integer)
    done_late: Mapped[int] = mapped_column(Integer)
    overdue: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)
    pending: Mapped[int] = mapped_column(Integer)
    waived: Mapped[int] = mapped_column(Integer)
    escalation_step: Mapped[int] = mapped_column(Integer)
    overdue_since: Mapped[datetime | None]

    # Trends read every week of one directive.
    __table_args__ = (Index("ix_compliance_snapshots_directive_week", "directive_id", "week"),)
