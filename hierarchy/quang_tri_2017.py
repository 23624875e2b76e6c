"""Quảng Trị before the 2025 reform: Tỉnh ủy, ten district-level committees and the bloc committees (plan 47-KH/TU)."""

from __future__ import annotations

import random
from datetime import date

from hierarchy.model import Category, Kind, Unit
from hierarchy.naming import ascii_slug, make_unit

# District-level committees were abolished by the two-tier reform; their subtrees end the same day.
ABOLISHED_ON = date(2025, 7, 1)
DOMAIN = "quangtri.dcs.vn"
ROOT = "TU-QT"

_NT, _PT = Category.NONG_THON, Category.PHUONG_THI_TRAN
_CQ, _DN, _SN, _LL = Category.CO_QUAN, Category.DOANH_NGHIEP, Category.SU_NGHIEP, Category.LUC_LUONG_VU_TRANG

# (code suffix, committee name, place as written after "Đảng bộ …", communes of 2017 in the official order)
DISTRICTS_2017: list[tuple[str, str, str, list[str]]] = [
    ("DONGHA", "Thành ủy Đông Hà", "thành phố Đông Hà",
     ["phường 1", "phường 2", "phường 3", "phường 4", "phường 5", "phường Đông Giang", "phường Đông Lễ",
      "phường Đông Lương", "phường Đông Thanh"]),
    ("TXQUANGTRI", "Thị ủy Quảng Trị", "thị xã Quảng Trị",
     ["phường 1", "phường 2", "phường 3", "phường An Đôn", "xã Hải Lệ"]),
    ("VINHLINH", "Huyện ủy Vĩnh Linh", "huyện Vĩnh Linh",
     ["thị trấn Hồ Xá", "thị trấn Bến Quan", "thị trấn Cửa Tùng", "xã Vĩnh Thái", "xã Vĩnh Tú", "xã Vĩnh Chấp",
      "xã Vĩnh Trung", "xã Vĩnh Nam", "xã Vĩnh Kim", "xã Vĩnh Thạch", "xã Vĩnh Long", "xã Vĩnh Hòa",
      "xã Vĩnh Thủy", "xã Vĩnh Lâm", "xã Vĩnh Thành", "xã Vĩnh Sơn", "xã Vĩnh Hiền", "xã Vĩnh Tân",
      "xã Vĩnh Giang", "xã Vĩnh Hà", "xã Vĩnh Khê", "xã Vĩnh Ô"]),
    ("GIOLINH", "Huyện ủy Gio Linh", "huyện Gio Linh",
     ["thị trấn Gio Linh", "thị trấn Cửa Việt", "xã Gio Mỹ", "xã Gio Hải", "xã Gio Thành", "xã Gio Quang",
      "xã Gio Mai", "xã Gio Phong", "xã Gio Việt", "xã Gio An", "xã Gio Sơn", "xã Gio Châu", "xã Gio Bình",
      "xã Gio Hòa", "xã Linh Thượng", "xã Vĩnh Trường", "xã Linh Hải", "xã Trung Giang", "xã Trung Hải",
      "xã Trung Sơn", "xã Hải Thái"]),
    ("CAMLO", "Huyện ủy Cam Lộ", "huyện Cam Lộ",
     ["thị trấn Cam Lộ", "xã Cam Tuyền", "xã Cam Thành", "xã Cam Hiếu", "xã Cam Thủy", "xã Cam Chính",
      "xã Cam Nghĩa", "xã Cam An", "xã Cam Thanh"]),
    ("TRIEUPHONG", "Huyện ủy Triệu Phong", "huyện Triệu Phong",
     ["thị trấn Ái Tử", "xã Triệu An", "xã Triệu Vân", "xã Triệu Phước", "xã Triệu Độ", "xã Triệu Trạch",
      "xã Triệu Thuận", "xã Triệu Đại", "xã Triệu Hòa", "xã Triệu Lăng", "xã Triệu Sơn", "xã Triệu Long",
      "xã Triệu Tài", "xã Triệu Đông", "xã Triệu Trung", "xã Triệu Ái", "xã Triệu Thượng", "xã Triệu Giang",
      "xã Triệu Thành"]),
    ("HAILANG", "Huyện ủy Hải Lăng", "huyện Hải Lăng",
     ["thị trấn Hải Lăng", "xã Hải An", "xã Hải Ba", "xã Hải Xuân", "xã Hải Quy", "xã Hải Quế", "xã Hải Vĩnh",
      "xã Hải Phú", "xã Hải Thượng", "xã Hải Thiện", "xã Hải Lâm", "xã Hải Thành", "xã Hải Hòa", "xã Hải Tân",
      "xã Hải Trường", "xã Hải Thọ", "xã Hải Sơn", "xã Hải Chánh", "xã Hải Khê", "xã Hải Dương"]),
    ("HUONGHOA", "Huyện ủy Hướng Hóa", "huyện Hướng Hóa",
     ["thị trấn Khe Sanh", "thị trấn Lao Bảo", "xã Hướng Lập", "xã Hướng Việt", "xã Hướng Phùng",
      "xã Hướng Sơn", "xã Hướng Linh", "xã Tân Hợp", "xã Hướng Tân", "xã Tân Thành", "xã Tân Long",
      "xã Tân Lập", "xã Tân Liên", "xã Húc", "xã Thuận", "xã Hướng Lộc", "xã Ba Tầng", "xã Thanh", "xã A Dơi",
      "xã Xy", "xã A Xing", "xã A Túc"]),
    ("DAKRONG", "Huyện ủy Đakrông", "huyện Đakrông",
     ["thị trấn Krông Klang", "xã Mò Ó", "xã Hướng Hiệp", "xã Đakrông", "xã Ba Lòng", "xã Hải Phúc",
      "xã Triệu Nguyên", "xã Tà Long", "xã Húc Nghì", "xã A Bung", "xã A Ngo", "xã A Vao", "xã Tà Rụt",
      "xã Ba Nang"]),
    # The island district had no communes; its Party organisations were agencies and the armed forces.
    ("CONCO", "Huyện ủy Cồn Cỏ", "huyện đảo Cồn Cỏ", []),
]

# Grassroots organisations every district had besides its communes: (suffix, name template, category, kind).
_DISTRICT_BODIES: list[tuple[str, str, Category, Kind]] = [
    ("CQ", "Đảng bộ Cơ quan Chính quyền {place}", _CQ, Kind.DANG_BO_CO_SO),
    ("YT", "Chi bộ Trung tâm Y tế {place}", _SN, Kind.CHI_BO_CO_SO),
    ("GD", "Chi bộ Trường Trung học phổ thông {short}", _SN, Kind.CHI_BO_CO_SO),
    ("DN", "Chi bộ Công ty Cổ phần Môi trường và Công trình đô thị {short}", _DN, Kind.CHI_BO_CO_SO),
    ("QS", "Đảng bộ Quân sự {place}", _LL, Kind.DANG_BO_CO_SO),
    ("CA", "Đảng bộ Công an {place}", _LL, Kind.DANG_BO_CO_SO),
]

# Committees directly under the Tỉnh ủy in 2017 and the grassroots organisations they led.
_BLOCS: list[tuple[str, str, list[tuple[str, Category, Kind]]]] = [
    ("KCQ", "Đảng ủy Khối các cơ quan tỉnh", [
        ("Đảng bộ Sở Giáo dục và Đào tạo", _CQ, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Sở Y tế", _CQ, Kind.DANG_BO_CO_SO),
        ("Chi bộ Sở Tư pháp", _CQ, Kind.CHI_BO_CO_SO),
        ("Chi bộ Sở Tài chính", _CQ, Kind.CHI_BO_CO_SO),
        ("Đảng bộ Bệnh viện Đa khoa tỉnh", _SN, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Trường Cao đẳng Sư phạm Quảng Trị", _SN, Kind.DANG_BO_CO_SO),
        ("Chi bộ Đài Phát thanh - Truyền hình tỉnh", _SN, Kind.CHI_BO_CO_SO),
    ]),
    ("KDN", "Đảng ủy Khối Doanh nghiệp tỉnh", [
        ("Đảng bộ Công ty Điện lực Quảng Trị", _DN, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Công ty Cổ phần Nước sạch Quảng Trị", _DN, Kind.DANG_BO_CO_SO),
        ("Chi bộ Công ty Xổ số kiến thiết Quảng Trị", _DN, Kind.CHI_BO_CO_SO),
        ("Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn tỉnh", _DN, Kind.DANG_BO_CO_SO),
        ("Chi bộ Công ty TNHH MTV Lâm nghiệp Đường 9", _DN, Kind.CHI_BO_CO_SO),
    ]),
    ("QS", "Đảng ủy Quân sự tỉnh", [
        ("Đảng bộ Cơ quan Bộ Chỉ huy Quân sự tỉnh", _LL, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Trung đoàn 842", _LL, Kind.DANG_BO_CO_SO),
        ("Chi bộ Trường Quân sự tỉnh", _LL, Kind.CHI_BO_CO_SO),
    ]),
    ("CA", "Đảng ủy Công an tỉnh", [
        ("Đảng bộ Phòng Cảnh sát giao thông", _LL, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Phòng An ninh chính trị nội bộ", _LL, Kind.DANG_BO_CO_SO),
        ("Chi bộ Phòng Hậu cần", _LL, Kind.CHI_BO_CO_SO),
    ]),
    ("BDBP", "Đảng ủy Bộ đội Biên phòng tỉnh", [
        ("Đảng bộ Đồn Biên phòng Cửa khẩu quốc tế Lao Bảo", _LL, Kind.DANG_BO_CO_SO),
        ("Đảng bộ Đồn Biên phòng Cồn Cỏ", _LL, Kind.DANG_BO_CO_SO),
        ("Chi bộ Đồn Biên phòng Cửa Tùng", _LL, Kind.CHI_BO_CO_SO),
    ]),
]

# Members per chi bộ by category: (low, high), drawn uniformly.
_MEMBERS: dict[Category, tuple[int, int]] = {
    _NT: (12, 45), _PT: (10, 40), _CQ: (6, 30), _DN: (5, 35), _SN: (8, 40), _LL: (10, 45),
}


def _provincial_top() -> list[Unit]:
    top = [make_unit(ROOT, "Tỉnh ủy Quảng Trị", Kind.TINH_UY, None, domain=DOMAIN)]
    for suffix, name in (("BTG", "Ban Tuyên giáo Tỉnh ủy"), ("BTC", "Ban Tổ chức Tỉnh ủy"),
                         ("BDV", "Ban Dân vận Tỉnh ủy"), ("VP", "Văn phòng Tỉnh ủy")):
        top.append(make_unit(f"{ROOT}-{suffix}", name, Kind.BAN, ROOT, domain=DOMAIN))
    return top


def _cells(rng: random.Random, parent: Unit, count: int, label: str, valid_to: date | None) -> list[Unit]:
    if parent.category is None:  # the generator gives every grassroots organisation a category
        raise ValueError(f"{parent.code} has no category")
    low, high = _MEMBERS[parent.category]
    return [
        make_unit(f"{parent.code}-CB{i:02d}", f"Chi bộ {label} {i}", Kind.CHI_BO, parent.code, domain=DOMAIN,
                  category=parent.category, members=rng.randint(low, high), valid_to=valid_to)
        for i in range(1, count + 1)
    ]


def _grassroots(rng: random.Random, code: str, name: str, kind: Kind, category: Category, parent: str,
                route_via: str | None, valid_to: date | None, cells: tuple[int, int], label: str) -> list[Unit]:
    if kind is Kind.CHI_BO_CO_SO:
        low, high = _MEMBERS[category]
        return [make_unit(code, name, kind, parent, domain=DOMAIN, category=category,
                          members=rng.randint(low, high), route_via=route_via, valid_to=valid_to)]
    head = make_unit(code, name, kind, parent, domain=DOMAIN, category=category, route_via=route_via,
                     valid_to=valid_to)
    return [head, *_cells(rng, head, rng.randint(*cells), label, valid_to)]


def _commune_code(district: str, commune: str, taken: set[str]) -> str:
    # xã keep their bare name, towns and wards get a prefix; a clash (Cam Thành / Cam Thanh) gets a number.
    kind, _, name = commune.partition(" ")
    prefix = {"phường": "P", "thị": "TT"}.get(kind, "")
    if kind == "thị":
        name = name.removeprefix("trấn ")
    code = base = f"QT-{district}-{prefix}{ascii_slug(name)}"
    n = 1
    while code in taken:
        n += 1
        code = f"{base}{n}"
    taken.add(code)
    return code


def generate_quang_tri_2017(seed: int = 2017) -> list[Unit]:
    """Quảng Trị's Party hierarchy as plan 47-KH/TU found it (2017): parent before child, same seed same units."""
    rng = random.Random(seed)
    units = _provincial_top()
    btg = f"{ROOT}-BTG"
    taken: set[str] = set()
    for suffix, committee, place, communes in DISTRICTS_2017:
        code = f"QT-{suffix}"
        district_btg = f"{code}-BTG"
        units.append(make_unit(code, committee, Kind.HUYEN_UY, ROOT, domain=DOMAIN, route_via=btg,
                               valid_to=ABOLISHED_ON))
        units.append(make_unit(district_btg, f"Ban Tuyên giáo {committee}", Kind.BAN, code, domain=DOMAIN,
                               valid_to=ABOLISHED_ON))
        for commune in communes:
            category = _NT if commune.startswith("xã") else _PT
            label = "thôn" if category is _NT else "khu phố"
            units += _grassroots(rng, _commune_code(suffix, commune, taken), f"Đảng bộ {commune}", Kind.DANG_BO_CO_SO,
                                 category, code, district_btg, ABOLISHED_ON, (6, 14), label)
        short = place.split(" ", 1)[1].removeprefix("đảo ")
        for body, template, category, kind in _DISTRICT_BODIES:
            units += _grassroots(rng, f"{code}-{body}", template.format(place=place, short=short), kind, category,
                                 code, district_btg, ABOLISHED_ON, (3, 8), "số")
    for suffix, committee, bodies in _BLOCS:
        code = f"QT-{suffix}"
        bloc_btg = f"{code}-BTG"
        units.append(make_unit(code, committee, Kind.DANG_UY_TRUC_THUOC, ROOT, domain=DOMAIN, route_via=btg))
        units.append(make_unit(bloc_btg, f"Ban Tuyên giáo {committee}", Kind.BAN, code, domain=DOMAIN))
        for i, (name, category, kind) in enumerate(bodies, start=1):
            units += _grassroots(rng, f"{code}-{i:02d}", name, kind, category, code, bloc_btg, None, (3, 8), "số")
    return units


# The small version: every number fixed so that a clerk can check results by hand.
# (district suffix, committee, [(body suffix, name, category, kind, members of each chi bộ / of the chi bộ cơ sở)])
_SMALL: list[tuple[str, str, list[tuple[str, str, Category, Kind, tuple[int, ...]]]]] = [
    ("DONGHA", "Thành ủy Đông Hà", [
        ("P1", "Đảng bộ phường 1", _PT, Kind.DANG_BO_CO_SO, (25, 18, 30)),
        ("CA", "Đảng bộ Công an thành phố Đông Hà", _LL, Kind.DANG_BO_CO_SO, (22, 16)),
        ("YT", "Chi bộ Trung tâm Y tế thành phố Đông Hà", _SN, Kind.CHI_BO_CO_SO, (14,)),
    ]),
    ("GIOLINH", "Huyện ủy Gio Linh", [
        ("GIOAN", "Đảng bộ xã Gio An", _NT, Kind.DANG_BO_CO_SO, (20, 24, 17)),
        ("TTGIOLINH", "Đảng bộ thị trấn Gio Linh", _PT, Kind.DANG_BO_CO_SO, (28, 19)),
        ("CQ", "Chi bộ Cơ quan Ủy ban nhân dân huyện Gio Linh", _CQ, Kind.CHI_BO_CO_SO, (12,)),
        ("DN", "Chi bộ Công ty TNHH MTV Lâm nghiệp Gio Linh", _DN, Kind.CHI_BO_CO_SO, (9,)),
        ("QS", "Đảng bộ Quân sự huyện Gio Linh", _LL, Kind.DANG_BO_CO_SO, (15, 11)),
    ]),
    ("CAMLO", "Huyện ủy Cam Lộ", [
        ("CAMTHANH", "Đảng bộ xã Cam Thành", _NT, Kind.DANG_BO_CO_SO, (21, 26, 18)),
        ("TTCAMLO", "Đảng bộ thị trấn Cam Lộ", _PT, Kind.DANG_BO_CO_SO, (23, 20)),
        ("GD", "Chi bộ Trường Trung học phổ thông Cam Lộ", _SN, Kind.CHI_BO_CO_SO, (16,)),
        ("DN", "Chi bộ Công ty Cổ phần Cao su Cam Lộ", _DN, Kind.CHI_BO_CO_SO, (10,)),
        ("CQ", "Chi bộ Văn phòng Huyện ủy Cam Lộ", _CQ, Kind.CHI_BO_CO_SO, (8,)),
    ]),
]
_SMALL_BLOC = ("KCQ", "Đảng ủy Khối các cơ quan tỉnh", [
    ("01", "Chi bộ Sở Tư pháp", _CQ, Kind.CHI_BO_CO_SO, (13,)),
    ("02", "Đảng bộ Sở Giáo dục và Đào tạo", _CQ, Kind.DANG_BO_CO_SO, (17, 14)),
])


def _small_bodies(
    parent: str, btg: str, bodies: list[tuple[str, str, Category, Kind, tuple[int, ...]]], valid_to: date | None
) -> list[Unit]:
    out: list[Unit] = []
    for suffix, name, category, kind, members in bodies:
        code = f"{parent}-{suffix}"
        if kind is Kind.CHI_BO_CO_SO:
            out.append(make_unit(code, name, kind, parent, domain=DOMAIN, category=category, members=members[0],
                                 route_via=btg, valid_to=valid_to))
            continue
        out.append(make_unit(code, name, kind, parent, domain=DOMAIN, category=category, route_via=btg,
                             valid_to=valid_to))
        out += [make_unit(f"{code}-CB{i:02d}", f"Chi bộ số {i}", Kind.CHI_BO, code, domain=DOMAIN,
                          category=category, members=count, valid_to=valid_to)
                for i, count in enumerate(members, start=1)]
    return out


def small_quang_tri_2017() -> list[Unit]:
    """A 46-unit Quảng Trị 2017 (3 districts, 1 bloc), every member count fixed for hand-checked tests."""
    units = [u for u in _provincial_top() if not u.code.endswith("-BDV")]
    btg = f"{ROOT}-BTG"
    for suffix, committee, bodies in _SMALL:
        code = f"QT-{suffix}"
        units.append(make_unit(code, committee, Kind.HUYEN_UY, ROOT, domain=DOMAIN, route_via=btg,
                               valid_to=ABOLISHED_ON))
        units.append(make_unit(f"{code}-BTG", f"Ban Tuyên giáo {committee}", Kind.BAN, code, domain=DOMAIN,
                               valid_to=ABOLISHED_ON))
        units += _small_bodies(code, f"{code}-BTG", bodies, ABOLISHED_ON)
    suffix, committee, bodies = _SMALL_BLOC
    code = f"QT-{suffix}"
    units.append(make_unit(code, committee, Kind.DANG_UY_TRUC_THUOC, ROOT, domain=DOMAIN, route_via=btg))
    units.append(make_unit(f"{code}-BTG", f"Ban Tuyên giáo {committee}", Kind.BAN, code, domain=DOMAIN))
    units += _small_bodies(code, f"{code}-BTG", bodies, None)
    return units
