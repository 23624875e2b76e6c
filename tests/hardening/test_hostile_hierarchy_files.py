"""Hostile and odd hierarchy files: each is refused with the file, the line, the column and what would be valid,
quickly and without building what it asks for; nothing of it is kept."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest

from errors import HierarchyError
from hierarchy.files import read_units

HEADER = "ma,ten,loai,ma_cap_tren,so_dang_vien,email,dien_thoai,hieu_luc_den\n"


def csv_row(**cells: str) -> str:
    """A CSV file with the header and one Tỉnh ủy row, some cells replaced."""
    row = {"ma": "TU", "ten": "Tỉnh ủy", "loai": "tinh_uy", "ma_cap_tren": "", "so_dang_vien": "",
           "email": "tu@quangtri.dcs.vn", "dien_thoai": "", "hieu_luc_den": ""} | cells
    quoted = ['"' + v.replace('"', '""') + '"' if any(c in v for c in ',"\n\r') else v for v in row.values()]
    return HEADER + ",".join(quoted) + "\n"


def billion_laughs() -> str:
    """Ten levels of nine aliases each: 9^9 units once expanded."""
    lines = ["- &l0 {ma: TU, ten: Tỉnh ủy, loai: tinh_uy}"]
    lines += [f"- &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def deep_children(levels: int) -> str:
    """A unit whose children nest `levels` deep (each level a list holding a mapping)."""
    text = ""
    for depth in range(levels):
        pad = "  " * (2 * depth)
        text += f"{pad}- ma: U{depth}\n{pad}  ten: Đơn vị {depth}\n{pad}  loai: tinh_uy\n{pad}  children:\n"
    return text + "  " * (2 * levels) + "[]\n"


# name, file text, line, column as written, fragments of the message
CASES: list[tuple[str, str, int | None, str | None, tuple[str, ...]]] = [
    ("bom-bi-danh.yaml", billion_laughs(), 2, None, ("bí danh YAML “*l0”", "không dùng bí danh")),
    ("mot-bi-danh.yaml", "- {ma: TU, ten: &t Tỉnh ủy, loai: tinh_uy}\n- {ma: TD, ten: *t, loai: tinh_doan}\n",
     2, None, ("bí danh YAML “*t”",)),
    ("long-5000-tang.yaml", "- ma: TU\n  ten: " + "[" * 5000 + "]" * 5000 + "\n  loai: tinh_uy\n", 2, None,
     ("lồng nhau quá 50 tầng",)),
    ("long-60-cap.yaml", deep_children(60), 97, None, ("lồng nhau quá 50 tầng",)),
    ("dong-1-trieu-ky-tu.csv", csv_row(ten="Chi bộ " + "x" * 1_000_000), 2, None,
     ("1.000.041 ký tự, quá giới hạn 20.000 ký tự mỗi dòng",)),
    ("dang-vien-10-mu-23.csv", csv_row(so_dang_vien="1" + "0" * 23), 2, "so_dang_vien",
     ("“100000000000000000000000”", "từ 0 đến 10.000.000")),
    ("dang-vien-am.csv", csv_row(so_dang_vien="-5"), 2, "so_dang_vien", ("“-5”", "từ 0 đến 10.000.000")),
    ("dang-vien-400-chu-so.yaml", "- {ma: TU, ten: Tỉnh ủy, loai: tinh_uy, members: " + "9" * 400 + "}\n", 1,
     "members", ("(400 ký tự)", "từ 0 đến 10.000.000")),
    ("ngay-9999.csv", csv_row(hieu_luc_den="9999-12-31"), 2, "hieu_luc_den",
     ("“9999-12-31”", "từ 1/1/1930 đến 31/12/2100")),
    ("khoa-trung.yaml", "- ma: TU\n  ten: Tỉnh ủy\n  loai: tinh_uy\n  ten: Tỉnh ủy khác\n", 4, "ten",
     ("Khóa “ten” ghi hai lần", "dòng 2 và dòng 4")),
    ("khoa-trung-hai-ten.yaml", "- ma: TU\n  ten: Tỉnh ủy\n  name: Tỉnh ủy khác\n  loai: tinh_uy\n", 3, "name",
     ("“ten” và “name” (cùng một cột)", "dòng 2 và dòng 3")),
    ("khoa-trung-children.yaml", "- ma: TU\n  ten: Tỉnh ủy\n  loai: tinh_uy\n  children: []\n"
     "  don_vi_truc_thuoc: []\n", 5, "don_vi_truc_thuoc", ("ghi hai lần",)),
    ("khoa-trung-goc.yaml", "units: []\nunits: [{ma: TU, ten: Tỉnh ủy, loai: tinh_uy}]\n", 2, "units",
     ("“units” ghi hai lần", "dòng 1 và dòng 2")),
    ("ten-co-tab.csv", csv_row(ten="Chi bộ\tthôn 1"), 2, "ten", ("dấu tab ở ký tự thứ 7",)),
    ("ten-co-nul.csv", csv_row(ten="Tỉnh\x00ủy"), 2, "ten", ("ký tự NUL ở ký tự thứ 5",)),
    ("ten-dao-chieu.yaml", "- {ma: TU, ten: \"Tỉnh ủy \u202eXYZ\", loai: tinh_uy}\n", 1, "ten",
     ("ký tự đảo chiều văn bản U+202E", "[U+202E]")),
    ("ma-co-ky-tu-an.csv", csv_row(ma="TU\u200b"), 2, "ma", ("dấu cách độ rộng 0",)),
    ("ten-co-chuong.csv", csv_row(ten="Tỉnh ủy\x07"), 2, "ten", ("ký tự điều khiển U+0007",)),
    ("ten-xuong-dong.csv", csv_row(ten="Tỉnh ủy\nQuảng Trị"), 2, "ten", ("dấu xuống dòng",)),
    ("ten-2000-ky-tu.csv", csv_row(ten="Đ" * 2000), 2, "ten", ("dài 2.000 ký tự, quá giới hạn 300 ký tự",)),
    ("ma-65-ky-tu.csv", csv_row(ma="T" * 65), 2, "ma", ("quá giới hạn 64 ký tự",)),
    ("dien-thoai-tab.csv", csv_row(dien_thoai="0233\t3852 123"), 2, "dien_thoai", ("dấu tab",)),
    ("email-chen-bcc.csv", csv_row(email="tu@quangtri.dcs.vn\nBcc: attacker@evil.test"), 2, "email",
     ("dấu xuống dòng ở ký tự thứ 19",)),
    ("email-chen-bcc-crlf.csv", csv_row(email="tu@quangtri.dcs.vn\r\nBcc: attacker@evil.test"), 2, "email",
     ("ký tự về đầu dòng (CR)",)),
    ("email-hai-dia-chi.csv", csv_row(email="tu@quangtri.dcs.vn, attacker@evil.test"), 2, "email",
     ("đúng một địa chỉ email",)),
    ("email-kem-ten.csv", csv_row(email="Tỉnh ủy <tu@quangtri.dcs.vn>"), 2, "email", ("đúng một địa chỉ email",)),
    ("email-sai.csv", csv_row(email="tinh-uy-quang-tri"), 2, "email",
     ("không phải một địa chỉ email hợp lệ", "cb01@quangtri.dcs.vn")),
    ("yaml-co-nul.yaml", "- ma: TU\n  ten: Tỉnh\x00ủy\n  loai: tinh_uy\n", 2, None,
     ("ký tự NUL không được phép trong tệp YAML",)),
    ("ngoac-kep-mo.csv", HEADER + 'TU,"Tỉnh ủy' + "\nx" * 70_000 + "\n", 2, None, ("dấu ngoặc kép",)),
    ("cot-la-dao-chieu.csv", "ma,ten,loai,\u202ecot\n", 1, "\u202ecot", ("[U+202E]cot", "không có")),
]


@pytest.mark.parametrize(("name", "text", "line", "column", "fragments"), CASES, ids=[c[0] for c in CASES])
def test_hostile_hierarchy_file_is_refused_saying_where_and_what_is_valid(
        tmp_path: Path, name: str, text: str, line: int | None, column: str | None, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    started = time.monotonic()
    with pytest.raises(HierarchyError) as caught:
        read_units(path)
    assert time.monotonic() - started < 10
    message = str(caught.value)
    assert message == unicodedata.normalize("NFC", message)
    found = [p for p in caught.value.problems if all(f in p.message for f in fragments)]
    assert found, message
    assert found[0].source == str(path) and found[0].line == line and found[0].field == column, message
    assert "Traceback" not in message


def test_files_people_write_are_still_read(tmp_path: Path) -> None:
    # Thousands with dots, a name typed with combining marks (NFD), the Vietnamese column names or English ones.
    path = tmp_path / "tot.csv"
    path.write_text(HEADER + "TU," + unicodedata.normalize("NFD", "Tỉnh ủy Quảng Trị") + ",tinh_uy,,1.234,"
                    "tu.qt@quangtri.dcs.vn,0233 3852 123,2100-12-31\n"
                    "TD,Tỉnh đoàn,tinh_doan,,10000000,td@quangtri.dcs.vn,,\n", encoding="utf-8")
    units, _ = read_units(path)
    assert units[0].member_count == 1234 and units[0].name == unicodedata.normalize("NFC", "Tỉnh ủy Quảng Trị")
    assert units[0].contacts.email == "tu.qt@quangtri.dcs.vn" and units[1].member_count == 10_000_000
