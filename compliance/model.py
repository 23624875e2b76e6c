"""What a compliance report says, as plain data: counts, districts, overdue units, trends and phase windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from rollout.status import share_on_time

__all__ = [
    "ComplianceReport", "Counts", "DistrictLine", "LevelTotals", "OverdueUnit", "PhaseWindow", "UnitLine",
]


@dataclass(frozen=True)
class Counts:
    """Obligations counted by status."""

    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0
    open: int = 0
    pending: int = 0
    waived: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.overdue + self.open + self.pending + self.waived

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def share_on_time(self) -> float | None:
        """On time ÷ (done + overdue), the engine's rule; None while nothing is due."""
        return share_on_time({"done_on_time": self.done_on_time, "done_late": self.done_late, "overdue": self.overdue})

    @property
    def completion(self) -> float | None:
        """Done ÷ obligations already opened (waived and not-yet-open excluded); None before anything opens."""
        opened = self.done + self.overdue + self.open
        return None if opened == 0 else self.done / opened


@dataclass(frozen=True)
class LevelTotals:
    """All units of one level (1 = district/commune, below the issuer) added up."""

    level: int
    units: int
    counts: Counts


@dataclass(frozen=True)
class DistrictLine:
    """A level-1 unit with its whole subtree, this week and the previous snapshot."""

    code: str
    name: str
    units: int
    counts: Counts
    previous: Counts | None

    @property
    def share_change(self) -> float | None:
        """Change of the share on time since the previous snapshot, in fractions (0.1 = 10 points)."""
        now, before = self.counts.share_on_time, self.previous.share_on_time if self.previous else None
        return None if now is None or before is None else now - before

    @property
    def done_change(self) -> int | None:
        return None if self.previous is None else self.counts.done - self.previous.done

    @property
    def overdue_change(self) -> int | None:
        return None if self.previous is None else self.counts.overdue - self.previous.overdue


@dataclass(frozen=True)
class OverdueUnit:
    """A unit with overdue obligations: how many, since when, how far the chasing has gone."""

    level: int
    code: str
    name: str
    district: str | None
    parent: str | None
    overdue: int
    escalation_step: int
    overdue_since: date
    days_overdue: int  # working days from the earliest missed deadline to the snapshot

    @property
    def belongs_to(self) -> str:
        """Where the unit sits, as a reader needs it to tell "Chi bộ số 1" apart: its parent and its district."""
        if self.parent and self.district and self.parent != self.district:
            return f"{self.parent} ({self.district})"
        return self.parent or self.district or ""


@dataclass(frozen=True)
class UnitLine:
    """One unit's own obligations (not its subtree) in the snapshot."""

    level: int
    code: str
    name: str
    district: str | None
    counts: Counts
    escalation_step: int


@dataclass(frozen=True)
class PhaseWindow:
    """When a phase ran (actual dates when known, else planned); `end` None = still running."""

    name: str
    label: str
    start: date
    end: date | None


@dataclass
class ComplianceReport:
    """The consolidated report of one directive for one week."""

    number: str
    title: str
    issued_on: date
    issuer_name: str
    department_name: str | None
    place: str
    week: date
    as_of: datetime
    previous_week: date | None
    totals: Counts
    levels: list[LevelTotals]
    districts: list[DistrictLine]
    overdue: list[OverdueUnit]
    units: list[UnitLine]
    series: dict[str, list[tuple[date, float | None]]] = field(default_factory=dict)
    phases: list[PhaseWindow] = field(default_factory=list)
    # The issuer's form (see notifications.forms): "dang" or "doan", its header lines and the words of its family.
    family: str = "dang"
    kind_name: str = "Kế hoạch"  # how a sentence names the directive: "Kế hoạch số …", "Công văn số …"
    header_above: str | None = None
    header_name: str = ""
    standing: str = ""
    standing_committee: str = ""
    lower_units: str = "các đơn vị trực thuộc"
    # Figures units reported, summed over the whole organisation: (report title, [(field label, total)]).
    field_totals: list[tuple[str, list[tuple[str, float]]]] = field(default_factory=list)
    # The signature block: form and collective ("T/L BAN THƯỜNG VỤ" or ""), title, name; and the plan's b/c list.
    signer_form: str = ""
    signer_title: str = ""
    signer_name: str = ""
    report_to_above: list[str] = field(default_factory=list)

    def overdue_by_level(self) -> dict[int, list[OverdueUnit]]:
        """Overdue units grouped by level, top level first."""
        grouped: dict[int, list[OverdueUnit]] = {}
        for unit in self.overdue:
            grouped.setdefault(unit.level, []).append(unit)
        return dict(sorted(grouped.items()))

    def units_by_level(self) -> dict[int, list[UnitLine]]:
        """Units grouped by level, top level first."""
        grouped: dict[int, list[UnitLine]] = {}
        for unit in self.units:
            grouped.setdefault(unit.level, []).append(unit)
        return dict(sorted(grouped.items()))
