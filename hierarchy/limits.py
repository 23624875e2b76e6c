"""Limits on what people hand us: file size, line length, YAML shape, numbers and text.

Each check says in Vietnamese what is wrong and what would be valid; the caller adds where (file, line, field).
Files are checked before Python objects are built from them, so a hostile file costs little time and memory.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from email_validator import EmailNotValidError, validate_email
from email_validator.syntax import validate_email_local_part
from yaml.reader import ReaderError

import formats
from formats import format_day

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_LINE_CHARS",
    "MAX_MEMBERS",
    "MAX_YAML_DEPTH",
    "LimitError",
    "YamlLimits",
    "check_lines",
    "compose_yaml",
    "day_problem",
    "email_problem",
    "one_line",
    "read_bounded",
    "read_decimal",
    "read_integer",
    "shown",
    "text_problem",
    "yaml_error",
]

MAX_LINE_CHARS = 20_000
MAX_YAML_DEPTH = 50
# More members than the whole Party has (about 5.6 million): a bigger count is a typing mistake.
MAX_MEMBERS = 10_000_000
# Dates people write: from the founding of the Party to the end of the century the calendar knows.
FIRST_DAY = date(1930, 1, 1)
LAST_DAY = date(2100, 12, 31)

# Bidirectional formatting characters: they reorder what a reader sees (a name may display as another one).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NAMED = {
    "\t": "dấu tab",
    "\n": "dấu xuống dòng",
    "\r": "ký tự về đầu dòng (CR)",
    "\x00": "ký tự NUL",
    "\u200b": "dấu cách độ rộng 0",
    "\ufeff": "ký tự BOM",
}
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


class LimitError(Exception):
    """Input breaks a limit: `message` (Vietnamese) says what and what is valid, `line` (1-based) where if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _refused(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES


def shown(value: object, limit: int = 40) -> str:
    """A value quoted for a message: refused characters written as [U+XXXX], cut after `limit` characters."""
    text = str(value)
    cut = text if len(text) <= limit else text[:limit]
    if not cut.isprintable():
        cut = "".join(f"[U+{ord(c):04X}]" if _refused(c) else c for c in cut)
    if len(text) <= limit:
        return f"“{cut}”"
    return f"“{cut}…” ({formats.number(len(text))} ký tự)"


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, or LimitError when it holds more than `max_bytes`; never reads past the limit."""
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise LimitError(f"tệp lớn hơn giới hạn {formats.number(max_bytes // 1_000_000)} MB; "
                         "hãy chia thành nhiều tệp nhỏ hơn")
    return data


def check_lines(text: str, max_chars: int = MAX_LINE_CHARS) -> None:
    """LimitError at the first line longer than `max_chars` characters."""
    lines = text.split("\n")
    if max(map(len, lines), default=0) <= max_chars:
        return
    for number, line in enumerate(lines, 1):
        if len(line) > max_chars:
            raise LimitError(f"dòng dài {formats.number(len(line))} ký tự, quá giới hạn {formats.number(max_chars)} "
                             "ký tự mỗi dòng; hãy xuống dòng hoặc rút gọn nội dung", number)


@dataclass(frozen=True)
class YamlLimits:
    """How much YAML may ask for: aliases (0 refuses them), nodes after expanding aliases, nesting depth."""

    max_aliases: int
    max_nodes: int | None
    max_depth: int = MAX_YAML_DEPTH
    alias_hint: str = ""


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe composer, counting aliases and nodes (an alias counts as the nodes it stands for) and depth.

    An alias is composed as a reference to the anchored node, so a "billion laughs" file is small in memory as
    nodes; it explodes only when walked. Counting each alias as the size of its anchor refuses it before that.
    """

    def __init__(self, text: str, limits: YamlLimits) -> None:
        super().__init__(text)
        self._limits = limits
        self._depth = 0
        self._nodes = 0
        self._aliases = 0
        self._sizes: dict[str, int] = {}

    def _count(self, nodes: int, line: int) -> None:
        self._nodes += nodes
        budget = self._limits.max_nodes
        if budget is not None and self._nodes > budget:
            raise LimitError(f"tệp YAML mở ra quá {formats.number(budget)} mục (tính cả các mục bí danh “*…” "
                             "lặp lại); hãy bớt bí danh hoặc chia nhỏ tệp", line)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.check_event()  # parses the next event into current_event
        event: yaml.NodeEvent = self.current_event
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        limits = self._limits
        anchor = event.anchor
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if limits.max_aliases == 0:
                raise LimitError(f"tệp dùng bí danh YAML “*{anchor}”; {limits.alias_hint}", line)
            if self._aliases > limits.max_aliases:
                raise LimitError(f"tệp dùng quá {limits.max_aliases} bí danh YAML (“*…”); {limits.alias_hint}", line)
            size = self._sizes.get(str(anchor))
            if size is None and anchor in self.anchors:
                raise LimitError(f"bí danh “*{anchor}” nằm trong chính mục “&{anchor}” nó trỏ tới (lặp vô hạn); "
                                 "hãy bỏ bí danh đó", line)
            self._count(size or 0, line)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > limits.max_depth:
            raise LimitError(f"các mục lồng nhau quá {limits.max_depth} tầng; hãy viết phẳng hơn", line)
        start = self._nodes
        self._count(1, line)
        node = super().compose_node(parent, index)
        self._depth -= 1
        if anchor is not None:
            self._sizes[anchor] = self._nodes - start
        return node


def compose_yaml(text: str, limits: YamlLimits) -> yaml.Node | None:
    """The node tree of one YAML document within `limits`; LimitError or yaml.YAMLError (syntax) otherwise."""
    loader = _BoundedLoader(text, limits)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def yaml_error(exc: yaml.YAMLError, text: str) -> tuple[str, int | None]:
    """What a PyYAML error says and the 1-based line it points at; a character YAML refuses is named in Vietnamese."""
    if isinstance(exc, ReaderError):
        # Text input reports the code point of the character (an int), bytes input the byte itself.
        character = exc.character
        if isinstance(character, int) and exc.encoding == "unicode":
            character = chr(character)
        name = _char_name(character) if isinstance(character, str) else f"byte 0x{character:02X}"
        return f"{name} không được phép trong tệp YAML; hãy xóa ký tự đó", text.count("\n", 0, exc.position) + 1
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return str(exc.problem or exc.context), (mark.line + 1 if mark is not None else None)
    return str(exc), None


def _char_name(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = f"U+{ord(char):04X}"
    if char in _BIDI:
        return f"ký tự đảo chiều văn bản {code}"
    if unicodedata.category(char) == "Cc":
        return f"ký tự điều khiển {code}"
    return f"ký tự ẩn {code}"


def text_problem(value: str, *, max_chars: int, multiline: bool = False) -> str | None:
    """What makes `value` unfit to store, or None: a control, invisible or bidi character (with its position),
    or more than `max_chars` characters; line breaks are allowed only when `multiline`."""
    if not value.isprintable():  # fast path: printable text has none of the refused characters
        for index, char in enumerate(value, 1):
            if multiline and char == "\n":
                continue
            if _refused(char):
                where = "" if len(value) == 1 else f" ở ký tự thứ {index}"
                return (f"có {_char_name(char)}{where}, không được phép; hãy xóa ký tự đó (chỉ ghi chữ, số, "
                        "dấu câu và dấu cách)")
    if len(value) > max_chars:
        return f"dài {formats.number(len(value))} ký tự, quá giới hạn {formats.number(max_chars)} ký tự"
    return None


def one_line(value: str) -> str:
    """`value` on one line for a header or a title: control, invisible and bidi characters become spaces, and
    runs of spaces one space."""
    if value.isprintable():
        return value
    return " ".join("".join(" " if _refused(char) else char for char in value).split())


MAX_EMAIL_CHARS = 200
EMAIL_EXAMPLE = "cb01@quangtri.dcs.vn"


def email_problem(value: str) -> str | None:
    """What keeps `value` from being one e-mail address (local@domain in ASCII, no display name, RFC 5322 syntax
    as email-validator reads it, without a DNS look-up), or None."""
    problem = text_problem(value, max_chars=MAX_EMAIL_CHARS)
    if problem is not None:
        return problem
    if any(sep in value for sep in (",", ";", " ", "<", ">")) or value.count("@") > 1:
        return ("phải là đúng một địa chỉ email (mỗi ô một địa chỉ, không kèm tên hay dấu phẩy), "
                f"ví dụ {EMAIL_EXAMPLE}")
    if not value.isascii():
        # Mail servers of the offices take ASCII addresses; an accented domain has its xn-- spelling.
        return (f"có chữ có dấu hoặc ký tự đặc biệt; địa chỉ email chỉ ghi chữ không dấu, số và các dấu . - _, "
                f"ví dụ {EMAIL_EXAMPLE} (tên miền có dấu ghi theo dạng xn--…)")
    local, _, domain = value.partition("@")
    try:
        if len(local) > 64:  # RFC 5321's limit, which validate_email applies to the whole address only
            raise EmailNotValidError("local part too long")
        validate_email_local_part(local, allow_smtputf8=False)
        _check_domain(domain)
    except EmailNotValidError:
        return f"không phải một địa chỉ email hợp lệ; hãy ghi dạng tên@tên-miền, ví dụ {EMAIL_EXAMPLE}"
    return None


@lru_cache(maxsize=4096)
def _check_domain(domain: str) -> None:
    # The domain is most of the library's work (about 45 µs) and a province's units share a handful of them.
    validate_email(f"postmaster@{domain}", check_deliverability=False, allow_smtputf8=False)


def day_problem(day: date, first: date = FIRST_DAY, last: date = LAST_DAY) -> str | None:
    """Why `day` is out of the range people may write, or None."""
    if first <= day <= last:
        return None
    return f"nằm ngoài khoảng hợp lệ; hãy ghi một ngày từ {format_day(first)} đến {format_day(last)}"


# Vietnamese group thousands with dots (1.234.567) and write decimals with a comma (12,5).
_PLAIN = re.compile(r"^-?\d{1,30}$")
_GROUPED = re.compile(r"^-?[1-9]\d{0,2}(?:[. ]\d{3})+$")
_DECIMAL = re.compile(r"^-?(?:\d{1,30}|[1-9]\d{0,2}(?:[. ]\d{3})+)(?:,\d{1,15})?$")
_POINT_DECIMAL = re.compile(r"^-?\d{1,30}\.\d{1,15}$")


def read_integer(text: str) -> int | None:
    """An integer as people type it: 1234, 1.234 or 1 234 (dots or spaces between thousands); None otherwise."""
    text = text.strip()
    if _PLAIN.match(text):
        return int(text)
    if _GROUPED.match(text):
        return int(text.replace(".", "").replace(" ", ""))
    return None


def read_decimal(text: str) -> float | None:
    """A number as people type it: 1.234 (thousands), 12,5 or 1.234,5 (decimal comma), 0.85; None otherwise."""
    text = text.strip()
    whole = read_integer(text)
    if whole is not None:
        return float(whole)
    if _DECIMAL.match(text):
        return float(text.replace(".", "").replace(" ", "").replace(",", "."))
    if _POINT_DECIMAL.match(text):
        return float(text)
    return None
