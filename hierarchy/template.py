"""The blank unit list an office downloads: the export's layout with two example rows and a "Hướng dẫn" sheet."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from openpyxl.styles import Alignment, Font

from hierarchy.columns import HEADERS
from hierarchy.model import KIND_LABELS
from hierarchy.workbook import EXAMPLE_UNITS, build_workbook

__all__ = ["TEMPLATE_NAME", "write_template"]

TEMPLATE_NAME = "mau-danh-sach-don-vi.xlsx"
_GUIDE_SHEET = "Hướng dẫn"

# One cell per line: the guide sheet has no header row, so importing the template never reads it as units.
_STEPS = (
    "Cách điền danh sách đơn vị",
    "1. Ghi mỗi đơn vị trên một dòng của trang “Đơn vị”, bắt đầu từ dòng 3 (dòng 2 là dòng tiêu đề, giữ nguyên).",
    "2. Hai dòng có chữ “(dòng ví dụ)” chỉ để tham khảo: ghi đè bằng đơn vị của mình hoặc xóa đi; để nguyên thì "
    "tệp bị từ chối.",
    "3. Bắt buộc: Mã đơn vị (không trùng), Tên đơn vị, Loại (chọn trong danh sách), Mã cấp trên (trừ đơn vị cao "
    "nhất).",
    "4. Mã cấp trên là mã của một đơn vị trong tệp hoặc đã có trong hệ thống.",
    "5. Điện thoại: số di động 10 chữ số, ví dụ 0912 345 678 (dùng để nhận tin Zalo); Email: một địa chỉ mỗi ô.",
    "6. Ngày ghi dạng 1/7/2025; số đảng viên ghi số, ví dụ 312 hoặc 1.234.",
    "7. Nhập bằng lệnh “trienkhai hierarchy import tên-tệp.xlsx”. Nhập là tất cả hoặc không: tệp có lỗi thì không "
    "dòng nào được ghi, mọi lỗi được liệt kê theo trang, dòng và cột.",
    "8. Lưu ý: đơn vị có trong hệ thống mà không có trong tệp sẽ được ghi là hết hiệu lực; muốn bổ sung vài đơn vị, "
    "hãy xuất danh sách hiện có rồi thêm dòng vào đó.",
    "",
    "Các loại đơn vị ghi ở cột “Loại”:",
)


def write_template(target: str | Path | IO[bytes]) -> None:
    """Write the blank template: the export's layout, drop-down lists and two example rows, then the guide sheet
    listing how to fill it in and every kind by its Vietnamese name."""
    book = build_workbook(EXAMPLE_UNITS)
    guide = book.create_sheet(_GUIDE_SHEET)
    guide.column_dimensions["A"].width = 110
    lines = [*_STEPS, *(f"– {label}" for label in KIND_LABELS.values()), "",
             f"Các cột của trang “Đơn vị”: {', '.join(HEADERS.values())}."]
    for r, line in enumerate(lines, start=1):
        cell = guide.cell(r, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = Font(bold=True, size=14)
    book.save(target)
