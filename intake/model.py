"""What the drafter read from a document: values with their source line, quoted text and confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["GAP", "Draft", "Found", "Parent", "Deadline", "Recipient", "SignerFound", "Flag", "Line", "QuotaRuleFound"]

# The placeholder a draft writes where the document says nothing; `plan check` refuses it by name.
GAP = "THIẾU"


@dataclass(frozen=True)
class Line:
    """One line of the source text: its 1-based number and its text."""

    number: int
    text: str


@dataclass(frozen=True)
class Found:
    """A value read from the document: where (line), what it said (quote), how sure (0..1)."""

    value: Any
    line: int
    quote: str
    confidence: float


@dataclass(frozen=True)
class Parent:
    """A directive cited by "Căn cứ" / "Thực hiện": its number, date and issuer as written."""

    number: Found
    kind: str
    date: Found | None
    issuer: Found | None
    title: Found | None


@dataclass(frozen=True)
class Deadline:
    """A deadline phrase read by the plan grammar, the sentence it came from and who owes it."""

    phrase: Found
    sentence: str
    owners: list[str]  # unit kinds of hierarchy.model.Kind
    owner_words: list[str]  # the words that named them
    kind: str  # "report", "plan", "activity"
    recurring: bool
    role: str  # "obligation", "phase:<name>", "event", "milestone"
    written: str = ""  # the phrase as the document writes it, when the grammar reads it with a word added

    @property
    def as_written(self) -> str:
        """The deadline phrase exactly as the document has it."""
        return self.written or self.phrase.value


@dataclass(frozen=True)
class Recipient:
    """A line of Nơi nhận; `bc` when it receives for information upward (báo cáo), `marked` when the text says so."""

    name: Found
    bc: bool
    marked: bool


@dataclass(frozen=True)
class SignerFound:
    """A signature block: form (T/M, K/T, T/L), body signed for, title, name."""

    form: Found | None
    body: Found | None
    title: Found | None
    name: Found | None


@dataclass(frozen=True)
class QuotaRuleFound:
    """A quota rule: `value` people (`what`: đại biểu, đồng chí…) per unit of `kinds`, within member bounds
    (inclusive; None when the document sets none)."""

    value: Found
    kinds: list[str]  # unit kinds of hierarchy.model.Kind
    kind_words: list[str]  # the words that named them
    min_members: int | None
    max_members: int | None
    what: str


@dataclass(frozen=True)
class Flag:
    """Something in the document that disagrees with itself (a weekday, a year): shown to the clerk."""

    line: int
    message: str


@dataclass
class Draft:
    """Everything read from one document; None is a gap the clerk fills."""

    source: str
    lines: list[Line]
    number: Found | None = None
    kind: Found | None = None
    issuer: Found | None = None
    parent_body: Found | None = None
    place: Found | None = None
    issued_on: Found | None = None
    title: Found | None = None
    parents: list[Parent] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    signers: list[SignerFound] = field(default_factory=list)
    event_place: Found | None = None
    delegates: Found | None = None
    participants: list[Found] = field(default_factory=list)  # one per line of the "Thành phần" section
    quota_rules: list[QuotaRuleFound] = field(default_factory=list)
    awards: dict[str, Found] = field(default_factory=dict)
    pilot_group_kinds: Found | None = None
    tasks: list[Found] = field(default_factory=list)  # assignments without a date ("Giao Ban …")
    flags: list[Flag] = field(default_factory=list)
    # Parts of the header printed as a form and left blank ("Số: KH/TĐ", "ngày   tháng 8 năm 2007"), by field.
    blanks: dict[str, Found] = field(default_factory=dict)

    @property
    def issued_day(self) -> date | None:
        """The document's date, when read."""
        return self.issued_on.value if self.issued_on is not None else None
