"""The text of a document as it arrives: .txt, .docx, or .pdf with a text layer; refusals are `IntakeError`.

Rules:
- A file larger than MAX_DOCUMENT_BYTES is refused before it is parsed (a plan is a few hundred kilobytes;
  a Word file with pictures a few megabytes).
- .txt is UTF-8 (with or without BOM), else UTF-16 with BOM, else Windows-1258 (the Vietnamese code page
  older offices still save in); text comes back NFC with Windows and old Mac line ends made "\n".
- .docx: paragraphs and tables in body order, table cells row by row (headers of plans are laid out in tables).
- .pdf: the text layer page by page; an encrypted file, or one whose pages give almost no text (a scan),
  is refused: the drafter reads words, not pictures. Lines the PDF wrapped are joined back into paragraphs,
  so the line numbers of a PDF draft count those paragraphs.
- A document copied from a web page as one paragraph (header, body, Nơi nhận and signature run together) is
  cut back into lines where documents begin one (`relined`, used by the drafter); line numbers count those.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

import formats
from errors import InputError, Problem
from hierarchy.limits import LimitError, read_bounded

__all__ = ["MAX_DOCUMENT_BYTES", "SUFFIXES", "IntakeError", "place_start", "read_document", "read_upload", "relined",
           "text_of"]

MAX_DOCUMENT_BYTES = 20_000_000
SUFFIXES = (".txt", ".docx", ".pdf")
# Fewer letters than this per page means the PDF is a picture of paper (scanned), not text.
_MIN_LETTERS_PER_PAGE = 40


class IntakeError(InputError):
    """A document the drafter cannot read: the message says which file, what is wrong and what would do."""


def _refuse(path: Path | str, message: str) -> IntakeError:
    return IntakeError([Problem(message, source=str(path))])


def _suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise _refuse(name, f"không đọc được tệp “{Path(name).suffix or '(không có đuôi)'}”; "
                            "chỉ nhận văn bản .docx, .pdf (có lớp chữ) hoặc .txt")
    return suffix


def read_document(path: Path) -> str:
    """The NFC text of a .txt, .docx or .pdf file; IntakeError (nothing else) when it cannot be read."""
    suffix = _suffix(str(path))
    try:
        data = read_bounded(path, MAX_DOCUMENT_BYTES)
    except LimitError as exc:
        raise _refuse(path, f"{exc.message} (giới hạn {formats.number(MAX_DOCUMENT_BYTES // 1_000_000)} MB "
                            "cho một văn bản)") from None
    except OSError as exc:
        raise _refuse(path, f"không mở được tệp ({exc.strerror})") from None
    return text_of(data, suffix, name=str(path))


def read_upload(data: bytes, name: str) -> str:
    """The NFC text of an uploaded document, judged like a file on disk: by its name's suffix, size and content."""
    return text_of(data, _suffix(name), name=name)


def text_of(data: bytes, suffix: str, *, name: str = "văn bản") -> str:
    """The NFC text of a document's bytes, by file type (".txt", ".docx", ".pdf")."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _refuse(name, f"tệp lớn hơn giới hạn {formats.number(MAX_DOCUMENT_BYTES // 1_000_000)} MB "
                            "cho một văn bản")
    if suffix == ".docx":
        text = _docx_text(data, name)
    elif suffix == ".pdf":
        text = _pdf_text(data, name)
    else:
        text = _plain_text(data)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise _refuse(name, "tệp không có chữ nào; hãy gửi bản .docx hoặc .pdf có lớp chữ của văn bản")
    return text


def _plain_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Offices still save plain text in the Vietnamese Windows code page; every byte maps, so this never fails.
        return data.decode("cp1258", errors="replace")


def _docx_text(data: bytes, name: str) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: either an old .doc renamed, or a Word file protected by a password.
        raise _refuse(name, "tệp Word được mã hóa bằng mật khẩu hoặc là tệp .doc cũ; hãy mở bằng Word, "
                            "bỏ mật khẩu và lưu lại dạng .docx")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise _refuse(name, f"tệp không phải văn bản Word .docx hợp lệ ({type(exc).__name__}); "
                            "hãy lưu lại bằng Word dạng .docx") from None
    from docx.table import Table

    # Body order matters: the header (issuer, number, place and date) usually sits in a table above the title.
    lines: list[str] = []
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            lines.append(block.text)
            continue
        for row in block.rows:
            seen: list[str] = []
            for cell in row.cells:
                if cell.text not in seen:  # merged cells repeat their text once per grid column
                    seen.append(cell.text)
            lines.extend(seen)
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise _refuse(name, "tệp PDF được mã hóa (có mật khẩu); hãy gửi bản PDF không đặt mật khẩu "
                                "hoặc bản .docx")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IntakeError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _refuse(name, f"tệp PDF bị hỏng, không đọc được ({type(exc).__name__}); "
                            "hãy xuất lại PDF hoặc gửi bản .docx") from None
    letters = sum(len(re.findall(r"[^\W\d_]", page)) for page in pages)
    if not pages or letters < _MIN_LETTERS_PER_PAGE * len(pages):
        raise _refuse(name, f"tệp PDF {formats.number(len(pages))} trang không có lớp chữ (bản quét, chỉ có hình "
                            "ảnh); hãy gửi bản .docx hoặc PDF xuất từ Word, hoặc nhận dạng chữ (OCR) trước")
    return "\n".join(_unwrap(page) for page in pages)


def _unwrap(page: str) -> str:
    """Rejoin the lines a PDF wrapped: a line ending in a space, or followed by one that starts in lowercase."""
    page = re.sub(r"[ \t]+\n(?=\S)", " ", page)
    return re.sub(r"(?<![.:;!?])\n(?=[^\W\d_A-ZĐÀ-Ỹ])", " ", page)


# A document copied from a web page as one paragraph: the marks that begin a line in the document itself.
_FLAT_MIN = 300
_MOTTOS = r"ĐOÀN TNCS HỒ CHÍ MINH|ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG H(?:ÒA|OÀ) XÃ HỘI CHỦ NGHĨA VIỆT NAM"
_LEAD_MOTTO = re.compile(r"^(?i:đoàn tncs hồ chí minh|đảng cộng sản việt nam)\s+(?=\w)")
_NUMBER_MARK = re.compile(r"\bSố\s*:\s*(?:\d{1,5}\s*[-–]?\s*)?[A-ZĐ]{1,6}\s*/\s*[A-ZĐƯ][A-ZĐƯ]*(?:-[A-ZĐƯ]+)*")
_DATE_MARK = re.compile(r",\s*ngày\s+(?:\d{1,2}\s+)?tháng\s+(?:\d{1,2}\s+)?năm\s+\d{4}")
_CAPS_KIND = re.compile(r"(?<![^\W\d_])(?:KẾ HOẠCH|QUYẾT ĐỊNH|HƯỚNG DẪN|CHỈ THỊ|KẾT LUẬN|NGHỊ QUYẾT|THÔNG BÁO|"
                        r"QUY ĐỊNH|CHƯƠNG TRÌNH|CÔNG VĂN)(?![^\W\d_])")
# Letters by case: a range such as À-Ỹ mixes both cases in Unicode, so each class is listed.
_UP = "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isalpha() and c.isupper())
_LOW = "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isalpha() and c.islower())
U, L = f"[A-Z{_UP}]", f"[a-z{_LOW}]"
_UNIT_BEFORE_PLACE = re.compile(r"(?i)\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường)$")


def place_start(text: str, comma: int) -> int:
    """Where the place before ", ngày" begins: its last run of capitalised words (with a district's number,
    "Quận 6"); in a header flattened into one line, the issuer's place name after "tỉnh"/"huyện" (two words,
    "tỉnh Hà Tây Hà Đông, ngày …") is not part of it."""
    words = list(re.finditer(r"\S+", text[:comma]))
    run: list[re.Match[str]] = []
    for w in reversed(words):
        word = w.group(0)
        if word.isdigit() or (word[:1].isupper() and (len(word) == 1 or not word[1:].isupper())):
            run.insert(0, w)
        else:
            break
    while run and run[0].group(0).isdigit():
        run.pop(0)
    if not run:
        return comma
    if len(run) >= 4 and _UNIT_BEFORE_PLACE.search(text[: run[0].start()].rstrip()):
        run = run[2:]
    return run[0].start()


def relined(text: str) -> str:
    """The text with each line flattened from a whole document (longer than _FLAT_MIN, with at least two of the
    number, the date line, a kind word in capitals and "Nơi nhận") cut back into lines where documents begin one:
    the motto, "Số:", the place and date, the kind word, "Về việc", Roman and numbered headings, "Điều N.", the
    "- " items, "Nơi nhận:", the signature form (T/M, K/T, T/L) and its title, "(đã ký)" and a heading in
    capitals after running text."""
    return "\n".join(_cut(line) if _flattened(line) else line for line in text.split("\n"))


def _flattened(line: str) -> bool:
    if len(line) < _FLAT_MIN:
        return False
    marks = (_NUMBER_MARK.search(line), _DATE_MARK.search(line), _CAPS_KIND.search(line[:600]),
             re.search(r"(?i)\bnơi nhận\s*:", line))
    return sum(m is not None for m in marks) >= 2


def _cut(line: str) -> str:
    # A motto glued to the cell before it ("…-VPĐOÀN TNCS HỒ CHÍ MINH") first, so no number swallows its letters.
    return "\n".join(_cut_piece(piece) for piece in re.split(rf"(?<={U})(?=" + _MOTTOS + ")", line))


def _cut_piece(line: str) -> str:
    cuts: set[int] = set()
    if m := _LEAD_MOTTO.match(line):
        cuts.add(m.end())
    for m in re.finditer(r"\*{3}", line):
        cuts.update((m.start(), m.end()))
    for m in _NUMBER_MARK.finditer(line):
        cuts.update((m.start(), m.end()))
    for m in _DATE_MARK.finditer(line):
        cuts.update((place_start(line, m.start()), m.end()))
    for m in _CAPS_KIND.finditer(line):
        cuts.add(m.start())
    # A capitals heading glued to the running text that follows it ("QUYẾT ĐỊNHVề việc …").
    for m in re.finditer(rf"(?<={U}{U})(?={U}{L})", line):
        if _CAPS_KIND.search(line[max(0, m.start() - 20): m.start()]):
            cuts.add(m.start())
    patterns = (rf"\s(?=Kế hoạch\s+{U})", rf"\s(?=(?:I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s+{U})",
                rf"(?<!Điều)\s(?=\d{{1,2}}\.\s+{U})", r"\s(?=Điều\s+\d+\.)",
                rf"(?<![\d\s]\s)(?<=[\s;:.]|{U})(?=-\s+{U})",
                r"(?i)\s(?=nơi nhận\s*:)", rf"\s(?=(?:T/M|TM\.|K/T|KT\.|T/L|TL\.)\s+{U})", r"-{3,}",
                r"(?i)\(đã ký\)", rf"(?<={L})\s+(?=(?:{U}{{2,}}\s+){{2}}{U}{{2,}})")
    for pattern in patterns:
        for m in re.finditer(pattern, line):
            cuts.update((m.start(), m.end()) if m.end() > m.start() + 1 else (m.start(),))
    # The signer's title glued to the body signed for ("TM. BAN BÍ THƯ TRUNG ƯƠNG ĐOÀNBÍ THƯ THƯỜNG TRỰC").
    for m in re.finditer(rf"(?:T/M|TM\.|K/T|KT\.|T/L|TL\.)\s+(?:{U}| )+?(?<!BAN )(?<!BAN)"
                         r"(?=(?:PHÓ\s+)?(?:BÍ THƯ|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|CHỦ TỊCH)(?:\s+THƯỜNG TRỰC)?(?:\s|\(|$))",
                         line):
        cuts.add(m.end())
    # A number or a date is never cut inside ("Số: 367 - QĐ/TWĐTN-VP").
    kept = [m.span() for m in (*_NUMBER_MARK.finditer(line), *_DATE_MARK.finditer(line))]
    pieces, last = [], 0
    for at in sorted(c for c in cuts if 0 < c < len(line) and not any(a < c < b for a, b in kept)):
        pieces.append(line[last:at])
        last = at
    pieces.append(line[last:])
    return "\n".join(p.strip() for p in pieces if p.strip())
