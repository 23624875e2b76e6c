"""The review page of a drafted document: its lines with every extracted value marked where it was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from intake.model import Draft, Found

__all__ = ["Piece", "SourceLine", "Value", "extracted_values", "source_lines"]

_ROLES = {"obligation": "Hạn phải thực hiện", "event": "Thời gian tổ chức", "milestone": "Mốc được giao"}
_PHASES = {"pilot": "Giai đoạn chỉ đạo điểm", "review": "Giai đoạn sơ kết", "rollout": "Giai đoạn triển khai",
           "close": "Giai đoạn tổng kết"}


@dataclass(frozen=True)
class Value:
    """One extracted value as the page lists it: what it is, what was read, where (1-based line)."""

    ref: int  # the mark in the source this value links to
    label: str
    text: str
    line: int
    confidence: float


@dataclass(frozen=True)
class Piece:
    """A run of a source line: plain text, or the quote a value was read from (`ref` set)."""

    text: str
    ref: int | None = None
    label: str = ""


@dataclass(frozen=True)
class SourceLine:
    """A numbered line of the source, cut into pieces around the quotes read from it."""

    number: int
    pieces: list[Piece]
    refs: list[int]  # every value read from this line, also those whose quote is not verbatim in it


def _shown(value: object) -> str:
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, tuple):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _found(d: Draft) -> list[tuple[str, Found]]:
    out: list[tuple[str, Found | None]] = [
        ("Số hiệu", d.number), ("Loại văn bản", d.kind), ("Cơ quan ban hành", d.issuer),
        ("Cơ quan cấp trên", d.parent_body), ("Địa danh", d.place), ("Ngày ban hành", d.issued_on),
        ("Trích yếu", d.title),
    ]
    for p in d.parents:
        out += [(f"Căn cứ ({p.kind})", p.number), ("Ngày của văn bản căn cứ", p.date),
                ("Cơ quan ban hành văn bản căn cứ", p.issuer)]
    for dl in d.deadlines:
        label = _PHASES.get(dl.role[6:], "Giai đoạn") if dl.role.startswith("phase:") else _ROLES.get(dl.role, "Hạn")
        out.append((label + (f" ({', '.join(dl.owner_words)})" if dl.owner_words else ""), dl.phrase))
    out += [("Địa điểm", d.event_place), ("Số đại biểu", d.delegates)]
    out += [("Thành phần tham dự", p) for p in d.participants]
    for rule in d.quota_rules:
        who = ", ".join(rule.kind_words) or "đơn vị chưa rõ loại"
        out.append((f"Số {rule.what} mỗi đơn vị ({who})", rule.value))
    out += [(f"Khen thưởng: {key}", found) for key, found in d.awards.items()]
    out += [("Nơi nhận để báo cáo" if r.bc else "Nơi nhận", r.name) for r in d.recipients]
    for s in d.signers:
        out += [("Hình thức ký", s.form), ("Chức vụ người ký", s.title), ("Người ký", s.name)]
    return [(label, found) for label, found in out if found is not None]


def extracted_values(d: Draft) -> list[Value]:
    """Every value the drafter read, in document order, each numbered for its mark in the source."""
    found = sorted(_found(d), key=lambda item: item[1].line)
    return [Value(i, label, _shown(f.value), f.line, f.confidence) for i, (label, f) in enumerate(found, 1)]


def source_lines(d: Draft, values: list[Value]) -> list[SourceLine]:
    """The document's lines; on each, the quote of every value read from it is a piece of its own (the first
    place it occurs; a quote already covered by another value's piece stays inside that one)."""
    found = sorted(_found(d), key=lambda item: item[1].line)
    quotes = {v.ref: f.quote for v, (_, f) in zip(values, found, strict=True)}
    by_line: dict[int, list[Value]] = {}
    for v in values:
        by_line.setdefault(v.line, []).append(v)
    lines = []
    for line in d.lines:
        spans: list[tuple[int, int, Value]] = []
        for v in by_line.get(line.number, []):
            quote = quotes[v.ref].strip()
            at = line.text.find(quote) if quote else -1
            if at < 0 or any(s < at + len(quote) and at < e for s, e, _ in spans):
                continue
            spans.append((at, at + len(quote), v))
        pieces, cursor = [], 0
        for start, end, v in sorted(spans, key=lambda s: s[0]):
            if start > cursor:
                pieces.append(Piece(line.text[cursor:start]))
            pieces.append(Piece(line.text[start:end], v.ref, v.label))
            cursor = end
        if cursor < len(line.text) or not pieces:
            pieces.append(Piece(line.text[cursor:]))
        lines.append(SourceLine(line.number, pieces, [v.ref for v in by_line.get(line.number, [])]))
    return lines
