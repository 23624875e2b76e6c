"""Words of administrative Vietnamese the drafter recognises: document kinds, unit kinds, proper case."""

from __future__ import annotations

import re
import unicodedata

from hierarchy.model import Kind

__all__ = ["KIND_WORDS", "NUMBER", "STATE_NUMBER", "clean", "fold", "kind_word", "proper", "repair", "unit_kinds"]

# The kind line of a document and its code in a number ("47-KH/TU").
KIND_WORDS: dict[str, str] = {
    "KẾ HOẠCH LIÊN TỊCH": "KHLT", "KẾ HOẠCH PHỐI HỢP": "KHPH", "KẾ HOẠCH": "KH", "NGHỊ QUYẾT": "NQ",
    "CHỈ THỊ": "CT", "KẾT LUẬN": "KL", "HƯỚNG DẪN": "HD", "CÔNG VĂN": "CV", "BÁO CÁO": "BC", "THÔNG BÁO": "TB",
    "QUY ĐỊNH": "QĐi", "CHƯƠNG TRÌNH HÀNH ĐỘNG": "CTr", "CHƯƠNG TRÌNH": "CTr", "QUYẾT ĐỊNH": "QĐ",
}
# The state way of writing a number, kept as written: "Số: 50/KH-ĐTN", "Số: 80 /KHĐH/PL-ĐTN".
STATE_NUMBER = re.compile(r"(?P<serial>\d{1,5})\s*/\s*(?P<kind>[A-ZĐ][A-ZĐ]{1,6})"
                          r"(?P<body>(?:\s*[-/]\s*[A-ZĐƯ][A-ZĐƯ]*)+)")
# A document number as printed: "47-KH/TU", "Số: 109 - KH/ĐTN", "298 KH/TWĐTN", "225 - KH/TWĐTN-CTTN".
NUMBER = re.compile(r"(?P<serial>\d{1,5})\s*[-–]?\s*(?P<kind>[A-ZĐ][A-Za-zĐđ]{1,5})\s*/\s*"
                    r"(?P<body>[A-ZĐƯ][A-Za-zĐđƯưỦủ]*(?:\s*[-–]\s*[A-ZĐƯ][A-Za-zĐđƯưỦủ]*)*)")


def fold(text: str) -> str:
    """Text for comparing: NFC, lowercase, "uỷ" spelled "ủy", spaces collapsed, edge punctuation dropped."""
    text = unicodedata.normalize("NFC", text).lower()
    # Old-style tone marks on a final "oa"/"uy" ("hoà", "uỷ") are the same word as "hòa", "ủy".
    for old, new in (("uỷ", "ủy"), ("oà", "òa"), ("oá", "óa"), ("oạ", "ọa"), ("uý", "úy")):
        text = re.sub(rf"{old}\b", new, text)
    text = text.replace("–", "-")
    return " ".join(text.split()).strip(" ,;.:")


def clean(line: str) -> str:
    """A source line without markup: bold markers and tabs are spaces, edge spaces dropped."""
    return " ".join(line.replace("**", " ").replace("\t", " ").replace("\u00a0", " ").split())


_PROPER = [
    ("ban chấp hành", "Ban Chấp hành"), ("ban thường vụ", "Ban Thường vụ"), ("ban bí thư", "Ban Bí thư"),
    ("trung ương đoàn", "Trung ương Đoàn"), ("trung ương", "Trung ương"),
    ("phó bí thư", "Phó Bí thư"), ("bí thư", "Bí thư"),
    ("thường trực", "Thường trực"), ("phó trưởng ban", "Phó Trưởng ban"), ("trưởng ban", "Trưởng ban"),
    ("chánh văn phòng", "Chánh Văn phòng"), ("văn phòng", "Văn phòng"), ("ban tổ chức", "Ban Tổ chức"),
    ("ban tuyên giáo", "Ban Tuyên giáo"), ("ban dân vận", "Ban Dân vận"), ("đoàn tncs hồ chí minh",
                                                                                "Đoàn TNCS Hồ Chí Minh"),
    ("(?<!tỉnh )(?<!huyện )(?<!thành )(?<!thị )đoàn", "Đoàn"),
    ("đảng ủy khối", "Đảng ủy Khối"), ("đảng ủy", "Đảng ủy"), ("đảng bộ", "Đảng bộ"),
    ("(?<=của )đảng(?! viên| ủy| bộ)", "Đảng"),
    ("bch", "BCH"), ("btv", "BTV"),
]
_UNIT_WORD = re.compile(r"\b(tỉnh ủy|thành ủy|huyện ủy|thị ủy|tỉnh đoàn|thành đoàn|huyện đoàn|thị đoàn|"
                        r"đảng bộ tỉnh|đảng bộ|đảng ủy khối|đảng ủy|đoàn khối|đoàn tỉnh|đoàn huyện)\b")


def _bare(text: str) -> str:
    """Base letters only, capitals, no spaces: "K ÉT LUẬN" and "KẾT LUẬN" are both "KETLUAN"."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in text if not unicodedata.combining(c) and not c.isspace()).upper()


_BARE_KINDS = sorted(((_bare(w), w) for w in KIND_WORDS), key=lambda item: len(item[0]), reverse=True)


def kind_word(text: str) -> tuple[str, str, str] | None:
    """The kind word a line begins with, as (its KIND_WORDS key, the words as written, the rest of the line);
    tone marks and spaces inside the word are not compared, since PDF text layers break them ("K ÉT LUẬN")."""
    letters = [i for i, c in enumerate(text[:60]) if not c.isspace()]  # the longest kind word is 22 letters
    bare = _bare(text[: letters[min(len(letters), 24) - 1] + 1]) if letters else ""
    for key, word in _BARE_KINDS:
        if not bare.startswith(key) or len(letters) < len(key):
            continue
        end = letters[len(key) - 1] + 1
        if end < len(text) and text[end].isalpha():
            continue  # a longer word ("KẾ HOẠCHS…") or glued text
        return word, text[:end], text[end:].strip()
    return None


# Fixed phrases of titles whose tone mark a PDF font loses ("LÂN THỨ BẢY" for "LẦN THỨ BẢY").
_LOST_MARKS = [(re.compile(r"\blân thứ\b"), "lần thứ"), (re.compile(r"\bLÂN THỨ\b"), "LẦN THỨ")]


def repair(text: str) -> str:
    """A title with the tone marks of its fixed phrases put back (_LOST_MARKS)."""
    for pattern, right in _LOST_MARKS:
        text = pattern.sub(right, text)
    return text


def proper(text: str) -> str:
    """A heading in capitals (or a copy that lost its capitals) in the case documents use in running text:
    "TỈNH UỶ QUẢNG TRỊ" → "Tỉnh ủy Quảng Trị", "ban chấp hành tỉnh Hà Tây" → "Ban Chấp hành tỉnh Hà Tây"."""
    if any(ch.islower() for ch in text):
        if not text.strip()[:1].islower():
            return text.strip()
        out = text.strip()
        for old, new in _PROPER:
            out = re.sub(rf"\b{old}\b", new, out, flags=re.IGNORECASE)
        return out[:1].upper() + out[1:]
    low = fold(text)
    out = low[:1].upper() + low[1:]
    for word in ("tỉnh ủy", "thành ủy", "huyện ủy", "thị ủy", "tỉnh đoàn", "thành đoàn", "huyện đoàn", "thị đoàn"):
        out = re.sub(rf"\b{word}\b", word[0].upper() + word[1:], out)
    for old, new in _PROPER:
        out = re.sub(rf"\b{old}\b", new, out, flags=re.IGNORECASE)
    # Words after the unit word are a place name ("Tỉnh ủy Quảng Trị"): each word capitalised.
    m = _UNIT_WORD.search(out.lower())
    if m and m.end() < len(out) and not out[m.end():].lower().startswith(" các "):  # "… Khối các cơ quan"
        head, tail = out[: m.end()], out[m.end():]
        out = head + " ".join(w[:1].upper() + w[1:] for w in tail.split(" "))
    # A congress's or a conference's number stays a Roman numeral ("khóa XVI", "lần thứ XIV").
    out = re.sub(r"(?i)(?<=khóa )[ivxl]+\b|(?<=lần thứ )[ivxl]+\b|(?<=đại hội )[ivxl]+\b", lambda m: m[0].upper(),
                 out)
    return out[:1].upper() + out[1:]


_KIND_PATTERNS: list[tuple[re.Pattern[str], tuple[Kind, ...]]] = [
    (re.compile(r"huyện(?:, thị)?(?:, thành)? ủy|huyện, thành ủy|thị ủy|thành ủy(?! phố)"), (Kind.HUYEN_UY,)),
    (re.compile(r"đảng ủy (?:các )?(?:xã|phường|đặc khu)"), (Kind.DANG_UY_XA,)),
    (re.compile(r"đảng ủy trực thuộc|đảng ủy khối|đảng ủy cơ quan|đảng ủy công an|đảng ủy quân sự"),
     (Kind.DANG_UY_TRUC_THUOC,)),
    (re.compile(r"\btccs\b|tổ chức cơ sở đảng|đảng bộ cơ sở|cơ sở đảng"), (Kind.DANG_BO_CO_SO,)),
    (re.compile(r"(?<!đảng viên trong )\bchi bộ\b(?! đảng trong việc)"), (Kind.CHI_BO, Kind.CHI_BO_CO_SO)),
    (re.compile(r"tỉnh, thành đoàn|các tỉnh đoàn|thành đoàn trực thuộc trung ương"), (Kind.TINH_DOAN,)),
    (re.compile(r"huyện(?:, thị)?(?:, thành)? đoàn|thị đoàn|thành đoàn"), (Kind.HUYEN_DOAN,)),
    (re.compile(r"đoàn khối"), (Kind.DOAN_KHOI,)),
    (re.compile(r"đoàn cơ sở|cơ sở đoàn|đoàn trực thuộc|đoàn trường"), (Kind.DOAN_CO_SO,)),
    (re.compile(r"\bchi đoàn\b"), (Kind.CHI_DOAN,)),
    (re.compile(r"\bcác ban\b|\bban (?:tổ chức|tuyên giáo|dân vận|kiểm tra|chuyên môn|tc)\b|văn phòng tỉnh ủy"),
     (Kind.BAN,)),
]


def unit_kinds(text: str) -> tuple[list[str], list[str]]:
    """Unit kinds named in a sentence (hierarchy.model.Kind values, in order) and the words that named them."""
    low = fold(text)
    kinds: list[str] = []
    words: list[str] = []
    for pattern, found in _KIND_PATTERNS:
        m = pattern.search(low)
        if m is None:
            continue
        words.append(m.group(0))
        # The words are spent: "tỉnh, thành đoàn" must not also read as a "thành đoàn" (district level).
        low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end():]
        kinds.extend(k.value for k in found if k.value not in kinds)
    return kinds, words
