"""Days off and worked days decided by the State, as dated official data with the document behind each day.

Rules:
- `schedules/data/vn_calendar.yaml` lists, year by year, each day off and each worked day (a make-up Saturday,
  or a weekday the `holidays` package wrongly counts off), each naming a document of `sources` (number, date,
  issuer). A day listed there wins over `holidays`.
- A province's own file (setting `calendar_file`) has the same form and wins over the national file, day by
  day; its documents may cite the national ones by key.
- A file that cannot be read gives one Vietnamese line naming the file, the entry and a valid example.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from errors import ConfigError
from schedules.render import format_day

__all__ = ["NATIONAL_FILE", "Decision", "Source", "national_decisions", "read_decisions"]

NATIONAL_FILE = Path(__file__).with_name("data") / "vn_calendar.yaml"
KINDS = ("day_off", "working_day")
_DAY_EXAMPLE = ("{day: 2025-02-08, kind: working_day, name: Làm bù cho ngày nghỉ thứ Hai 27/1/2025, "
                "source: vpcp-8726-2024}")
_SOURCE_EXAMPLE = ("vpcp-8726-2024: {kind: Văn bản, number: 8726/VPCP-KGVX, date: 2024-11-26, "
                   "issuer: Văn phòng Chính phủ, title: Nghỉ Tết Âm lịch năm 2025}")


@dataclass(frozen=True)
class Source:
    """The document that decided a day: its number, date, issuer and what it is about."""

    key: str
    number: str
    issued_on: date
    issuer: str
    title: str
    kind: str = "Văn bản"  # as the document calls itself: Bộ luật, Thông báo, Văn bản (công văn)

    def cite(self) -> str:
        """“Văn bản số 8726/VPCP-KGVX ngày 26/11/2024 của Văn phòng Chính phủ”."""
        return f"{self.kind} số {self.number} ngày {format_day(self.issued_on)} của {self.issuer}"


@dataclass(frozen=True)
class Decision:
    """One day as decided: a day off or a working day, its name, its document, and whether it is still in doubt."""

    day: date
    off: bool
    name: str
    source: Source
    uncertain: bool = False
    note: str | None = None
    file: str = ""


class _Loader(yaml.SafeLoader):
    """YAML with dates kept as written, so that an impossible one (2025-02-30) is reported with its entry."""


def _as_written(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)


def _fail(path: Path, where: str, what: str, example: str) -> ConfigError:
    return ConfigError(f"Lịch làm việc: tệp {path}, {where}: {what}; ví dụ: {example}")


def _text(path: Path, where: str, entry: Mapping[str, Any], key: str, example: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"thiếu “{key}” (một dòng chữ)", example)
    return value.strip()


def _day(path: Path, where: str, value: object, example: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(path, where, f"“{value}” không phải là ngày năm-tháng-ngày", example) from None


def _sources(path: Path, data: object, known: Mapping[str, Source]) -> dict[str, Source]:
    if data is None:
        return dict(known)
    if not isinstance(data, dict):
        raise _fail(path, "mục sources", "phải là danh sách văn bản theo khóa", _SOURCE_EXAMPLE)
    out = dict(known)
    for key, entry in data.items():
        where = f"văn bản “{key}” trong mục sources"
        if not isinstance(entry, dict):
            raise _fail(path, where, "phải có number, date, issuer, title", _SOURCE_EXAMPLE)
        out[str(key)] = Source(str(key), _text(path, where, entry, "number", _SOURCE_EXAMPLE),
                               _day(path, where, entry.get("date"), _SOURCE_EXAMPLE),
                               _text(path, where, entry, "issuer", _SOURCE_EXAMPLE),
                               _text(path, where, entry, "title", _SOURCE_EXAMPLE),
                               str(entry.get("kind") or "Văn bản"))
    return out


def _decision(path: Path, year: int, n: int, entry: object, sources: Mapping[str, Source]) -> Decision:
    where = f"năm {year}, mục thứ {n}"
    if not isinstance(entry, dict):
        raise _fail(path, where, "mỗi ngày là một mục có day, kind, name, source", _DAY_EXAMPLE)
    day = _day(path, where, entry.get("day"), _DAY_EXAMPLE)
    where = f"năm {year}, ngày {entry.get('day')}"
    if day.year != year:
        raise _fail(path, where, f"ngày {format_day(day)} không thuộc năm {year}", _DAY_EXAMPLE)
    kind = entry.get("kind")
    if kind not in KINDS:
        raise _fail(path, where, f"kind “{kind}” không hợp lệ, ghi day_off (ngày nghỉ) hoặc working_day (ngày làm "
                                 "việc)", _DAY_EXAMPLE)
    source = _text(path, where, entry, "source", _DAY_EXAMPLE)
    if source not in sources:
        known = ", ".join(sorted(sources)) or "chưa có văn bản nào"
        raise _fail(path, where, f"văn bản “{source}” không có trong mục sources (có: {known})", _DAY_EXAMPLE)
    uncertain = entry.get("uncertain", False)
    if not isinstance(uncertain, bool):
        raise _fail(path, where, f"uncertain “{uncertain}” phải là true hoặc false", _DAY_EXAMPLE)
    unknown = sorted(set(entry) - {"day", "kind", "name", "source", "uncertain", "note"})
    if unknown:
        raise _fail(path, where, f"khóa không dùng được: {', '.join(map(str, unknown))}", _DAY_EXAMPLE)
    note = entry.get("note")
    return Decision(day, kind == "day_off", _text(path, where, entry, "name", _DAY_EXAMPLE), sources[source],
                    uncertain, str(note) if note else None, path.name)


def read_decisions(path: Path, known: Mapping[str, Source] | None = None) -> tuple[dict[date, Decision],
                                                                                  dict[str, Source]]:
    """The days a calendar file decides, by date, and its documents (`known` ones may be cited by key)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506  (a safe loader)
    except OSError as exc:
        raise ConfigError(f"Lịch làm việc: không đọc được tệp {path} ({exc.strerror}); hãy kiểm tra thiết lập "
                          "calendar_file, ví dụ calendar_file = \"/etc/trienkhai/lich-quang-tri.yaml\"") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"dòng {mark.line + 1}" if mark is not None else "nội dung"
        raise _fail(path, line, "không phải YAML hợp lệ", _DAY_EXAMPLE) from None
    if not isinstance(data, dict) or not isinstance(data.get("days"), dict):
        raise _fail(path, "mục days", "thiếu danh sách ngày theo từng năm", f"days: {{2025: [{_DAY_EXAMPLE}]}}")
    sources = _sources(path, data.get("sources"), known or {})
    out: dict[date, Decision] = {}
    for year, entries in data["days"].items():
        if not isinstance(year, int) or not isinstance(entries, list):
            raise _fail(path, f"năm “{year}”", "mỗi năm là một số và một danh sách ngày",
                        f"2025: [{_DAY_EXAMPLE}]")
        for n, entry in enumerate(entries, start=1):
            decision = _decision(path, year, n, entry, sources)
            if decision.day in out:
                raise _fail(path, f"năm {year}, ngày {decision.day.isoformat()}", "ngày này được ghi hai lần",
                            _DAY_EXAMPLE)
            out[decision.day] = decision
    return out, sources


@lru_cache(maxsize=1)
def _national() -> tuple[dict[date, Decision], dict[str, Source]]:
    return read_decisions(NATIONAL_FILE)


def national_decisions() -> tuple[Mapping[date, Decision], Mapping[str, Source]]:
    """The national file's days and documents, read once per process."""
    return _national()


@lru_cache(maxsize=16)
def province_decisions(path: Path) -> Mapping[date, Decision]:
    """The national days with a province's own file on top, day by day (read once per file and process)."""
    national, sources = _national()
    own, _ = read_decisions(path, sources)
    return {**national, **own}
