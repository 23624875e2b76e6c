"""The documents units hand in with a report: checked by content, kept in a folder by their SHA-256.

Why a folder and not the database's file store (storage/files.py): those are the files runs write (a few
hundred kilobytes a week); these are up to 20 MB from each of thousands of units, which would swell the database
and every backup of it. A content-addressed folder (`ab/cd/<sha256>`) is written before the transaction that
records the submission commits: a refusal or a rollback leaves at most an unreferenced copy of bytes, never a
row that points to nothing, and the same document handed in twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import filetype

from errors import InputError, Problem

__all__ = ["ACCEPTED", "MAX_BYTES", "CheckedDocument", "DocumentIn", "check_document", "document_path",
           "parse_day", "store_document"]

MAX_BYTES = 20 * 1024 * 1024
ACCEPTED = {  # media type found in the content -> what people call it
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (XLSX)",
    "image/png": "ảnh PNG",
    "image/jpeg": "ảnh JPEG",
}
_ACCEPTED_TEXT = "PDF, DOCX, XLSX, PNG hoặc JPEG"
_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


@dataclass(frozen=True)
class DocumentIn:
    """The unit's document as typed into the form: its number, date, signer and the file (optional)."""

    number: str
    signed_on: str
    signer: str
    file_name: str | None = None
    content: bytes | None = None


@dataclass(frozen=True)
class CheckedDocument:
    """A document whose fields and file passed every check."""

    number: str
    signed_on: date
    signer: str
    file_name: str | None
    content: bytes | None
    media_type: str | None
    sha256: str | None

    @property
    def size(self) -> int | None:
        return None if self.content is None else len(self.content)


def parse_day(text: str) -> date | None:
    """A day as people write it (30/6/2017), or as a date field sends it (2017-06-30); None when unreadable."""
    m = _DAY.match(text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = _ISO_DAY.match(text)
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def _size_text(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def check_document(doc: DocumentIn, *, today: date, file_required: bool = True) -> CheckedDocument:
    """Number, date and signer are required; a file must be non-empty, at most 20 MB, and one of the accepted
    types judged by its content, whatever its name says."""
    problems = []
    number, signer = doc.number.strip(), doc.signer.strip()
    if not number:
        problems.append(Problem("cần ghi số, ký hiệu văn bản báo cáo của đơn vị, ví dụ 12-BC/CB", field="so_ky_hieu"))
    elif len(number) > 64:
        problems.append(Problem("số, ký hiệu dài quá 64 ký tự", field="so_ky_hieu"))
    day = parse_day(doc.signed_on)
    if day is None:
        problems.append(Problem(f"ngày ban hành “{doc.signed_on.strip()}” không đọc được; viết theo dạng "
                                "ngày/tháng/năm, ví dụ 14/6/2017", field="ngay_ban_hanh"))
    elif day > today:
        problems.append(Problem("ngày ban hành không thể sau ngày hôm nay", field="ngay_ban_hanh"))
    if not signer:
        problems.append(Problem("cần ghi người ký, ví dụ Nguyễn Văn A, Bí thư", field="nguoi_ky"))
    elif len(signer) > 200:
        problems.append(Problem("tên người ký dài quá 200 ký tự", field="nguoi_ky"))
    media, digest = None, None
    if doc.content is None and file_required:
        problems.append(Problem(f"cần đính kèm tệp văn bản báo cáo ({_ACCEPTED_TEXT}, tối đa {_size_text(MAX_BYTES)})",
                                field="tep"))
    if doc.content is not None:
        kind = filetype.guess(doc.content[:8192]) if doc.content else None
        if not doc.content:
            problems.append(Problem("tệp đính kèm rỗng (0 byte); hãy chọn lại tệp văn bản báo cáo", field="tep"))
        elif len(doc.content) > MAX_BYTES:
            problems.append(Problem(f"tệp đính kèm nặng {_size_text(len(doc.content))}, vượt giới hạn "
                                    f"{_size_text(MAX_BYTES)}", field="tep"))
        elif kind is None or kind.mime not in ACCEPTED:
            problems.append(Problem(f"nội dung tệp “{doc.file_name or ''}” không phải {_ACCEPTED_TEXT} (kiểm tra theo "
                                    "nội dung tệp, không theo tên)", field="tep"))
        else:
            media, digest = kind.mime, hashlib.sha256(doc.content).hexdigest()
    if problems:
        raise InputError(problems, title="Văn bản báo cáo chưa hợp lệ, chưa ghi nhận")
    assert day is not None
    name = Path(doc.file_name or "").name[:200] or None
    return CheckedDocument(number, day, signer, name, doc.content, media, digest)


def document_path(folder: Path, sha256: str) -> Path:
    """Where the bytes of a document live: two levels of folders from its digest, then the digest."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a sha256 digest: {sha256!r}")
    return folder / sha256[:2] / sha256[2:4] / sha256


def store_document(folder: Path, doc: CheckedDocument) -> Path | None:
    """Write the file under its digest (atomically, once); a document without a file stores nothing."""
    if doc.content is None or doc.sha256 is None:
        return None
    target = document_path(folder, doc.sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(doc.content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
