"""The form of an issuing organisation, by its kind, as data: header lines, signature forms, vocabulary, Nơi nhận.

Party documents follow the Party's rules on the form of documents (Quy định 399-QĐ/TW, Hướng dẫn of the
Văn phòng Trung ương): "ĐẢNG CỘNG SẢN VIỆT NAM" underlined on the right, the issuing body and "*" on the left,
"Số 47-KH/TU" without a colon, signature forms T/M, K/T, T/L. Đoàn documents follow the Đoàn's own rules:
"ĐOÀN TNCS HỒ CHÍ MINH", "BCH ĐOÀN TỈNH …", "***", "Số: 150-KH/TĐTN", forms "TM.", "KT.", "TL.".
Templates and the .docx builders take every word that differs between the two from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hierarchy.model import DOAN_KINDS, Kind

__all__ = [
    "DOAN",
    "HEADER_CHARS",
    "KIND_NAMES",
    "PARTY",
    "Family",
    "OrganisationForm",
    "about",
    "family_of",
    "header_lines",
    "kind_name",
    "organisation_form",
    "lower_units_phrase",
    "short_name",
]


@dataclass(frozen=True)
class Family:
    """What every document of one organisation family shares: the national line, the star, the number label,
    how signature forms are written, and the words for its organisations and members."""

    key: str
    national: str
    star: str
    number_label: str
    # "T/M" as a plan writes it → as this family prints it.
    forms: tuple[tuple[str, str], ...]
    organisation: str
    organisations: str
    member: str
    members: str
    cell: str
    grassroots: str
    whole: str
    above_word: str
    committees: str  # who leads the units below: "cấp ủy" for the Party, "cấp bộ đoàn" for the Đoàn

    def form(self, form: str) -> str:
        """A signature form as this family prints it ("T/M" → "TM." for the Đoàn); unknown forms pass as given."""
        return dict(self.forms).get(form, form)


PARTY = Family(
    key="dang",
    national="ĐẢNG CỘNG SẢN VIỆT NAM",
    star="*",
    number_label="Số",
    forms=(("T/M", "T/M"), ("K/T", "K/T"), ("T/L", "T/L")),
    organisation="tổ chức đảng",
    organisations="các tổ chức đảng",
    member="đảng viên",
    members="đảng viên",
    cell="chi bộ",
    grassroots="tổ chức cơ sở đảng",
    whole="Toàn Đảng bộ",
    above_word="Đảng bộ",
    committees="cấp ủy",
)

DOAN = Family(
    key="doan",
    national="ĐOÀN TNCS HỒ CHÍ MINH",
    star="***",
    number_label="Số:",
    forms=(("T/M", "TM."), ("K/T", "KT."), ("T/L", "TL.")),
    organisation="tổ chức đoàn",
    organisations="các tổ chức đoàn",
    member="đoàn viên",
    members="đoàn viên",
    cell="chi đoàn",
    grassroots="cơ sở đoàn",
    whole="Toàn Đoàn",
    above_word="Đoàn",
    committees="cấp bộ đoàn",
)

# A directive's kind (the code in its number) as its name is written in a sentence: "Kế hoạch số 47-KH/TU".
KIND_NAMES = {"KH": "Kế hoạch", "KHLT": "Kế hoạch liên tịch", "KHPH": "Kế hoạch phối hợp", "NQ": "Nghị quyết",
              "CT": "Chỉ thị", "KL": "Kết luận", "HD": "Hướng dẫn", "CV": "Công văn", "TB": "Thông báo"}


def kind_name(kind: str) -> str:
    """The name a sentence gives a directive of this kind ("CV" → "Công văn"); "Văn bản" when unknown."""
    return KIND_NAMES.get(kind, "Văn bản")


def about(title: str) -> str:
    """The trích yếu as it follows "… của <issuer>": "về <title>", and no second "về" when the title itself opens
    with "Về việc" (a công văn's)."""
    subject = title[:1].lower() + title[1:]
    return subject if subject.startswith("về ") else f"về {subject}"

# How the units of a kind are named as a group in "Kính gửi" and "Nơi nhận" ("các huyện, thị, thành ủy").
_GROUP_WORDS: dict[Kind, str] = {
    Kind.HUYEN_UY: "huyện, thị, thành ủy",
    Kind.DANG_UY_XA: "đảng ủy xã, phường, đặc khu",
    Kind.DANG_UY_TRUC_THUOC: "đảng ủy trực thuộc",
    Kind.DANG_BO_CO_SO: "tổ chức cơ sở đảng trực thuộc",
    Kind.CHI_BO_CO_SO: "tổ chức cơ sở đảng trực thuộc",
    Kind.CHI_BO: "chi bộ trực thuộc",
    Kind.BAN: "ban, văn phòng",
    Kind.HUYEN_DOAN: "huyện, thị, thành đoàn",
    Kind.DOAN_KHOI: "Đoàn Khối",
    Kind.DOAN_CO_SO: "cơ sở đoàn trực thuộc",
    Kind.CHI_DOAN_CO_SO: "cơ sở đoàn trực thuộc",
    Kind.CHI_DOAN: "chi đoàn trực thuộc",
}
_GROUP_ORDER = list(_GROUP_WORDS)

# Kinds whose name begins with a two-word title ("Tỉnh ủy", "Huyện đoàn"); others are named by their label.
_TWO_WORD_TITLES = {Kind.TINH_UY, Kind.HUYEN_UY, Kind.TINH_DOAN, Kind.HUYEN_DOAN}


def family_of(kind: Kind | str) -> Family:
    """Đoàn kinds write in the Đoàn's form; every other kind (Party committees, bodies, departments) in the Party's."""
    return DOAN if Kind(kind) in DOAN_KINDS else PARTY


def short_name(name: str, kind: Kind | str) -> str:
    """The title a committee goes by inside its own documents: "Tỉnh ủy", "Đảng ủy Khối", "Tỉnh đoàn", "Đoàn Khối"."""
    kind = Kind(kind)
    words = name.split()
    if kind in _TWO_WORD_TITLES and len(words) >= 2:
        return " ".join(words[:2])
    if kind in (Kind.DANG_UY_TRUC_THUOC, Kind.DOAN_KHOI) and "Khối" in words:
        return " ".join(words[: words.index("Khối") + 1])
    if kind == Kind.DANG_UY_XA and len(words) >= 3:
        return " ".join(words[:3])
    return name


def lower_units_phrase(kinds: Iterable[Kind | str]) -> str:
    """The units below, named as a group by their kinds: {huyen_uy, dang_uy_truc_thuoc} → "các huyện, thị,
    thành ủy, đảng ủy trực thuộc"."""
    present = {Kind(k) for k in kinds}
    words = list(dict.fromkeys(_GROUP_WORDS[k] for k in _GROUP_ORDER if k in present))
    return "các " + ", ".join(words) if words else "các đơn vị trực thuộc"


# Upper-case characters of Times New Roman 14 bold that fit the header's left column (7,8 cm less the cell margins):
# "BAN TUYÊN GIÁO VÀ DÂN VẬN" (25, 7,4 cm) fits; "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH" (29, 8,0 cm) does not.
HEADER_CHARS = 25


# Words that open the second part of a unit's name, where an office breaks a long header: "CÁC CƠ QUAN TỈNH" first,
# then "CƠ QUAN …", "ỦY BAN …", "TRƯỜNG …", "ĐẠI HỌC …", "SỞ …", "BỆNH VIỆN …", "CÔNG TY …".
_BREAKS_BEFORE = (("CÁC",), ("CƠ", "QUAN"), ("ỦY", "BAN"), ("TRƯỜNG",), ("ĐẠI", "HỌC"), ("SỞ",), ("BỆNH", "VIỆN"),
                  ("CÔNG", "TY"))


def header_lines(name: str, limit: int = HEADER_CHARS) -> list[str]:
    """A header name too long for its column, broken between words where an office breaks it: before "CÁC"
    ("BCH ĐOÀN KHỐI" / "CÁC CƠ QUAN TỈNH"), else before the phrase that opens the rest of the name ("ĐẢNG ỦY CƠ
    QUAN" / "ỦY BAN NHÂN DÂN TỈNH"), else where the lines come out most even; a name that fits stays whole."""
    words = name.split()
    if len(name) <= limit or len(words) < 2:
        return [name]

    def opens(cut: int, phrase: tuple[str, ...]) -> bool:
        return tuple(w.upper() for w in words[cut:cut + len(phrase)]) == phrase

    def uneven(cut: int) -> int:
        return abs(len(" ".join(words[:cut])) - len(" ".join(words[cut:])))

    fitting = [c for c in range(1, len(words)) if len(" ".join(words[:c])) <= limit]
    for preferred in ([c for c in fitting if opens(c, ("CÁC",))],
                      [c for c in fitting if any(opens(c, phrase) for phrase in _BREAKS_BEFORE)
                       and len(" ".join(words[c:])) <= limit],
                      fitting or list(range(1, len(words)))):
        if preferred:
            cut = min(preferred, key=uneven)
            return [" ".join(words[:cut]), *header_lines(" ".join(words[cut:]), limit)]
    return [name]


def _doan_header(name: str) -> str:
    # "Tỉnh đoàn Trà Vinh" signs as its executive committee: "BCH ĐOÀN TỈNH TRÀ VINH".
    words = name.split()
    if len(words) >= 2 and words[1].lower() == "đoàn" and words[0].lower() != "đoàn":
        return " ".join(["BCH", "ĐOÀN", words[0], *words[2:]]).upper()
    if words and words[0].lower() == "đoàn":
        return f"BCH {name}".upper()
    return name.upper()


def _above(root_name: str | None, family: Family) -> str | None:
    # Below the top, a committee's header names the whole organisation it belongs to: "ĐẢNG BỘ TỈNH QUẢNG TRỊ".
    if not root_name:
        return None
    words = root_name.split()
    place = " ".join(words[2:]) if len(words) > 2 else root_name
    level = words[0].lower() if words else ""
    if family is DOAN:
        return f"TỈNH ĐOÀN {place}".upper() if level in ("tỉnh", "thành") else root_name.upper()
    return f"{family.above_word} {level} {place}".upper()


@dataclass(frozen=True)
class OrganisationForm:
    """How one organisation presents itself in its documents: its header lines, the collective that signs,
    its standing office and the words of its family."""

    name: str
    kind: Kind
    family: Family
    header_above: str | None
    header_name: str
    short: str

    @property
    def standing_committee(self) -> str:
        """"Ban Thường vụ Tỉnh ủy": the collective that signs T/M and to which results are reported."""
        return f"Ban Thường vụ {self.short}"

    @property
    def standing(self) -> str:
        """"Thường trực Tỉnh ủy": who a routine letter signed by order reports to ("để b/c")."""
        return f"Thường trực {self.short}"

    @property
    def office(self) -> str:
        """"Văn phòng Tỉnh ủy": the office that follows up, keeps the file and signs routine letters by order."""
        return f"Văn phòng {self.short}"

    @property
    def filing(self) -> str:
        """The file copy's line in Nơi nhận: "Lưu Văn phòng Tỉnh ủy" as Party offices write it, "Lưu VP Tỉnh đoàn"
        as the Đoàn abbreviates its Nơi nhận, and a department keeps its own ("Lưu Ban Tuyên giáo")."""
        if self.kind == Kind.BAN:
            return f"Lưu {self.short}"
        return f"Lưu {'Văn phòng' if self.family is PARTY else 'VP'} {self.short}"

    def collective(self, body: str | None = None) -> str:
        """The collective after T/M or T/L, upper case: Party forms omit the committee ("BAN THƯỜNG VỤ"), the Đoàn
        names it ("BAN THƯỜNG VỤ TỈNH ĐOÀN")."""
        if body:
            return body.upper()
        return ("Ban Thường vụ" if self.family is PARTY else self.standing_committee).upper()


def organisation_form(name: str, kind: Kind | str, *, root_name: str | None = None,
                      committee: str | None = None, committee_kind: Kind | str | None = None) -> OrganisationForm:
    """The form of an organisation from its name and kind; `root_name` is the top of its hierarchy (for the line
    above a lower committee), `committee` the committee a department (ban) belongs to."""
    kind = Kind(kind)
    if kind == Kind.BAN and committee:
        family = family_of(committee_kind or Kind.TINH_UY)
        # A department names its committee above itself: "TỈNH ỦY QUẢNG TRỊ" / "BAN TUYÊN GIÁO".
        words, committee_words = name.split(), committee.split()
        department = name
        for cut in range(1, len(words)):
            if committee_words[: len(words) - cut] == words[cut:]:
                department = " ".join(words[:cut])
                break
        header_committee = _doan_header(committee) if family is DOAN else committee.upper()
        return OrganisationForm(name, kind, family, header_committee, department.upper(), department)
    family = family_of(kind)
    header = _doan_header(name) if family is DOAN else name.upper()
    above = None if kind in (Kind.TINH_UY, Kind.TINH_DOAN) or root_name == name else _above(root_name, family)
    return OrganisationForm(name, kind, family, above, header, short_name(name, kind))
