"""Units of the Party and Đoàn hierarchy, their kinds and which kind may stand under which."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Kind(StrEnum):
    """Kind of a unit (see the glossary); the value is the code name used in files and the database."""

    TINH_UY = "tinh_uy"
    HUYEN_UY = "huyen_uy"
    DANG_UY_XA = "dang_uy_xa"
    DANG_UY_TRUC_THUOC = "dang_uy_truc_thuoc"
    DANG_BO_CO_SO = "dang_bo_co_so"
    CHI_BO_CO_SO = "chi_bo_co_so"
    CHI_BO = "chi_bo"
    BAN = "ban"
    TINH_DOAN = "tinh_doan"
    HUYEN_DOAN = "huyen_doan"
    DOAN_KHOI = "doan_khoi"
    DOAN_CO_SO = "doan_co_so"
    CHI_DOAN_CO_SO = "chi_doan_co_so"
    CHI_DOAN = "chi_doan"

    @property
    def label(self) -> str:
        """The Vietnamese name of the kind, as offices write it."""
        return KIND_LABELS[self]

    @property
    def is_doan(self) -> bool:
        """True for the Youth Union chain, which a Party committee leads."""
        return self in DOAN_KINDS


KIND_LABELS: dict[Kind, str] = {
    Kind.TINH_UY: "Tỉnh ủy",
    Kind.HUYEN_UY: "Huyện ủy",
    Kind.DANG_UY_XA: "Đảng ủy xã/phường",
    Kind.DANG_UY_TRUC_THUOC: "Đảng ủy trực thuộc",
    Kind.DANG_BO_CO_SO: "Đảng bộ cơ sở",
    Kind.CHI_BO_CO_SO: "Chi bộ cơ sở",
    Kind.CHI_BO: "Chi bộ",
    Kind.BAN: "Ban",
    Kind.TINH_DOAN: "Tỉnh đoàn",
    Kind.HUYEN_DOAN: "Huyện đoàn",
    Kind.DOAN_KHOI: "Đoàn Khối",
    Kind.DOAN_CO_SO: "Đoàn cơ sở",
    Kind.CHI_DOAN_CO_SO: "Chi đoàn cơ sở",
    Kind.CHI_DOAN: "Chi đoàn",
}

DOAN_KINDS = frozenset(
    {Kind.TINH_DOAN, Kind.HUYEN_DOAN, Kind.DOAN_KHOI, Kind.DOAN_CO_SO, Kind.CHI_DOAN_CO_SO, Kind.CHI_DOAN}
)

# Kinds that may stand at the top of a hierarchy (no reporting parent).
ROOT_KINDS = frozenset({Kind.TINH_UY, Kind.TINH_DOAN})

# Which kinds may report to which: the rule the hierarchy graph is checked against.
ALLOWED_CHILDREN: dict[Kind, frozenset[Kind]] = {
    Kind.TINH_UY: frozenset(
        {Kind.HUYEN_UY, Kind.DANG_UY_XA, Kind.DANG_UY_TRUC_THUOC, Kind.DANG_BO_CO_SO, Kind.CHI_BO_CO_SO, Kind.BAN}
    ),
    Kind.HUYEN_UY: frozenset({Kind.DANG_BO_CO_SO, Kind.CHI_BO_CO_SO, Kind.BAN}),
    Kind.DANG_UY_XA: frozenset({Kind.CHI_BO, Kind.BAN}),
    Kind.DANG_UY_TRUC_THUOC: frozenset({Kind.DANG_BO_CO_SO, Kind.CHI_BO_CO_SO, Kind.CHI_BO, Kind.BAN}),
    Kind.DANG_BO_CO_SO: frozenset({Kind.CHI_BO}),
    Kind.CHI_BO_CO_SO: frozenset(),
    Kind.CHI_BO: frozenset(),
    Kind.BAN: frozenset(),
    Kind.TINH_DOAN: frozenset(
        {Kind.HUYEN_DOAN, Kind.DOAN_KHOI, Kind.DOAN_CO_SO, Kind.CHI_DOAN_CO_SO, Kind.BAN}
    ),
    Kind.HUYEN_DOAN: frozenset({Kind.DOAN_CO_SO, Kind.CHI_DOAN_CO_SO, Kind.BAN}),
    Kind.DOAN_KHOI: frozenset({Kind.DOAN_CO_SO, Kind.CHI_DOAN_CO_SO, Kind.BAN}),
    Kind.DOAN_CO_SO: frozenset({Kind.CHI_DOAN}),
    Kind.CHI_DOAN_CO_SO: frozenset(),
    Kind.CHI_DOAN: frozenset(),
}


class Category(StrEnum):
    """Category (loại hình) of a grassroots Party organisation; chi bộ inherit their organisation's."""

    NONG_THON = "nong_thon"
    PHUONG_THI_TRAN = "phuong_thi_tran"
    CO_QUAN = "co_quan"
    DOANH_NGHIEP = "doanh_nghiep"
    SU_NGHIEP = "su_nghiep"
    LUC_LUONG_VU_TRANG = "luc_luong_vu_trang"

    @property
    def label(self) -> str:
        """The Vietnamese name of the category."""
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.NONG_THON: "nông thôn",
    Category.PHUONG_THI_TRAN: "phường, thị trấn",
    Category.CO_QUAN: "cơ quan",
    Category.DOANH_NGHIEP: "doanh nghiệp",
    Category.SU_NGHIEP: "đơn vị sự nghiệp",
    Category.LUC_LUONG_VU_TRANG: "lực lượng vũ trang",
}


@dataclass(frozen=True)
class Contacts:
    """Where a unit receives messages; any of them may be missing."""

    email: str | None = None
    phone: str | None = None
    webhook: str | None = None  # an Apprise URL for chat (Zalo OA, Telegram, Slack…)


@dataclass(frozen=True)
class Unit:
    """An organisation of the hierarchy, identified by its stable code."""

    code: str
    name: str
    kind: Kind
    parent_code: str | None = None
    category: Category | None = None
    member_count: int = 0
    contacts: Contacts = field(default_factory=Contacts)
    route_via: str | None = None  # code of the department (ban) its reports go through
    led_by: str | None = None  # for a Đoàn unit: code of the Party committee that leads it
    valid_from: date | None = None
    valid_to: date | None = None  # exclusive: the unit no longer exists from this day

    def active_on(self, day: date) -> bool:
        """A unit exists on `day` when valid_from <= day < valid_to (open ends allowed)."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )
