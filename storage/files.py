"""The shared store of the files runs write (weekly reports, letters): rows of `stored_files`, one per folder and name.

Every worker writes here and the dashboard reads here, whichever machine ran the run. Writes join the caller's
transaction, so a run's files become visible together with whatever else it committed, or not at all.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from errors import InputError, Problem
from storage.service_models import StoredFileRow

__all__ = [
    "FileInfo", "MEDIA_TYPES", "StoredFileRow", "check_folder", "check_name", "export_files", "list_folders",
    "media_type_of", "read_file", "save_files",
]

MEDIA_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".eml": "message/rfc822",
    ".txt": "text/plain; charset=utf-8",
}
UNKNOWN_MEDIA = "application/octet-stream"
# A name is one plain file name: no separator, no leading dot (no hidden file, no "." or ".."), no control character.
_NAME = re.compile(r"^(?!\.)[^/\\\x00-\x1f\x7f]{1,200}$")
_SEGMENT = re.compile(r"^(?!\.)[\w.\-]{1,60}$", re.ASCII)


@dataclass(frozen=True)
class FileInfo:
    """What a listing shows of a stored file, without its content."""

    name: str
    size: int
    written_at: datetime
    media_type: str


def media_type_of(name: str) -> str:
    """The media type a reader expects for the file's suffix; an unknown suffix is plain bytes."""
    return MEDIA_TYPES.get(PurePosixPath(name).suffix.lower(), UNKNOWN_MEDIA)


def check_name(name: str) -> str:
    """A stored name is a single file name: no folder part, no leading dot, at most 200 characters."""
    if not _NAME.match(name) or name != name.strip():
        raise InputError([Problem(f"Tên tệp “{name}” không hợp lệ: chỉ được là tên một tệp, "
                                  "không chứa thư mục.")])
    return name


def check_folder(folder: str) -> str:
    """A folder is segments of letters, digits, '.', '-' and '_' joined by '/', such as reports/2026-12-07."""
    segments = folder.split("/")
    if len(folder) > 120 or not all(_SEGMENT.match(s) for s in segments):
        raise InputError([Problem(f"Thư mục lưu trữ “{folder}” không hợp lệ.")])
    return folder


def _upsert(session: Session) -> postgresql.Insert | sqlite.Insert:
    # ON CONFLICT on (folder, name): two workers writing the same report at once both succeed, the later one wins,
    # where a read-then-insert would let one of them fail on the unique constraint.
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(StoredFileRow)
    if dialect == "sqlite":
        return sqlite.insert(StoredFileRow)
    raise NotImplementedError(f"no upsert for {dialect}")


def save_files(session: Session, folder: str, files: dict[str, bytes], now: datetime) -> list[str]:
    """Store each file under `folder` in the caller's transaction; a name already there is replaced."""
    check_folder(folder)
    for name in files:
        check_name(name)
    for name, content in files.items():
        statement = _upsert(session).values(
            folder=folder, name=name, media_type=media_type_of(name), content=content, size=len(content),
            written_at=now,
        )
        columns = ("media_type", "content", "size", "written_at")
        session.execute(statement.on_conflict_do_update(
            index_elements=["folder", "name"], set_={c: statement.excluded[c] for c in columns},
        ))
    return list(files)


def list_folders(session: Session, prefix: str) -> list[tuple[str, list[FileInfo]]]:
    """Folders under `prefix`, greatest name (so newest date) first, each with its files by name; no content is read."""
    rows = session.execute(
        select(StoredFileRow.folder, StoredFileRow.name, StoredFileRow.size, StoredFileRow.written_at,
               StoredFileRow.media_type)
        .where(StoredFileRow.folder.startswith(prefix, autoescape=True))
    ).all()
    folders: dict[str, list[FileInfo]] = {}
    for folder, name, size, written_at, media_type in rows:
        folders.setdefault(folder, []).append(FileInfo(name, size, written_at, media_type))
    # Sorted here rather than in SQL: PostgreSQL's default collation would skip punctuation when comparing.
    return [(folder, sorted(folders[folder], key=lambda f: f.name)) for folder in sorted(folders, reverse=True)]


def read_file(session: Session, folder: str, name: str) -> StoredFileRow | None:
    """The stored file `name` of `folder` with its content, or None when there is none."""
    return session.scalar(select(StoredFileRow).where(StoredFileRow.folder == folder, StoredFileRow.name == name))


def export_files(session: Session, folder: str, target_dir: Path) -> list[Path]:
    """Copy every file of `folder` into `target_dir`, each written whole (temporary file, then rename)."""
    check_folder(folder)
    names = session.scalars(
        select(StoredFileRow.name).where(StoredFileRow.folder == folder).order_by(StoredFileRow.name)
    ).all()
    if not names:
        return []
    target_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:  # one content in memory at a time: a folder of reports may be large
        content = session.scalar(select(StoredFileRow.content).where(
            StoredFileRow.folder == folder, StoredFileRow.name == check_name(name)))
        handle, temporary = tempfile.mkstemp(dir=target_dir, prefix=f".{name}.")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content or b"")
            os.replace(temporary, target_dir / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)  # no half-written temporary left behind
            raise
        written.append(target_dir / name)
    return written
