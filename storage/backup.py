"""Backups: the database and the documents units handed in, copied to a folder with a manifest, and read back.

A backup folder holds the database (`trienkhai.db`, a SQLite copy made by the online backup API, or
`trienkhai.dump`, pg_dump's custom format), `files/` (the documents folder, content-addressed), `home/` (the
settings of the data folder that the database does not hold: HOME_ITEMS), `outbox/` (the letters written as .eml
files when no mail server is set, `home/outbox`, if there is one) and `manifest.json`: when, which schema
revision, the rows of every table counted in the same snapshot as the copy, the audit log's last hash, and the
size and SHA-256 of every file. The backup is written to a hidden sibling folder, read back against its manifest,
and only then renamed to its name: a folder with that name is a complete backup.

The database is copied first and the documents after: a document is stored before the transaction that records
it commits and is never removed, so every document the copy refers to is in the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from errors import ConflictError, InputError, Problem
from formats import number
from storage import backup_pg
from storage.audit import Verdict, verify
from storage.db import UnitOfWork
from storage.migrate import head_revision

__all__ = ["MANIFEST", "OUTBOX", "Report", "backup", "check_backup", "restore"]

MANIFEST = "manifest.json"
SQLITE_COPY, FILES, HOME = "trienkhai.db", "files", "home"
# The .eml letters of the outbox folder channel (notifications.channels.OutboxFolderChannel), home/outbox.
OUTBOX = "outbox"
# What else of the data folder an installation needs: settings, the key of calendar links, Zalo's tokens, letters.
HOME_ITEMS = ("trienkhai.toml", "calendar-secret", "zalo-tokens.json", "templates")
FORMAT = 1


@dataclass
class Report:
    """What a backup holds or a restore put back: tables and rows, documents and bytes, the audit log's head."""

    folder: Path
    tables: dict[str, int]
    files: int
    files_bytes: int
    home_files: int
    home_kept: int
    outbox_files: int
    outbox_bytes: int
    database_bytes: int
    audit_count: int
    audit_hash: str
    audit_problem: str | None = None  # where the audit chain breaks, if it does (the data is copied all the same)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _documents(folder: Path) -> Iterator[Path]:
    # Half-written documents (".tmp-…", store_document) are not documents yet.
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _home_items(home: Path) -> Iterator[Path]:
    for name in HOME_ITEMS:
        item = home / name
        if item.is_file():
            yield item
        else:
            yield from _documents(item)


def _copy_files(source: Path, target: Path, paths: Iterator[Path]) -> list[dict[str, Any]]:
    entries = []
    for path in paths:
        relative = path.relative_to(source).as_posix()
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / relative)
        entries.append({"path": relative, "size": (target / relative).stat().st_size,
                        "sha256": _sha256(target / relative)})
    return entries


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InputError(f"Cơ sở dữ liệu {url} không phải một tệp SQLite, không sao lưu được.")
    return Path(database)


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_snapshot(url: str, target: Path) -> dict[str, int]:
    """Copy the live SQLite database with the online backup API; rows counted in the snapshot that is copied."""
    source = sqlite3.connect(_sqlite_path(url), isolation_level=None, timeout=30)
    try:
        source.execute("BEGIN")  # one read snapshot for the counts and the copy, whatever writers do meanwhile
        counts = _sqlite_counts(source)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
        source.execute("COMMIT")
    finally:
        source.close()
    return counts


def _audit_head(url: str) -> Verdict:
    engine = create_engine(url)
    try:
        with UnitOfWork(engine) as uow:
            return verify(uow.session)
    finally:
        engine.dispose()


def _audit(verdict: Verdict) -> dict[str, Any]:
    """The audit log as the manifest records it; a broken chain is recorded, not refused: the copy is evidence."""
    problem = None
    if verdict.broken_id is not None:
        problem = f"không toàn vẹn từ bản ghi số {verdict.broken_id}: {verdict.problem}"
    return {"count": verdict.count, "last_hash": verdict.last_hash, "problem": problem}


def _read_only(path: Path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def backup(url: str, files_dir: Path, home: Path, dest: Path, *, now: datetime) -> Report:
    """Copy the database and the documents into the new folder `dest`, then read the copy back against its
    manifest; `dest` appears only once everything checked."""
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ConflictError(f"Thư mục {dest} đã có nội dung; hãy chọn một thư mục mới cho bản sao lưu.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = dest.parent / f".{dest.name}.dang-sao-luu-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        backend = make_url(url).get_backend_name()
        if backend == "sqlite":
            database = work / SQLITE_COPY
            counts = _sqlite_snapshot(url, database)
            audit = _audit(_audit_head(_read_only(database)))
        else:
            database = work / backup_pg.DUMP
            counts, verdict = backup_pg.dump(url, database)
            audit = _audit(verdict)
        manifest = {
            "format": FORMAT, "created_at": now.isoformat(), "backend": backend, "revision": head_revision(),
            "database": {"file": database.name, "size": database.stat().st_size, "sha256": _sha256(database)},
            "tables": counts, "audit": audit,
            "files": _copy_files(files_dir, work / FILES, _documents(files_dir)),
            "home": _copy_files(home, work / HOME, _home_items(home)),
            # Written before a row is recorded as sent and never rewritten, like the documents: copied after.
            OUTBOX: _copy_files(home / OUTBOX, work / OUTBOX, _documents(home / OUTBOX)),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        report = check_backup(work)
        if dest.exists():
            dest.rmdir()
        work.rename(dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    report.folder = dest
    return report


def _refuse(src: Path, problems: list[str]) -> InputError:
    return InputError([Problem(p, source=str(src)) for p in problems[:10]],
                      title="Bản sao lưu hỏng hoặc không đầy đủ, không dùng được; chưa thay đổi gì")


def check_backup(src: Path) -> Report:
    """Read a backup folder back against its manifest: the database file whole (size, SHA-256) and readable with
    the same rows per table, every document present with its SHA-256; any difference refuses the backup."""
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        database = src / manifest["database"]["file"]
        expected = {name: int(n) for name, n in manifest["tables"].items()}
        files = list(manifest["files"])
        home_files = list(manifest.get("home", []))
        letters = list(manifest.get(OUTBOX, []))  # none in a backup made before letters were kept
    except FileNotFoundError:
        raise _refuse(src, [f"không có {MANIFEST}: thư mục này không phải bản sao lưu của trienkhai, hoặc bản sao "
                            "lưu chưa làm xong"]) from None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise _refuse(src, [f"tệp {MANIFEST} bị hỏng, không đọc được"]) from None
    problems = _check_file(database, manifest["database"]["size"], manifest["database"]["sha256"])
    if not problems:
        if manifest.get("backend") == "sqlite":
            found = _check_sqlite(database, problems)
        else:
            found = backup_pg.read_counts(database, problems)
        for name, n in expected.items():
            if not problems and found.get(name, 0) != n:
                problems.append(f"bảng {name} có {number(found.get(name, 0))} bản ghi, manifest ghi {number(n)}")
    sizes = {FILES: 0, HOME: 0, OUTBOX: 0}
    for folder, entries in ((FILES, files), (HOME, home_files), (OUTBOX, letters)):
        for entry in entries:
            problems += _check_file(src / folder / entry["path"], entry["size"], entry["sha256"])
            sizes[folder] += int(entry["size"])
    if problems:
        raise _refuse(src, problems)
    audit = manifest["audit"]
    return Report(src, expected, len(files), sizes[FILES], len(home_files), 0, len(letters), sizes[OUTBOX],
                  database.stat().st_size, audit["count"], audit["last_hash"], audit.get("problem"), manifest)


def _check_file(path: Path, expected: int, sha256: str) -> list[str]:
    if not path.is_file():
        return [f"thiếu tệp {path.name}"]
    actual = path.stat().st_size
    if actual != expected:
        return [f"tệp {path.name} bị cắt cụt hoặc thay đổi: {number(actual)} byte, đúng ra {number(expected)} byte"]
    if _sha256(path) != sha256:
        return [f"tệp {path.name} bị hỏng: mã SHA-256 không khớp với manifest"]
    return []


def _check_sqlite(database: Path, problems: list[str]) -> dict[str, int]:
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchall()
            if verdict != [("ok",)]:
                problems.append(f"cơ sở dữ liệu hỏng: {verdict[0][0]}")
                return {}
            return _sqlite_counts(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        problems.append(f"cơ sở dữ liệu không đọc được: {exc}")
        return {}


def restore(url: str, files_dir: Path, home: Path, src: Path, *, force: bool) -> Report:
    """Put a checked backup in place of the configured database, its documents and .eml letters, and add the
    settings the data folder lacks (those it has are kept); a database that holds data is replaced only with
    `force`. Nothing is changed unless the whole backup checks."""
    report = check_backup(src)
    backend = make_url(url).get_backend_name()
    if report.manifest.get("backend") != backend:
        raise InputError(f"Bản sao lưu {src} là của cơ sở dữ liệu {report.manifest.get('backend')}, không khôi phục "
                         f"được vào {backend}.")
    revision, head = report.manifest.get("revision"), head_revision()
    if revision and head and revision > head:
        raise ConflictError(f"Bản sao lưu ở phiên bản lược đồ {revision}, mới hơn phiên bản này ({head}): "
                            "hãy cài phiên bản trienkhai mới hơn trước khi khôi phục.")
    database = src / report.manifest["database"]["file"]
    if backend == "sqlite":
        target = _sqlite_path(url)
        rows = _sqlite_rows(target)
    else:
        rows = backup_pg.rows_in(url)
    if rows and not force:
        raise ConflictError(f"Cơ sở dữ liệu đích đang có {number(rows)} bản ghi; khôi phục sẽ thay thế toàn bộ. "
                            "Hãy sao lưu nó trước, rồi chạy lại với --force nếu chắc chắn.")
    # Documents and letters first: the restored rows refer to them. A file missing or different is put back; files
    # written since the backup are left as they are.
    for folder, target_dir in ((FILES, files_dir), (OUTBOX, home / OUTBOX)):
        for entry in report.manifest.get(folder, []):
            path = target_dir / entry["path"]
            if not path.is_file() or _sha256(path) != entry["sha256"]:
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src / folder / entry["path"], path)
    for entry in report.manifest.get("home", []):
        path = home / entry["path"]
        if path.exists():
            report.home_kept += 1
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src / HOME / entry["path"], path)
    if backend == "sqlite":
        target.parent.mkdir(parents=True, exist_ok=True)
        _sqlite_replace(database, target)
        found = _sqlite_counts_of(target)
        audit_url = _read_only(target)
    else:
        backup_pg.restore(url, database)
        found, audit_url = backup_pg.counts(url), url
    differing = [name for name, n in report.tables.items() if found.get(name, 0) != n]
    if differing:
        raise ConflictError(f"Sau khi khôi phục, số bản ghi các bảng {', '.join(differing)} khác bản sao lưu.")
    audit = _audit(_audit_head(audit_url))
    report.audit_count, report.audit_hash, report.audit_problem = audit["count"], audit["last_hash"], audit["problem"]

    return report


def _sqlite_rows(target: Path) -> int:
    if not target.exists():
        return 0
    return sum(n for name, n in _sqlite_counts_of(target).items() if name != "alembic_version")


def _sqlite_counts_of(target: Path) -> dict[str, int]:
    connection = sqlite3.connect(target, timeout=30)
    try:
        return _sqlite_counts(connection)
    finally:
        connection.close()


def _sqlite_replace(copy: Path, target: Path) -> None:
    # The backup API writes the whole database in one transaction of the target: other connections see the old
    # database or the new one, and the target's WAL stays consistent (copying the file over it would not).
    source = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()
