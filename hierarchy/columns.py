"""Column headers of a unit list as offices write them: Vietnamese labels, code names and English keys."""

from __future__ import annotations

from functools import cache

from hierarchy.fields import COLUMNS, ENGLISH
from hierarchy.naming import ascii_slug

__all__ = ["HEADERS", "IGNORED", "column_for", "valid_headers"]

# The header each column is exported under; an office's own workbook uses these words.
HEADERS: dict[str, str] = {
    "ma": "Mã đơn vị",
    "ten": "Tên đơn vị",
    "loai": "Loại",
    "ma_cap_tren": "Mã cấp trên",
    "loai_hinh": "Loại hình",
    "so_dang_vien": "Số đảng viên",
    "email": "Email",
    "dien_thoai": "Điện thoại",
    "webhook": "Webhook",
    "bao_cao_qua": "Báo cáo qua",
    "dang_uy_lanh_dao": "Đảng ủy lãnh đạo",
    "hieu_luc_tu": "Hiệu lực từ",
    "hieu_luc_den": "Hiệu lực đến",
}
# Other ways people head the same column.
_ALIASES: dict[str, str] = {
    "Mã": "ma", "Mã số": "ma", "Mã tổ chức": "ma",
    "Tên": "ten", "Tên tổ chức": "ten", "Tên tổ chức đảng": "ten",
    "Loại đơn vị": "loai", "Loại tổ chức": "loai",
    "Mã đơn vị cấp trên": "ma_cap_tren", "Mã cấp trên trực tiếp": "ma_cap_tren",
    "Loại hình tổ chức cơ sở đảng": "loai_hinh", "Loại hình TCCS": "loai_hinh",
    "Số đoàn viên": "so_dang_vien", "Số ĐV": "so_dang_vien", "Đảng viên": "so_dang_vien",
    "Số lượng đảng viên": "so_dang_vien",
    "E-mail": "email", "Thư điện tử": "email", "Địa chỉ email": "email",
    "Số điện thoại": "dien_thoai", "SĐT": "dien_thoai", "Điện thoại di động": "dien_thoai", "Số Zalo": "dien_thoai",
    "Báo cáo qua ban": "bao_cao_qua", "Đảng ủy cùng cấp": "dang_uy_lanh_dao",
    "Hiệu lực từ ngày": "hieu_luc_tu", "Từ ngày": "hieu_luc_tu", "Ngày thành lập": "hieu_luc_tu",
    "Hiệu lực đến ngày": "hieu_luc_den", "Đến ngày": "hieu_luc_den", "Ngày giải thể": "hieu_luc_den",
}
# Columns an office keeps for itself (row numbers, notes): read past, never refused.
IGNORED = frozenset(ascii_slug(h) for h in ("STT", "TT", "Số TT", "Số thứ tự", "Ghi chú"))

_BY_KEY: dict[str, str] = (
    {ascii_slug(col): col for col in COLUMNS}
    | {ascii_slug(key): col for key, col in ENGLISH.items()}
    | {ascii_slug(label): col for col, label in HEADERS.items()}
    | {ascii_slug(alias): col for alias, col in _ALIASES.items()}
)


@cache
def column_for(header: str) -> str | None:
    """The column a header names (code name, English key or Vietnamese label, case, spaces, diacritics and
    punctuation ignored), or None."""
    return _BY_KEY.get(ascii_slug(header))


def valid_headers() -> str:
    """The headers a file may use, as a list to show in a message."""
    return ", ".join(f"“{label}”" for label in HEADERS.values())
