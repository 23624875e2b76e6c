"""The national Party and Đoàn hierarchy after the two-tier reform of 1/7/2025, built on the official ward list."""

from __future__ import annotations

import random
from datetime import date

from vietnam_provinces import Province, VietNamDivisionType, Ward

from hierarchy.model import Category, Contacts, Kind, Unit
from hierarchy.naming import gc_paused

REFORM_DAY = date(2025, 7, 1)

_NT, _PT = Category.NONG_THON, Category.PHUONG_THI_TRAN
_CQ, _DN, _SN, _LL = Category.CO_QUAN, Category.DOANH_NGHIEP, Category.SU_NGHIEP, Category.LUC_LUONG_VU_TRANG

# Calibration (checked by the tests): about 300,000 units and 5.6 million Party members nationwide.
_CELLS_PER_COMMUNE = (28, 60)
_MEMBERS_PER_CELL = {_NT: (6, 38), _PT: (6, 38), _CQ: (5, 30), _SN: (5, 30), _DN: (5, 24), _LL: (8, 40)}
_CELLS_PER_GRASSROOTS = (4, 16)
_CHI_DOAN_PER_COMMUNE = (2, 6)
_DOAN_MEMBERS = (15, 60)

# Committees directly under each Tỉnh ủy: (suffix, name before "tỉnh"/"thành phố", grassroots per ward,
# [(category, share)]); their grassroots organisations take a name stem of their category.
_BLOCS: list[tuple[str, str, float, list[tuple[Category, float]]]] = [
    ("CQD", "Đảng ủy các cơ quan Đảng", 0.5, [(_CQ, 0.7), (_SN, 0.3)]),
    ("UB", "Đảng ủy Ủy ban nhân dân", 3.6, [(_CQ, 0.35), (_SN, 0.45), (_DN, 0.2)]),
    ("QS", "Đảng ủy Quân sự", 0.8, [(_LL, 1.0)]),
    ("CA", "Đảng ủy Công an", 0.6, [(_LL, 1.0)]),
]
_STEMS: dict[Category, list[str]] = {
    _CQ: ["Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Xây dựng", "Sở Y tế", "Sở Giáo dục và Đào tạo",
          "Sở Công Thương", "Sở Nông nghiệp và Môi trường", "Sở Văn hóa, Thể thao và Du lịch",
          "Sở Khoa học và Công nghệ", "Thanh tra tỉnh", "Văn phòng Ủy ban nhân dân tỉnh"],
    _SN: ["Trường Trung học phổ thông", "Bệnh viện Đa khoa khu vực", "Trung tâm Y tế khu vực",
          "Trường Cao đẳng", "Trung tâm Giáo dục thường xuyên"],
    _DN: ["Công ty Cổ phần", "Công ty TNHH MTV", "Công ty Điện lực", "Ngân hàng Thương mại"],
    _LL: ["Ban Chỉ huy Phòng thủ khu vực", "Trung đoàn", "Phòng nghiệp vụ", "Đồn Biên phòng"],
}


def _province_title(province: Province) -> tuple[str, str, str]:
    """(committee name, level word, place) e.g. ("Thành ủy Hà Nội", "thành phố", "Hà Nội")."""
    if province.division_type is VietNamDivisionType.THANH_PHO_TRUNG_UONG:
        place = province.name.removeprefix("Thành phố ")
        return f"Thành ủy {place}", "thành phố", place
    return f"Tỉnh ủy {province.name}", "tỉnh", province.name


def _wards_by_province() -> dict[int, list[Ward]]:
    grouped: dict[int, list[Ward]] = {}
    for ward in Ward.iter_all():
        grouped.setdefault(int(ward.province_code), []).append(ward)
    for wards in grouped.values():
        wards.sort(key=lambda w: int(w.code))
    return grouped


def generate_national(seed: int = 2025) -> list[Unit]:
    """The whole country after 1/7/2025, parent before child; the same seed always gives the same units."""
    with gc_paused():
        return _generate(seed)


def _generate(seed: int) -> list[Unit]:
    rng = random.Random(seed)
    rnd = rng.random

    def randint(low: int, high: int) -> int:
        # random() is C-fast; Random.randint's rejection sampling dominated the run time.
        return low + int(rnd() * (high - low + 1))

    units: list[Unit] = []
    add = units.append

    def unit(code: str, name: str, kind: Kind, parent: str | None, domain: str, *, category: Category | None = None,
             members: int = 0, route_via: str | None = None, led_by: str | None = None) -> None:
        email = code.lower().replace("-", ".") + "@" + domain
        add(Unit(code, name, kind, parent, category, members, Contacts(email=email), route_via, led_by,
                 REFORM_DAY, None))

    wards_of = _wards_by_province()
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        pc = f"{int(province.code):02d}"
        committee, level_word, place = _province_title(province)
        domain = province.codename.replace("_", "") + ".dcs.vn"
        top = f"TU-{pc}"
        btg = f"{top}-BTGDV"
        short = committee.split(" ", 2)[0] + " ủy"  # "Tỉnh ủy" / "Thành ủy"
        unit(top, committee, Kind.TINH_UY, None, domain)
        unit(btg, f"Ban Tuyên giáo và Dân vận {short}", Kind.BAN, top, domain)
        unit(f"{top}-BTC", f"Ban Tổ chức {short}", Kind.BAN, top, domain)
        unit(f"{top}-VP", f"Văn phòng {short}", Kind.BAN, top, domain)

        wards = wards_of[int(province.code)]
        for ward in wards:
            code = f"DU-{int(ward.code):05d}"
            category = _PT if ward.division_type is VietNamDivisionType.PHUONG else _NT
            label = "khu phố" if category is _PT else "thôn"
            low, high = _MEMBERS_PER_CELL[category]
            unit(code, f"Đảng ủy {ward.name[0].lower()}{ward.name[1:]}", Kind.DANG_UY_XA, top, domain,
                 category=category, route_via=btg)
            for i in range(1, randint(*_CELLS_PER_COMMUNE) + 1):
                unit(f"{code}-CB{i:02d}", f"Chi bộ {label} {i}", Kind.CHI_BO, code, domain,
                     category=category, members=randint(low, high))

        for suffix, bloc_name, per_ward, mix in _BLOCS:
            bloc = f"{top}-{suffix}"
            unit(bloc, f"{bloc_name} {level_word}", Kind.DANG_UY_TRUC_THUOC, top, domain, route_via=btg)
            count = max(3, round(len(wards) * per_ward))
            seen: dict[str, int] = {}
            for n in range(1, count + 1):
                category = _pick(rng, mix)
                stems = _STEMS[category]
                stem = stems[randint(0, len(stems) - 1)]
                seen[stem] = seen.get(stem, 0) + 1
                body = stem if category is _CQ and seen[stem] == 1 else f"{stem} số {seen[stem]}"
                low, high = _MEMBERS_PER_CELL[category]
                code = f"{bloc}-{n:03d}"
                if rng.random() < 0.35:
                    unit(code, f"Chi bộ {body}", Kind.CHI_BO_CO_SO, bloc, domain, category=category,
                         members=randint(low, high))
                    continue
                unit(code, f"Đảng bộ {body}", Kind.DANG_BO_CO_SO, bloc, domain, category=category)
                for i in range(1, randint(*_CELLS_PER_GRASSROOTS) + 1):
                    unit(f"{code}-CB{i:02d}", f"Chi bộ số {i}", Kind.CHI_BO, code, domain, category=category,
                         members=randint(low, high))

        doan = f"TD-{pc}"
        unit(doan, f"{'Thành' if level_word == 'thành phố' else 'Tỉnh'} đoàn {place}", Kind.TINH_DOAN, None,
             domain, led_by=top)
        for ward in wards:
            code = f"DCS-{int(ward.code):05d}"
            unit(code, f"Đoàn {ward.name[0].lower()}{ward.name[1:]}", Kind.DOAN_CO_SO, doan, domain,
                 led_by=f"DU-{int(ward.code):05d}")
            for i in range(1, randint(*_CHI_DOAN_PER_COMMUNE) + 1):
                unit(f"{code}-CD{i:02d}", f"Chi đoàn {i}", Kind.CHI_DOAN, code, domain,
                     members=randint(*_DOAN_MEMBERS))
    return units


def _pick(rng: random.Random, mix: list[tuple[Category, float]]) -> Category:
    roll = rng.random()
    for category, share in mix:
        roll -= share
        if roll < 0:
            return category
    return mix[-1][0]
