"""Pydantic models of a plan file: one directive and how it rolls out down the hierarchy."""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hierarchy.model import Category, Kind
from plans.values import (
    Code,
    Count,
    Day,
    DeadlineText,
    DirectiveNumber,
    Email,
    Key,
    Label,
    Members,
    Name,
    Phone,
    Title,
    WorkingDays,
    between,
)

__all__ = [
    "DOCUMENT_KINDS",
    "PHASE_LABELS",
    "PHASE_ORDER",
    "Contact",
    "Directive",
    "Event",
    "FieldDef",
    "Gate",
    "HierarchyRef",
    "Milestone",
    "Obligation",
    "ParentDirective",
    "Phase",
    "PilotRule",
    "Plan",
    "QuotaDef",
    "QuotaRule",
    "Recipients",
    "Signer",
    "UnitFilter",
]

DocumentKind = Literal["NQ", "CT", "KL", "KH", "KHLT", "KHPH", "HD", "CV", "BC", "TB"]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)

PhaseName = Literal["pilot", "review", "rollout", "close"]
PHASE_ORDER: tuple[str, ...] = get_args(PhaseName)
PHASE_LABELS: dict[str, str] = {
    "pilot": "Chỉ đạo điểm",
    "review": "Đánh giá rút kinh nghiệm",
    "rollout": "Triển khai toàn Đảng bộ",
    "close": "Tổng kết",
}



class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParentDirective(_Model):
    """The directive this plan implements (căn cứ / thực hiện)."""

    number: DirectiveNumber = Field(min_length=1)
    date: Day | None = None
    issuer: Name | None = None
    title: Title | None = None


class Recipients(_Model):
    """Nơi nhận: `to` receive it to act, `bc` receive it for information upward (báo cáo)."""

    to: list[Name] = []
    bc: list[Name] = []


class Signer(_Model):
    """Signature block: form (T/M, K/T, T/L), the body signed for, the signer's title and name."""

    form: Literal["T/M", "K/T", "T/L"] | None = None
    body: Name | None = None
    title: Label = Field(min_length=1)
    name: Label = Field(min_length=1)


class Contact(_Model):
    """Whom a unit calls about the plan: a person of the office in charge, with a phone and/or an e-mail."""

    name: Label = Field(min_length=1)
    title: Label | None = None
    phone: Phone | None = None
    email: Email | None = None


class Directive(_Model):
    """The directive document itself."""

    number: DirectiveNumber = Field(min_length=3)
    kind: DocumentKind
    issuer: Code
    co_issuers: list[Code] = []
    issued_on: Day
    title: Title = Field(min_length=1)
    implements: list[ParentDirective] = []
    recipients: Recipients = Recipients()
    signers: list[Signer] = Field(min_length=1)
    place: Name | None = None
    # Routine letters (đôn đốc) are signed by order (T/L) by the head of the office; the weekly report by the
    # head of the department in charge. Absent, the title is printed and the name left for the office.
    office_signer: Signer | None = None
    report_signer: Signer | None = None
    contact: Contact | None = None

    @model_validator(mode="after")
    def _number_matches_kind(self) -> Directive:
        # "47-KH/TU" carries its type between the dash and the slash; a mismatch is a typing mistake.
        match = re.match(r"^\d+-([A-ZĐ]+)/", self.number)
        if match is None:
            raise ValueError(
                f"số hiệu “{self.number}” không đúng dạng <số>-<loại>/<cơ quan ban hành>, ví dụ “47-KH/TU”"
            )
        if match.group(1) != self.kind:
            raise ValueError(
                f"số hiệu “{self.number}” ghi loại văn bản {match.group(1)} nhưng trường kind là {self.kind}"
            )
        return self


class HierarchyRef(_Model):
    """The hierarchy a plan targets: a generator name or a hierarchy file (relative to the plan file)."""

    generator: Key | None = None
    file: Name | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> HierarchyRef:
        if (self.generator is None) == (self.file is None):
            raise ValueError("cần ghi đúng một trong hai: generator (tên hàm sinh) hoặc file (đường dẫn tệp)")
        return self


class UnitFilter(_Model):
    """Which units: by kind, category (loại hình), member count, level below the issuer, or explicit codes."""

    kinds: list[Kind] = []
    categories: list[Category] = []
    min_members: Members | None = None
    max_members: Members | None = None
    levels: list[Annotated[int, between(0, 20)]] = []
    codes: list[Code] = []
    exclude: list[Code] = []


class Targets(UnitFilter):
    """The units the plan addresses: every unit under the roots (default: the issuer) matching the filter."""

    roots: list[Code] = []


class Gate(_Model):
    """What must hold before a phase may open: a date, a share of reports received, a recorded approval."""

    after: DeadlineText | None = None
    share: float | None = Field(default=None, ge=0, le=1, allow_inf_nan=False)
    counts: Key | None = None  # key of the obligation whose reports count towards `share`
    approval: bool = False


class Phase(_Model):
    """One phase of the rollout with its window and gate."""

    name: PhaseName
    label: Label | None = None
    opens: DeadlineText | None = None
    due: DeadlineText | None = None
    gate: Gate = Gate()


class PilotRule(_Model):
    """Pilot choice: in each group unit (e.g. each district), `at_least` units of each category."""

    group_kinds: list[Kind] = Field(min_length=1)
    pick_kinds: list[Kind] = [Kind.CHI_BO, Kind.CHI_BO_CO_SO]
    # Empty: every category present in the group; listed: missing ones are reported as warnings.
    categories: list[Category] = []
    at_least: Annotated[int, between(1, 1000)] = 1
    order: Literal["code", "seeded"] = "code"
    seed: Annotated[int, between(0, 2**31 - 1)] = 0
    include: list[Code] = []


class FieldDef(_Model):
    """A structured field of a report; numbers add up, lists concatenate at each level, text is collected."""

    name: Key = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    label: Name = Field(min_length=1)
    type: Literal["int", "float", "text", "list"]
    sum: bool | None = None

    @model_validator(mode="after")
    def _text_does_not_add(self) -> FieldDef:
        if self.type == "text" and self.sum:
            raise ValueError("trường văn bản tự do (type: text) không cộng dồn được; bỏ “sum” hoặc đặt sum: false")
        return self


class Obligation(_Model):
    """What each selected unit owes: its own plan, an activity, a report."""

    key: Key = Field(min_length=1)
    kind: Literal["plan", "activity", "report"]
    title: Title = Field(min_length=1)
    phase: PhaseName | None = None
    units: UnitFilter = UnitFilter()
    due: DeadlineText | None = None
    within_working_days: Annotated[int, between(1, 250)] | None = None
    opens: DeadlineText | None = None
    lead_days: list[WorkingDays] | None = None
    times_per_year: tuple[Annotated[int, between(1, 366)], Annotated[int, between(1, 366)]] | None = None
    in_monthly_meetings: bool = False
    until: DeadlineText | None = None  # a recurring obligation has no period due after this ("tháng 9/2023")
    peaks: list[Label] = []  # occasions of intensified activity ("30/4", "19/5", "2/9"); see plans.peaks
    route_via: Key | None = None
    report_to: Name | None = None
    fields: list[FieldDef] = []

    @model_validator(mode="after")
    def _kind_needs(self) -> Obligation:
        if self.due is not None and self.within_working_days is not None:
            raise ValueError("chỉ ghi một trong hai: due (hạn) hoặc within_working_days (số ngày làm việc)")
        if self.kind == "report" and self.due is None and self.within_working_days is None:
            raise ValueError("báo cáo (kind: report) cần hạn: ghi due, ví dụ “trước ngày 30/6/2017”")
        if self.kind == "plan" and self.due is None and self.within_working_days is None:
            raise ValueError("xây dựng kế hoạch (kind: plan) cần within_working_days hoặc due")
        if self.times_per_year is not None and not 1 <= self.times_per_year[0] <= self.times_per_year[1]:
            raise ValueError("times_per_year phải là [ít nhất, nhiều nhất] với 1 ≤ ít nhất ≤ nhiều nhất")
        if self.fields and self.kind != "report":
            raise ValueError("chỉ báo cáo (kind: report) mới có fields")
        return self


class Milestone(_Model):
    """A dated task assigned to one unit (often a department), possibly after another milestone."""

    key: Key = Field(min_length=1)
    title: Title = Field(min_length=1)
    assignee: Code
    due: DeadlineText
    after: Key | None = None


class QuotaRule(_Model):
    """One quota rule; the most specific matching rule gives a unit its number (see plans.quotas)."""

    value: Count
    kinds: list[Kind] = []
    categories: list[Category] = []
    min_members: Members | None = None
    max_members: Members | None = None
    codes: list[Code] = []


class QuotaDef(_Model):
    """A quota (chỉ tiêu phân bổ), e.g. delegates per unit by kind and size."""

    name: Key = Field(min_length=1)
    label: Name = Field(min_length=1)
    unit_label: Label = "đại biểu"
    units: UnitFilter = UnitFilter()
    rules: list[QuotaRule] = Field(min_length=1)
    expected_total: Members | None = None


class Event(_Model):
    """The single event a plan organises (a forum, a conference)."""

    title: Title = Field(min_length=1)
    at: DeadlineText
    place: Name | None = None
    host: Code | None = None
    # Who attends, as the plan lists it ("Thường trực Tỉnh ủy", "Bí thư các Huyện đoàn").
    participants: list[Name] = []
    delegates: Count | None = None
    awards: dict[Key, Count] = {}


class EscalationStep(_Model):
    """A rung of the escalation ladder: working days from the deadline (negative: before), the action, who signs
    its letter or e-mail and, for a reminder or a đôn đốc letter, whether it goes through the line or direct."""

    offset: int = Field(ge=-60, le=120)
    action: Literal["remind", "chase", "escalate_superior", "escalate_issuer"]
    # Absent: the directive's office_signer, else "T/L Ban Thường vụ – Chánh Văn phòng" (letters); the
    # issuing body's name under an e-mail.
    signer: Signer | None = None
    # "line": the issuer writes to its direct child about the late units of its subtree (listed); "direct": to
    # each late unit. Absent: the plan's chase_channel for a đôn đốc letter, direct for a reminder.
    channel: Literal["line", "direct"] | None = None
    # The ladder of carriers for this rung's messages, tried in order: "zalo" (a ZNS message to the unit's mobile,
    # when a template is approved) and "email" (the unit's e-mail, or its webhook). Absent: Zalo first when it
    # applies, then e-mail.
    channels: list[Literal["zalo", "email"]] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _channels_once_each(self) -> EscalationStep:
        if self.channels is not None and len(set(self.channels)) != len(self.channels):
            raise ValueError(
                f"channels ghi một kênh hai lần ({', '.join(self.channels)}); mỗi kênh chỉ ghi một lần, "
                "ví dụ channels: [zalo, email]"
            )
        return self

    @model_validator(mode="after")
    def _channel_of_a_letter(self) -> EscalationStep:
        # An escalation always goes up, to the superior's office or to the issuer: it has no channel to choose.
        if self.channel is not None and self.action not in ("remind", "chase"):
            raise ValueError(
                f"bậc {self.action} luôn gửi lên cấp trên nên không có channel; channel chỉ dùng cho remind và chase"
            )
        return self


class Plan(_Model):
    """A plan file: the directive, its hierarchy and targets, phases, pilot, obligations, milestones, quotas."""

    directive: Directive
    # None: the plan is checked and issued against the units stored in the database only (a plan drafted in the
    # dashboard, where the stored hierarchy is the one the office works with).
    hierarchy: HierarchyRef | None = None
    targets: Targets = Targets()
    lead_days: list[WorkingDays] = [5]
    cascade_policy: Literal["clamp", "error"] = "clamp"
    phases: list[Phase] = []
    pilot: PilotRule | None = None
    event: Event | None = None
    obligations: list[Obligation] = []
    milestones: list[Milestone] = []
    quotas: list[QuotaDef] = []
    # Empty: the default ladder of rollout.ladder (remind −3, đôn đốc +1, superior +5, issuer +10).
    escalation: list[EscalationStep] = []
    # "line": the issuer's đôn đốc letter goes to its direct child, which answers for the late units of its
    # subtree (listed in the letter); "direct": to each late unit itself.
    chase_channel: Literal["line", "direct"] = "line"
