"""The result of compiling a plan: frozen records the storage-backed engine files as directives and obligations.

Times are timezone-aware (Asia/Ho_Chi_Minh). Deadlines are per level (`due_by_level`), never per unit, and the
unit code tuples are shared, so a plan over 300,000 units stays small in memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, TypedDict

from hierarchy.model import Kind
from plans.quotas import QuotaAllocation
from plans.selection import PilotChoice

__all__ = [
    "CompiledPlan",
    "DirectiveSpec",
    "EventSpec",
    "FieldSpec",
    "GateSpec",
    "MilestoneSpec",
    "ObligationSpec",
    "ParentSpec",
    "PhaseSpec",
    "PlanSummary",
    "RecipientsSpec",
    "SignerSpec",
    "TargetUnit",
]


@dataclass(frozen=True, slots=True)
class SignerSpec:
    """A signature block: form (T/M, K/T, T/L), body signed for, title and name."""

    form: str | None
    body: str | None
    title: str
    name: str


@dataclass(frozen=True, slots=True)
class ParentSpec:
    """The directive this one implements (căn cứ / thực hiện)."""

    number: str
    issued_on: date | None
    issuer: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class RecipientsSpec:
    """Nơi nhận: `to` act on it, `bc` receive it for information upward."""

    to: tuple[str, ...]
    bc: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DirectiveSpec:
    """The directive as issued; `signer` is the first signature, a joint plan's others are `co_signers`."""

    number: str
    kind: str
    title: str
    issuer_code: str
    issued_at: datetime
    implements: tuple[ParentSpec, ...]
    recipients: RecipientsSpec
    signer: SignerSpec
    place: str | None
    co_signers: tuple[SignerSpec, ...] = ()
    co_issuer_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TargetUnit:
    """A unit the plan reaches and its level below the issuing unit."""

    code: str
    level: int  # depth below the issuing unit; 1 = its direct children


@dataclass(frozen=True, slots=True)
class GateSpec:
    """What must hold before a phase opens: a date, a share of a report received, a recorded approval."""

    after_date: datetime | None
    min_share_reported: float | None
    approval_required: bool
    counts_obligation: str | None


@dataclass(frozen=True, slots=True)
class PhaseSpec:
    """One phase (pilot, review, rollout, close) with its window and gate."""

    name: str
    label_vi: str
    opens: datetime | None
    due: datetime | None
    gate: GateSpec


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A structured report field; `sum` says whether it adds up (numbers) or concatenates (lists) per level."""

    name: str
    label: str
    type: Literal["int", "float", "text", "list"]
    sum: bool


@dataclass(frozen=True)
class ObligationSpec:
    """What units owe: one rule for all `unit_codes`, due per level (`due_by_level[level]`)."""

    key: str
    kind: Literal["plan", "activity", "report", "milestone"]
    title: str
    phase: str | None
    unit_codes: tuple[str, ...]
    due_by_level: dict[int, datetime]
    opens: datetime | None
    recurrence: str | None
    times_per_year: tuple[int, int] | None
    route_via: str | None
    fields: list[FieldSpec]
    in_monthly_meetings: bool = False
    peaks: tuple[str, ...] = ()
    report_to: str | None = None
    due_meaning: str | None = None  # the deadline expression's meaning, in Vietnamese
    until: date | None = None  # a recurring obligation has no period whose anchor falls after this day
    peak: str | None = None  # the occasion ("30/4") of an obligation made from a recurring one's `peaks`


@dataclass(frozen=True, slots=True)
class MilestoneSpec:
    """A dated task of one unit, possibly following another milestone (`after`)."""

    key: str
    title: str
    assignee_code: str
    due: datetime
    after: str | None = None


@dataclass(frozen=True, slots=True)
class EventSpec:
    """The event a plan organises, with its instant, place, host and expected delegates and awards."""

    title: str
    at: datetime
    place: str | None
    host_code: str | None
    delegates: int | None
    awards: tuple[tuple[str, int], ...]


class PlanSummary(TypedDict):
    """The counts `plan check` shows."""

    targets_by_level: dict[int, int]
    targets_by_kind: dict[str, int]
    obligations_by_kind: dict[str, int]
    pilot_units: int
    milestones: int
    quota_totals: dict[str, int]
    warnings: int


@dataclass(frozen=True)
class CompiledPlan:
    """Everything the engine needs to issue a plan and follow it up."""

    directive: DirectiveSpec
    root_code: str
    targets: list[TargetUnit]
    phases: list[PhaseSpec]
    pilot: list[PilotChoice]
    obligations: list[ObligationSpec]
    milestones: list[MilestoneSpec]
    quotas: list[QuotaAllocation]
    warnings: list[str]
    event: EventSpec | None = None
    root_codes: tuple[str, ...] = ()
    unit_kinds: dict[str, Kind] = field(default_factory=dict, repr=False)
    # Targets reached only because work is assigned to them by code (the end of `targets`), not by the filter.
    named_targets: tuple[str, ...] = ()

    def summary(self) -> PlanSummary:
        """Counts for `plan check`: target units per level and per kind, obligations per kind, pilot, quotas."""
        return {
            "targets_by_level": dict(sorted(Counter(t.level for t in self.targets).items())),
            "targets_by_kind": dict(sorted(Counter(self.unit_kinds[t.code].value for t in self.targets).items())),
            "obligations_by_kind": dict(sorted(Counter(o.kind for o in self.obligations).items())),
            "pilot_units": len(self.pilot),
            "milestones": len(self.milestones),
            "quota_totals": {q.name: q.total for q in self.quotas},
            "warnings": len(self.warnings),
        }

    def summary_lines(self) -> list[str]:
        """The summary as Vietnamese lines for a terminal."""
        s = self.summary()
        lines = [f"Văn bản {self.directive.number}: {len(self.targets)} đơn vị được triển khai"]
        lines += [f"  cấp {level}: {n} đơn vị" for level, n in s["targets_by_level"].items()]
        lines += [f"  {Kind(k).label}: {n}" for k, n in s["targets_by_kind"].items()]
        names = {
            "plan": "xây dựng kế hoạch", "activity": "hoạt động", "report": "báo cáo", "milestone": "mốc công việc"
        }
        lines += [f"Nghĩa vụ {names[k]}: {n}" for k, n in s["obligations_by_kind"].items()]
        lines.append(f"Đơn vị chỉ đạo điểm: {s['pilot_units']}")
        lines += [f"Chỉ tiêu {q.label or q.name}: tổng {q.total} {q.unit_label}" for q in self.quotas]
        lines += [f"Cảnh báo: {w}" for w in self.warnings]
        return lines
