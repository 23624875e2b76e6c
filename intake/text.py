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

__all__ = ["MAX_DOCUMENT_BYTES", "SUFFIXES", "IntakeError", "read_document", "read_upload", "text_of"]

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
