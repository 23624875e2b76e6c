"""The plan file: load and validate a YAML plan, fingerprint it, and list what changed between two versions.

Every mistake in a file is reported at once as a `PlanError` whose problems name the file, the line and the
field (e.g. "phases[1].gate.share") and say in Vietnamese what would be valid. Besides the schema, a plan is
checked for: deadline expressions that `schedules.parse_deadline` cannot read, phases referenced by obligations
but not declared, phases out of order, duplicate keys/names, gates and milestones referring to unknown keys.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from errors import PlanError, Problem
from hierarchy.model import Unit
from plans.gaps import gap_problems
from plans.schema import PHASE_ORDER, Plan
from plans.source import LineMap, dotted, load_yaml_with_lines, read_plan_bytes, translate_errors
from plans.values import read_day

__all__ = ["Plan", "load_plan", "plan_diff", "plan_fingerprint", "plan_problems", "plan_units"]


def load_plan(source: str | FsPath, *, name: str | None = None) -> Plan:
    """Read a plan from a path or from YAML text; raise PlanError listing every problem with line and field."""
    text, origin = _read(source, name)
    plan, problems = _parse(text, origin)
    if problems:
        raise PlanError(problems, title=f"Kế hoạch {origin or ''} không hợp lệ".replace("  ", " "))
    assert plan is not None
    return plan


def plan_units(plan: Plan, base_dir: str | FsPath) -> list[Unit]:
    """The hierarchy a plan targets: its generator's output, or its file read relative to `base_dir`."""
    ref = plan.hierarchy
    if ref is None:
        raise PlanError([Problem(f"đơn vị ban hành “{plan.directive.issuer}” chưa có trong cơ sở dữ liệu và kế hoạch "
                                 "không ghi hệ thống tổ chức; hãy nhập hệ thống tổ chức trước hoặc ghi hierarchy: "
                                 "generator (tên hàm sinh) hoặc file (đường dẫn tệp)", field="hierarchy")])
    if ref.generator is not None:
        from hierarchy import generate

        factory = generate.GENERATORS.get(ref.generator.removeprefix("generate_"))
        if factory is None:
            valid = ", ".join(sorted(generate.GENERATORS))
            raise PlanError([Problem(f"không có hàm sinh hệ thống tổ chức “{ref.generator}”; giá trị hợp lệ: {valid}",
                                     field="hierarchy.generator")])
        return list(factory())
    from hierarchy.files import read_units

    return list(read_units(FsPath(base_dir) / str(ref.file))[0])


def plan_problems(source: str | FsPath, *, name: str | None = None) -> list[Problem]:
    """Every problem of a plan file, without raising (for `plan check`)."""
    text, origin = _read(source, name)
    return _parse(text, origin)[1]


def _read(source: str | FsPath, name: str | None) -> tuple[str, str | None]:
    # A str containing a newline or a YAML mapping start is text; anything else is a path.
    if isinstance(source, FsPath) or ("\n" not in source and FsPath(source).suffix in {".yaml", ".yml"}):
        path = FsPath(source)
        try:
            raw = read_plan_bytes(path)
        except OSError as exc:
            raise PlanError([Problem(f"không đọc được tệp kế hoạch ({exc.strerror})", source=str(path))]) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise PlanError(
                [Problem(f"tệp không phải UTF-8 (byte thứ {exc.start}); lưu lại tệp với mã hóa UTF-8",
                         source=str(path), line=line)]
            ) from exc
        return unicodedata.normalize("NFC", text), name or str(path)
    return unicodedata.normalize("NFC", source), name


def _parse(text: str, origin: str | None) -> tuple[Plan | None, list[Problem]]:
    data, lines, problems = load_yaml_with_lines(text, origin)
    if data is None:
        return None, problems
    if not isinstance(data, dict):
        return None, [*problems, Problem("tệp kế hoạch phải là một mục có các trường directive, hierarchy, …",
                                         source=origin, line=1)]
    plan = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems += translate_errors(exc, lines, origin)
    problems += _cross_checks(data, lines, origin)
    gaps = gap_problems(data, lines, origin)
    if gaps:
        # A gap also breaks the schema there ("THIẾU" is no date); the gap is the one thing to say about it.
        fields = {p.field for p in gaps}
        problems = [p for p in problems if p.field not in fields and not any(
            (p.field or "").startswith(f"{f}.") or (p.field or "").startswith(f"{f}[") for f in fields)] + gaps
    problems.sort(key=lambda p: (p.line or 0, p.field or ""))
    return (plan if not problems else None), problems


def _items(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _cross_checks(data: dict[str, Any], lines: LineMap, origin: str | None) -> list[Problem]:
    """Checks that span several parts of the plan; they read the raw data so they run even if the schema fails."""
    problems: list[Problem] = []

    def add(message: str, path: tuple[str | int, ...]) -> None:
        problems.append(Problem(message, source=origin, line=lines.line(path), field=dotted(path)))

    for section, id_field in (("phases", "name"), ("obligations", "key"), ("milestones", "key"), ("quotas", "name")):
        seen: dict[str, int] = {}
        for index, item in _items(data, section):
            value = item.get(id_field)
            if not isinstance(value, str):
                continue
            if value in seen:
                add(f"“{value}” đã dùng ở {section}[{seen[value]}] (dòng {lines.line((section, seen[value]))}); "
                    f"mỗi {id_field} phải khác nhau", (section, index, id_field))
            else:
                seen[value] = index

    declared = [item.get("name") for _, item in _items(data, "phases")]
    ranks = [PHASE_ORDER.index(n) for n in declared if n in PHASE_ORDER]
    if ranks != sorted(ranks):
        add("các giai đoạn phải theo thứ tự pilot → review → rollout → close (có thể bỏ bớt)", ("phases",))
    valid_phases = ", ".join(n for n in declared if isinstance(n, str)) or "(kế hoạch chưa khai báo giai đoạn nào)"
    for index, item in _items(data, "obligations"):
        phase = item.get("phase")
        if phase is not None and phase not in declared:
            add(f"giai đoạn “{phase}” không có trong mục phases; giá trị hợp lệ: {valid_phases}",
                ("obligations", index, "phase"))
        if item.get("route_via") is not None and item.get("kind") != "report":
            add("chỉ báo cáo (kind: report) mới có route_via", ("obligations", index, "route_via"))
    obligation_keys = {item.get("key") for _, item in _items(data, "obligations")}
    for index, item in _items(data, "phases"):
        gate = item.get("gate")
        if isinstance(gate, dict) and gate.get("counts") is not None and gate["counts"] not in obligation_keys:
            valid = ", ".join(sorted(k for k in obligation_keys if isinstance(k, str)))
            add(f"gate.counts “{gate['counts']}” không phải key của nghĩa vụ nào; giá trị hợp lệ: {valid}",
                ("phases", index, "gate", "counts"))
        if isinstance(gate, dict) and gate.get("share") is not None and gate.get("counts") is None:
            add("gate.share cần gate.counts: key của báo cáo được tính tỉ lệ", ("phases", index, "gate", "share"))
    milestone_keys = {item.get("key") for _, item in _items(data, "milestones")}
    for index, item in _items(data, "milestones"):
        if item.get("after") is not None and item["after"] not in milestone_keys:
            add(f"mốc “{item['after']}” không có trong mục milestones", ("milestones", index, "after"))
    problems += _deadline_checks(data, lines, origin)
    return problems


def _deadline_fields(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    for index, item in _items(data, "phases"):
        for key in ("opens", "due"):
            yield ("phases", index, key), item.get(key)
        gate = item.get("gate")
        if isinstance(gate, dict):
            yield ("phases", index, "gate", "after"), gate.get("after")
    for index, item in _items(data, "obligations"):
        for key in ("opens", "due", "until"):
            yield ("obligations", index, key), item.get(key)
    for index, item in _items(data, "milestones"):
        yield ("milestones", index, "due"), item.get("due")
    event = data.get("event")
    if isinstance(event, dict):
        yield ("event", "at"), event.get("at")


def _issued_on(data: dict[str, Any]) -> date | None:
    directive = data.get("directive")
    if not isinstance(directive, dict):
        return None

    try:
        value = read_day(directive.get("issued_on"))
    except ValueError:
        return None
    return value if isinstance(value, date) else None


def _deadline_checks(data: dict[str, Any], lines: LineMap, origin: str | None) -> list[Problem]:
    """Each deadline expression must be one schedules.parse_deadline reads."""
    from errors import DeadlineError
    from schedules.expressions import parse_deadline

    issued_on = _issued_on(data)
    problems = []
    # Relative forms ("5 ngày làm việc trước hạn của cấp trên") count back from the event, when there is one.
    upper = None
    event = data.get("event")
    if isinstance(event, dict) and isinstance(event.get("at"), str):
        try:
            found = parse_deadline(event["at"], issued_on=issued_on)
            upper = found.due or found.opens
        except DeadlineError:
            pass  # reported below with its line
    for path, text in _deadline_fields(data):
        if text is None or isinstance(text, date):
            continue
        if not isinstance(text, str):
            continue  # the schema check already says it must be text
        try:
            parse_deadline(text, issued_on=issued_on, upper_deadline=upper, event=upper)
        except DeadlineError as exc:
            for problem in exc.problems:
                problems.append(Problem(problem.message,
                                        source=origin, line=lines.line(path), field=dotted(path)))
    return problems


def _normalised(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", " ".join(value.split()))
    if isinstance(value, dict):
        return {k: _normalised(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_normalised(v) for v in value]
    return value


def plan_fingerprint(plan: Plan) -> str:
    """SHA-256 of the plan's normalised content: defaults filled in, keys sorted, whitespace collapsed, NFC.

    Comments, key order, quoting and layout do not change it; any change of meaning does.
    """
    content = _normalised(plan.model_dump(mode="json"))
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _shown(value: Any) -> str:
    if value is _ABSENT:
        return "(không có)"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


_ABSENT = object()


def plan_diff(old: dict[str, Any] | Plan, new: dict[str, Any] | Plan) -> list[str]:
    """What changed between two versions of a plan, one Vietnamese line per changed field (path: old → new)."""
    old_d = old.model_dump(mode="json") if isinstance(old, Plan) else old
    new_d = new.model_dump(mode="json") if isinstance(new, Plan) else new
    out: list[str] = []
    _diff(_normalised(old_d), _normalised(new_d), (), out)
    return out


def _diff(old: Any, new: Any, path: tuple[Any, ...], out: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _diff(old.get(key, _ABSENT), new.get(key, _ABSENT), (*path, key), out)
        return
    if isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            _diff(old[index] if index < len(old) else _ABSENT, new[index] if index < len(new) else _ABSENT,
                  (*path, index), out)
        return
    if old != new:
        where = dotted(path) or "(toàn bộ)"
        if old is _ABSENT:
            out.append(f"{where}: thêm {_shown(new)}")
        elif new is _ABSENT:
            out.append(f"{where}: bỏ {_shown(old)}")
        else:
            out.append(f"{where}: {_shown(old)} → {_shown(new)}")
