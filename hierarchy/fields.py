"""Reading one unit's values as people type them in a spreadsheet: kinds and categories by code or label, dates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import formats
from errors import Problem
from hierarchy.limits import (
    MAX_LINE_CHARS,
    MAX_MEMBERS,
    day_problem,
    email_problem,
    read_integer,
    shown,
    text_problem,
)
from hierarchy.model import CATEGORY_LABELS, KIND_LABELS, Category, Contacts, Kind, Unit
from hierarchy.naming import ascii_slug

# Spreadsheet columns in file order, with the Unit attribute each fills.
COLUMNS: dict[str, str] = {
    "ma": "code",
    "ten": "name",
    "loai": "kind",
    "ma_cap_tren": "parent_code",
    "loai_hinh": "category",
    "so_dang_vien": "member_count",
    "email": "email",
    "dien_thoai": "phone",
    "webhook": "webhook",
    "bao_cao_qua": "route_via",
    "dang_uy_lanh_dao": "led_by",
    "hieu_luc_tu": "valid_from",
    "hieu_luc_den": "valid_to",
}
# The same columns under English keys (accepted in YAML and CSV headers).
ENGLISH: dict[str, str] = {
    "code": "ma",
    "name": "ten",
    "kind": "loai",
    "parent": "ma_cap_tren",
    "category": "loai_hinh",
    "members": "so_dang_vien",
    "email": "email",
    "phone": "dien_thoai",
    "webhook": "webhook",
    "route_via": "bao_cao_qua",
    "led_by": "dang_uy_lanh_dao",
    "valid_from": "hieu_luc_tu",
    "valid_to": "hieu_luc_den",
}
REQUIRED = ("ma", "ten", "loai")
# The longest text each column may hold: the size of its database column (codes 64, names 300 …). Numbers and
# dates are not cut by length: reading them says what would be valid.
MAX_CHARS: dict[str, int] = {
    "ma": 64, "ten": 300, "loai": 64, "ma_cap_tren": 64, "loai_hinh": 64, "so_dang_vien": MAX_LINE_CHARS,
    "email": 200, "dien_thoai": 50, "webhook": 500, "bao_cao_qua": 64, "dang_uy_lanh_dao": 64,
    "hieu_luc_tu": MAX_LINE_CHARS, "hieu_luc_den": MAX_LINE_CHARS,
}


@cache
def _key(text: str) -> str:
    # Few distinct kind/category spellings occur in a file; caching keeps 300,000 rows fast.
    return ascii_slug(text)


# Kinds and categories match by code or label, ignoring case, spaces, punctuation and diacritics,
# so "chi_bo", "Chi bộ" and "chi bo" are one kind; a few everyday names are accepted as well.
_KINDS: dict[str, Kind] = {_key(k.value): k for k in Kind} | {_key(label): k for k, label in KIND_LABELS.items()}
_KINDS |= {
    _key(alias): kind
    for alias, kind in (
        ("Đảng ủy xã", Kind.DANG_UY_XA), ("Đảng ủy phường", Kind.DANG_UY_XA), ("Đảng ủy đặc khu", Kind.DANG_UY_XA),
        ("Đảng ủy khối", Kind.DANG_UY_TRUC_THUOC), ("Thị ủy", Kind.HUYEN_UY), ("Thành đoàn", Kind.TINH_DOAN),
        ("Quận đoàn", Kind.HUYEN_DOAN), ("Thị đoàn", Kind.HUYEN_DOAN), ("Quận ủy", Kind.HUYEN_UY),
    )
}
_CATEGORIES: dict[str, Category] = {_key(c.value): c for c in Category} | {
    _key(label): c for c, label in CATEGORY_LABELS.items()
} | {_key("phường/thị trấn"): Category.PHUONG_THI_TRAN, _key("sự nghiệp"): Category.SU_NGHIEP}

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass
class Row:
    """One unit as written: raw text per column (None when empty), the line of the row and of each value."""

    line: int
    values: dict[str, str | None]
    value_lines: dict[str, int]
    parent_from_nesting: str | None = None


def _choices(labels: Mapping[Kind, str] | Mapping[Category, str]) -> str:
    return ", ".join(f"“{code}” ({label})" for code, label in labels.items())


def parse_row(row: Row, source: str | None, shown_as: Mapping[str, str]) -> tuple[Unit | None, list[Problem]]:
    """The unit a row describes (None without a code or a kind) and every problem of the row.

    Text is stored NFC; a value with a control, invisible or bidi character, or longer than its column, is refused.
    """
    problems: list[Problem] = []
    normalize = unicodedata.normalize
    values = {col: (normalize("NFC", v).strip() or None) if v else None for col, v in row.values.items()}

    def problem(col: str, message: str) -> None:
        problems.append(Problem(message, source=source, line=row.value_lines.get(col, row.line), field=shown_as[col]))

    bad: set[str] = set()
    for col, value in values.items():
        if value is None:
            continue
        trouble = email_problem(value) if col == "email" else text_problem(value, max_chars=MAX_CHARS[col])
        if trouble is not None:
            problem(col, f"Giá trị {shown(value)} {trouble}.")
            bad.add(col)

    code = values.get("ma")
    name = values.get("ten")
    if code is None:
        problem("ma", "Thiếu mã đơn vị; mỗi đơn vị cần một mã riêng, ví dụ “TU-QT”.")
    if name is None:
        problem("ten", "Thiếu tên đơn vị; hãy ghi tên đầy đủ, ví dụ “Chi bộ thôn 1”.")

    kind = None
    raw_kind = values.get("loai")
    if raw_kind is None:
        problem("loai", f"Thiếu loại đơn vị; các loại hợp lệ: {_choices(KIND_LABELS)}.")
    elif "loai" not in bad:
        kind = _KINDS.get(_key(raw_kind))
        if kind is None:
            problem("loai", f"Loại {shown(raw_kind)} không có; các loại hợp lệ: {_choices(KIND_LABELS)}.")

    category = None
    if (raw := values.get("loai_hinh")) is not None and "loai_hinh" not in bad:
        category = _CATEGORIES.get(_key(raw))
        if category is None:
            problem("loai_hinh", f"Loại hình {shown(raw)} không có; các loại hình hợp lệ: {_choices(CATEGORY_LABELS)}.")

    members = 0
    if (raw := values.get("so_dang_vien")) is not None and "so_dang_vien" not in bad:
        count = read_integer(raw)
        if count is not None and 0 <= count <= MAX_MEMBERS:
            members = count
        else:
            problem("so_dang_vien", f"Số đảng viên {shown(raw)} không hợp lệ; hãy ghi một số nguyên từ 0 đến "
                                    f"{formats.number(MAX_MEMBERS)}, ví dụ 25 hoặc 1.234.")

    days: dict[str, date | None] = {}
    for col in ("hieu_luc_tu", "hieu_luc_den"):
        raw = values.get(col)
        days[col] = None if raw is None or col in bad else parse_day(raw)
        if raw is None or col in bad:
            continue
        day = days[col]
        if day is None:
            problem(col, f"Ngày {shown(raw)} không đọc được; hãy ghi theo dạng 2025-07-01 hoặc 1/7/2025.")
        elif (trouble := day_problem(day)) is not None:
            problem(col, f"Ngày {shown(raw)} {trouble}.")
            days[col] = None

    parent = values.get("ma_cap_tren")
    if row.parent_from_nesting is not None:
        if parent is not None and parent != row.parent_from_nesting:
            problem("ma_cap_tren", f"Mã cấp trên {shown(parent)} khác đơn vị chứa nó “{row.parent_from_nesting}” "
                                   "(mục children); hãy bỏ mã cấp trên hoặc ghi đúng mã đó.")
        parent = row.parent_from_nesting

    if code is None or kind is None:
        return None, problems
    # A row with a bad field still takes part in the graph checks (its parent, its kind under the parent),
    # so that one pass reports every mistake; the file is refused anyway when any problem was found.
    contacts = Contacts(email=values.get("email"), phone=values.get("dien_thoai"), webhook=values.get("webhook"))
    return Unit(code=code, name=name or code, kind=kind, parent_code=parent, category=category, member_count=members,
                contacts=contacts, route_via=values.get("bao_cao_qua"), led_by=values.get("dang_uy_lanh_dao"),
                valid_from=days["hieu_luc_tu"], valid_to=days["hieu_luc_den"]), problems


@lru_cache(maxsize=4096)
def parse_day(text: str) -> date | None:
    """A date written as ISO (2025-07-01) or day/month/year (1/7/2025); None when it is neither or impossible."""
    text = text.strip()
    if m := _ISO.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _DMY.match(text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def unit_values(unit: Unit) -> dict[str, str | int | None]:
    """The column values of `unit` as a file stores them (dates ISO, kinds and categories by code)."""
    return {
        "ma": unit.code,
        "ten": unit.name,
        "loai": unit.kind.value,
        "ma_cap_tren": unit.parent_code,
        "loai_hinh": unit.category.value if unit.category else None,
        "so_dang_vien": unit.member_count,
        "email": unit.contacts.email,
        "dien_thoai": unit.contacts.phone,
        "webhook": unit.contacts.webhook,
        "bao_cao_qua": unit.route_via,
        "dang_uy_lanh_dao": unit.led_by,
        "hieu_luc_tu": unit.valid_from.isoformat() if unit.valid_from else None,
        "hieu_luc_den": unit.valid_to.isoformat() if unit.valid_to else None,
    }
