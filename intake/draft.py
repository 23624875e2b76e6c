"""Write what was read as a draft plan file: every value with its source line and quote as a YAML comment.

A value the document does not give is written as the placeholder GAP ("THIẾU") with a `# THIẾU:` comment
saying what to fill in; `plan check` refuses a plan that still holds one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hierarchy.naming import ascii_slug
from intake.body import read_body
from intake.header import read_header, read_recipients, read_signers
from intake.lead import read_lead
from intake.model import GAP, Deadline, Draft, Found, Line, QuotaRuleFound
from intake.text import IntakeError, read_document, relined
from schedules import WorkingCalendar

__all__ = ["draft_from_text", "draft_plan", "render_draft"]

# "… ban hành Kế hoạch … như sau:": a body saying it issues a plan is a directive even without its header.
_ISSUES = re.compile(r"(?i)\b(?:ban hành|xây dựng|triển khai)\s+(?:kế hoạch|chương trình|hướng dẫn|chỉ thị)\b"
                     r"[^.]{0,400}?\bnhư sau\s*:")
_SCHEMA_KINDS = ("NQ", "CT", "KL", "KH", "KHLT", "KHPH", "HD", "CV", "BC", "TB")


def draft_from_text(text: str, source: str = "văn bản") -> Draft:
    """Read a document's text into a Draft; IntakeError when it is not a directive at all (see _is_directive)."""
    text = relined(text)
    draft = Draft(source, [Line(i, t) for i, t in enumerate(text.split("\n"), 1)])
    start = read_header(draft)
    read_lead(draft)
    read_signers(draft)
    read_recipients(draft)
    read_body(draft, start, WorkingCalendar())
    if not _is_directive(draft, text):
        cited = "; ".join(f"{p.kind} số {p.number.value}"
                          + (f" ngày {p.date.value.day}/{p.date.value.month}/{p.date.value.year}" if p.date else "")
                          for p in draft.parents)
        hint = (f". Văn bản này chỉ nhắc tới: {cited}; hãy tải lên chính văn bản cần thực hiện" if cited else "")
        raise IntakeError(f"{source}: không phải một văn bản chỉ đạo (kế hoạch, hướng dẫn…): không thấy tên loại "
                          "văn bản ở đầu, số hiệu, ngày ban hành, Nơi nhận hay chữ ký; không viết bản nháp" + hint)
    return draft


def _is_directive(draft: Draft, text: str) -> bool:
    """A directive names itself: its kind line heads the text (only header lines above it), or two of the kind,
    number, date line, Nơi nhận, signature, cited directives and "ban hành kế hoạch … như sau:" are there, a number
    or date printed as a form left blank counting as the number or the date. Citations alone are an article about
    directives, not one."""
    if draft.kind is not None and draft.number is None and _heads(draft):
        return True
    signs = sum(x is not None and x != [] for x in (
        draft.kind, draft.number or draft.blanks.get("number"), draft.recipients or None, draft.signers or None,
        draft.issued_on or draft.blanks.get("issued_on"), draft.parents or None))
    return signs + (_ISSUES.search(text) is not None) >= 2


def _heads(draft: Draft) -> bool:
    """The kind line (read by read_header) is the text's first line, or only header lines stand above it."""
    assert draft.kind is not None
    return draft.kind.line == next((ln.number for ln in draft.lines if ln.text.strip()), 0) or (
        draft.kind.line <= 12 and (draft.issuer is not None or bool(draft.blanks)))


def draft_plan(path: Path) -> tuple[Draft, str]:
    """Read a .txt/.docx/.pdf document and return what was read and the draft plan YAML."""
    draft = draft_from_text(read_document(path), str(path))
    return draft, render_draft(draft)


def _q(value: object) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _src(found: Found) -> str:
    quote = found.quote if len(found.quote) <= 90 else found.quote[:87] + "…"
    confidence = f"{found.confidence:.2f}".replace(".", ",")
    return f"# dòng {found.line}: “{quote}” · tin cậy {confidence}"


def _gap(what: str) -> str:
    return f"{_q(GAP)}  # {GAP}: {what}"


def _value(found: Found | None, what: str) -> str:
    return _gap(what) if found is None else f"{_q(found.value)}  {_src(found)}"


def _blank(d: Draft, field: str) -> str:
    found = d.blanks.get(field)
    return "" if found is None else f" (dòng {found.line} để trống: “{found.quote}”)"


def render_draft(d: Draft, *, stored_hierarchy: bool = False) -> str:
    """The draft plan file in the plan language (see plans.schema), values commented with their source; with
    `stored_hierarchy` it names no hierarchy (it is checked and issued against the stored units)."""
    out: list[str] = [f"# Bản nháp đọc từ {d.source}. Đối chiếu từng giá trị với văn bản gốc;",
                      f"# điền mọi chỗ ghi {GAP} rồi chạy `trienkhai plan check`."]
    for flag in d.flags:
        out.append(f"# CẦN KIỂM TRA (dòng {flag.line}): {flag.message}")
    out.append("directive:")
    out.append(f"  number: {_value(d.number, 'số hiệu, ví dụ 47-KH/TU' + _blank(d, 'number'))}")
    kind = d.kind
    if kind is not None and kind.value not in _SCHEMA_KINDS:
        out.append(f"  kind: {_gap(f'loại văn bản “{kind.quote}” ({kind.value}) chưa có trong ngôn ngữ kế hoạch')}")
    else:
        out.append(f"  kind: {_value(kind, 'loại văn bản: KH, KHPH, KHLT, HD, CT…')}")
    body = d.issuer.value if d.issuer else (d.signers[0].body.value if d.signers and d.signers[0].body else None)
    named = f" (văn bản ghi: {body})" if body else ""
    out.append(f"  issuer: {_gap('mã đơn vị ban hành trong hệ thống tổ chức' + named)}")
    if d.issuer:
        out.append(f"  # cơ quan ban hành: {d.issuer.value} {_src(d.issuer)}")
    if d.parent_body:
        out.append(f"  # cơ quan cấp trên: {d.parent_body.value} {_src(d.parent_body)}")
    issued = None if d.issued_on is None else Found(d.issued_on.value.isoformat(), d.issued_on.line,
                                                      d.issued_on.quote, d.issued_on.confidence)
    out.append(f"  issued_on: {_value(issued, 'ngày ban hành, ví dụ 2017-03-22' + _blank(d, 'issued_on'))}")
    out.append(f"  title: {_value(d.title, 'trích yếu')}")
    if d.place:
        out.append(f"  place: {_value(d.place, '')}")
    if d.parents:
        out.append("  implements:")
        for p in d.parents:
            out.append(f"    - number: {_value(p.number, '')}  # {p.kind}")
            if p.date:
                out.append(f"      date: {p.date.value.isoformat()}  {_src(p.date)}")
            if p.issuer:
                out.append(f"      issuer: {_value(p.issuer, '')}")
            if p.title:
                out.append(f"      title: {_value(p.title, '')}")
    _recipients(d, out)
    _signers(d, out)
    if stored_hierarchy:
        out += ["", "# Hệ thống tổ chức: các đơn vị đã lưu trong cơ sở dữ liệu."]
    else:
        out += ["", "hierarchy:", f"  generator: {_gap('hệ thống tổ chức: generator (tên hàm sinh) hoặc file')}"]
    _rollout(d, out)
    return "\n".join(out) + "\n"


def _recipients(d: Draft, out: list[str]) -> None:
    if not d.recipients:
        out.append("  # Không thấy Nơi nhận trong văn bản.")
        return
    out.append("  recipients:")
    for label, bc in (("bc", True), ("to", False)):
        group = [r for r in d.recipients if r.bc == bc]
        if group:
            out.append(f"    {label}:")
            for r in group:
                why = "" if not bc or r.marked else " · suy ra: cơ quan cấp trên, văn bản không ghi “b/c”"
                out.append(f"      - {_q(r.name.value)}  {_src(r.name)}{why}")


def _signers(d: Draft, out: list[str]) -> None:
    if not d.signers:
        out += ["  signers:", "    - form: null", f"      title: {_gap('chức vụ người ký')}",
                f"      name: {_gap('họ tên người ký')}"]
        return
    out.append("  signers:")
    for s in d.signers:
        out.append(f"    - form: {_value(s.form, '')}")
        if s.body:
            out.append(f"      body: {_value(s.body, '')}")
        out.append(f"      title: {_value(s.title, 'chức vụ người ký')}")
        out.append(f"      name: {_value(s.name, 'họ tên người ký')}")


def _due(dl: Deadline) -> str:
    """A deadline's value and source; when the grammar needed a word the document left out, what it wrote."""
    added = f" · văn bản viết “{dl.written}”" if dl.written else ""
    return f"{_value(dl.phrase, '')}{added}"


def _slug(text: str, used: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", text))[:30] or "viec"
    key, n = base, 2
    while key in used:
        key, n = f"{base}-{n}", n + 1
    used.add(key)
    return key


def _rollout(d: Draft, out: list[str]) -> None:
    phases = {}
    for dl in d.deadlines:
        if dl.role.startswith("phase:") and dl.role[6:] not in phases:
            phases[dl.role[6:]] = dl
    if phases:
        out.append("\nphases:")
        for name in ("pilot", "review", "rollout", "close"):
            if name in phases:
                dl = phases[name]
                opens = re.match(r"(?i)^(bắt đầu |trong thời gian )?từ\b", dl.phrase.value) is not None
                out += [f"  - name: {name}", f"    {'opens' if opens else 'due'}: {_due(dl)}"]
    if d.pilot_group_kinds is not None:
        kinds, at_least = d.pilot_group_kinds.value
        out += ["\npilot:", f"  group_kinds: [{', '.join(kinds)}]  {_src(d.pilot_group_kinds)}",
                "  pick_kinds: [chi_bo, chi_bo_co_so]", f"  at_least: {at_least}"]
    event = next((dl for dl in d.deadlines if dl.role == "event"), None)
    if event is not None:
        title = d.title.value if d.title else GAP
        title = re.sub(r"^(?i:tổ chức)\s+", "", title)
        out += ["\nevent:", f"  title: {_q(title[:1].upper() + title[1:])}  # theo trích yếu",
                f"  at: {_due(event)}"]
        if d.event_place:
            out.append(f"  place: {_value(d.event_place, '')}")
        if d.participants:
            out.append("  participants:")
            out += [f"    - {_value(p, '')}" for p in d.participants]
        if d.delegates:
            out.append(f"  delegates: {_value(d.delegates, '')}")
        if d.awards:
            out.append("  awards:")
            for key, found in d.awards.items():
                out.append(f"    {key}: {_value(found, '')}")
    elif d.participants or d.delegates:
        out.append("\n# Thành phần tham dự (văn bản không ghi thời gian một sự kiện chung):")
        out += [f"#   dòng {p.line}: {p.value}" for p in d.participants]
        if d.delegates:
            out.append(f"#   dòng {d.delegates.line}: {d.delegates.value} đại biểu")
    used: set[str] = set()
    obligations = [dl for dl in d.deadlines if dl.role == "obligation"]
    if obligations:
        out.append("\nobligations:")
    for dl in obligations:
        title = re.sub(r"\s+", " ", dl.sentence.replace(dl.as_written, "")).strip(" ,;.:/")
        title = re.sub(r"^(?:\d+(?:\.\d+)*\.|[-–])\s*", "", title)
        title = title[:1].upper() + title[1:120]
        key = _slug({"report": "bao cao", "plan": "ke hoach", "activity": "hoat dong"}[dl.kind], used)
        out += [f"  - key: {key}", f"    kind: {dl.kind}", f"    title: {_q(title or GAP)}",
                f"    # câu gốc (dòng {dl.phrase.line}): “{dl.sentence[:200]}”"]
        if dl.owners:
            out.append(f"    units: {{kinds: [{', '.join(dl.owners)}]}}  # văn bản ghi: {'; '.join(dl.owner_words)}")
        else:
            out += ["    units:",
                    f"      kinds: [{_q(GAP)}]  # {GAP}: những đơn vị phải thực hiện: văn bản không ghi rõ"]
        out.append(f"    due: {_due(dl)}")
    milestones = [dl for dl in d.deadlines if dl.role == "milestone"]
    if milestones:
        out.append("\nmilestones:")
        for dl in milestones:
            out += [f"  - key: {_slug('moc', used)}", f"    title: {_q(dl.sentence[:120])}",
                    f"    assignee: {_gap('mã đơn vị được giao')}", f"    due: {_due(dl)}"]
    _quotas(d, out)
    if d.tasks:
        out.append("\n# Việc được giao nhưng văn bản không ghi hạn (không thành nghĩa vụ):")
        for task in d.tasks:
            out.append(f"#   dòng {task.line}: {task.value[:160]}")


def quota_groups(rules: list[QuotaRuleFound]) -> list[list[QuotaRuleFound]]:
    """Rules counting the same people (đại biểu, đồng chí…) on nearby lines (at most 6 apart) are one quota."""
    groups: list[list[QuotaRuleFound]] = []
    for rule in rules:
        last = groups[-1][-1] if groups else None
        if last is not None and last.what == rule.what and rule.value.line - last.value.line <= 6:
            groups[-1].append(rule)
        else:
            groups.append([rule])
    return groups


def _quotas(d: Draft, out: list[str]) -> None:
    groups = quota_groups(d.quota_rules)
    if not groups:
        return
    out.append("\nquotas:")
    used: set[str] = set()
    for group in groups:
        what = group[0].what
        out += [f"  - name: {_slug(ascii_slug(what, '-').lower(), used)}",
                f"    label: {_q(f'Số {what} mỗi đơn vị cử')}", f"    unit_label: {_q(what)}"]
        out.append("    rules:")
        for rule in group:
            out.append(f"      - value: {rule.value.value}  {_src(rule.value)}")
            if rule.kinds:
                out.append(f"        kinds: [{', '.join(rule.kinds)}]  # văn bản ghi: {'; '.join(rule.kind_words)}")
            else:  # a rule without kinds would give every unit of the hierarchy its number
                out.append(f"        kinds: [{_q(GAP)}]  # {GAP}: loại đơn vị nhận số này: văn bản không ghi rõ")
            if rule.min_members is not None:
                out.append(f"        min_members: {rule.min_members}")
            if rule.max_members is not None:
                out.append(f"        max_members: {rule.max_members}")
