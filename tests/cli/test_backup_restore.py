"""`trienkhai backup` and `trienkhai restore` on SQLite and PostgreSQL, as the guide tells an office to use them:
a backup taken while units keep handing in reports is consistent, restores into a fresh installation with the
same rows and documents and an audit log that verifies; a damaged backup is refused and nothing is changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from errors import ConflictError, InputError
from formats import number
from schedules import WorkingCalendar
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).parents[2]
APPEND_ONLY = ("audit_log", "submissions", "submission_documents", "events")


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same backend: the fresh installation a backup is restored into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'fresh' / 'trienkhai.db'}"
        return
    assert POSTGRES_URL
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def env_of(home: Path, url: str) -> dict[str, str]:
    return {**os.environ, "TRIENKHAI_HOME": str(home), "TRIENKHAI_DATABASE_URL": url, "COLUMNS": "200",
            "PYTHONPATH": str(ROOT)}


def trienkhai(*args: str, home: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env_of(home, url), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def ok(*args: str, home: Path, url: str) -> str:
    done = trienkhai(*args, home=home, url=url)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return " ".join(done.stdout.split())


def rollout(home: Path, url: str) -> None:
    ok("db", "upgrade", home=home, url=url)
    ok("hierarchy", "generate", "--quang-tri-2017", home=home, url=url)
    ok("plan", "issue", str(ROOT / "examples" / "47-KH-TU.yaml"), home=home, url=url)
    ok("advance", "--now", "2017-04-03T09:00", home=home, url=url)


def tables(url: str) -> dict[str, list[str]]:
    """Every row of every table (as its repr, JSON documents included), in a stable order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{name}"')))
                    for name in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def documents(folder: Path) -> dict[str, str]:
    """The documents of a files folder by path, with their SHA-256 (a killed writer's ".tmp-…" is not one)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")}


def start_writer(home: Path, url: str, *, until: int) -> subprocess.Popen[str]:
    """Start handing in reports in another process; return once it has committed `until` transactions."""
    writer = subprocess.Popen([sys.executable, str(ROOT / "tests" / "cli" / "backup_writer.py")],
                              env=env_of(home, url), cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    while int(writer.stdout.readline() or -1) < until:
        assert writer.poll() is None, "the writer stopped"
    return writer


def stop(writer: subprocess.Popen[str]) -> None:
    writer.terminate()
    writer.wait(timeout=60)
    assert writer.stdout is not None
    writer.stdout.close()


def test_a_backup_taken_while_units_hand_in_restores_whole(tmp_path: Path, db_url: str, other_url: str) -> None:
    home, fresh = tmp_path / "home", tmp_path / "fresh"
    rollout(home, db_url)
    home.mkdir(exist_ok=True)
    (home / "calendar-secret").write_text("khóa-ký-đường-dẫn-lịch", encoding="utf-8")
    writer = start_writer(home, db_url, until=5)  # reports are going in
    try:
        assert writer.stdout is not None
        done = ok("backup", str(tmp_path / "sao-luu-1"), home=home, url=db_url)
        assert writer.poll() is None
        time.sleep(1)
    finally:
        stop(writer)
    assert "Đã sao lưu vào" in done and "Nhật ký thao tác:" in done and "tệp khớp mã SHA-256" in done
    manifest = json.loads((tmp_path / "sao-luu-1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["submission_documents"] >= 5 and manifest["files"]

    restored = ok("restore", str(tmp_path / "sao-luu-1"), home=fresh, url=other_url)
    assert "Đã khôi phục từ" in restored
    source, copy = tables(db_url), tables(other_url)
    assert len(source["audit_log"]) > manifest["audit"]["count"]  # the office kept writing during the backup
    assert {name: len(rows) for name, rows in copy.items()} == manifest["tables"]
    for name in APPEND_ONLY:  # what the backup holds is exactly what the source held at that instant
        assert set(copy[name]) <= set(source[name]), name
    assert documents(fresh / "files") == {f["path"]: f["sha256"] for f in manifest["files"]}
    kept = {Path(p).name for p, digest in documents(fresh / "files").items() if Path(p).name == digest}
    engine = create_engine(other_url)
    with engine.connect() as conn:
        referred = set(conn.scalars(text("SELECT sha256 FROM submission_documents")))
    engine.dispose()
    assert referred and referred <= kept  # every document a restored report refers to is there, whole
    assert (fresh / "calendar-secret").read_text(encoding="utf-8") == "khóa-ký-đường-dẫn-lịch"
    verified = ok("audit", "verify", home=fresh, url=other_url)
    assert f"Nhật ký toàn vẹn: {manifest['audit']['count']} bản ghi." in verified
    assert manifest["audit"]["last_hash"] in verified

    # Once the writing stops, a backup restored over the copy gives back every row and every document.
    ok("backup", str(tmp_path / "sao-luu-2"), home=home, url=db_url)
    refused = trienkhai("restore", str(tmp_path / "sao-luu-2"), home=fresh, url=other_url)
    assert refused.returncode == ConflictError.exit_code and "--force" in refused.stderr
    ok("restore", "--force", str(tmp_path / "sao-luu-2"), home=fresh, url=other_url)
    assert tables(other_url) == tables(db_url)
    assert documents(fresh / "files") == documents(home / "files")


def _damage(backup: Path, how: str) -> str:
    """Damage a copy of a backup as a failing disk, an interrupted copy or a careless hand would; what restore says."""
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    database = backup / manifest["database"]["file"]
    if how == "truncated":
        with database.open("r+b") as stream:
            stream.truncate(database.stat().st_size // 2)
        return "bị cắt cụt"
    if how == "flipped":
        with database.open("r+b") as stream:
            stream.seek(database.stat().st_size // 2)
            byte = stream.read(1)
            stream.seek(-1, 1)
            stream.write(bytes([byte[0] ^ 0xFF]))
        return "mã SHA-256 không khớp"
    if how == "document":
        first = backup / "files" / manifest["files"][0]["path"]
        first.write_bytes(first.read_bytes()[:-10])
        return "bị cắt cụt"
    if how == "counts":  # a manifest that does not describe its database
        manifest["tables"]["audit_log"] += 1
        (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        return "bảng audit_log có"
    (backup / "manifest.json").unlink()
    return "không có manifest.json"


def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path: Path, db_url: str, other_url: str) -> None:
    home, target = tmp_path / "home", tmp_path / "fresh"
    rollout(home, db_url)
    stop(start_writer(home, db_url, until=3))
    good = tmp_path / "sao-luu"
    ok("backup", str(good), home=home, url=db_url)
    ok("restore", str(good), home=target, url=other_url)
    ok("phase", "hold", "47-KH/TU", "--reason", "Sau bản sao lưu", home=target, url=other_url)
    before, files_before = tables(other_url), documents(target / "files")
    for how in ("truncated", "flipped", "document", "counts", "unfinished"):
        damaged = tmp_path / f"hong-{how}"
        shutil.copytree(good, damaged)
        expected = _damage(damaged, how)
        refused = trienkhai("restore", "--force", str(damaged), home=target, url=other_url)
        said = " ".join(refused.stderr.split())
        assert refused.returncode == InputError.exit_code and "Traceback" not in refused.stderr, (how, said)
        assert "Bản sao lưu hỏng hoặc không đầy đủ" in said and "chưa thay đổi gì" in said, (how, said)
        assert expected in said, (how, said)
        assert tables(other_url) == before and documents(target / "files") == files_before, how


def test_the_letters_of_the_outbox_folder_are_backed_up_and_restored_with_their_checksums(
        tmp_path: Path, db_url: str, other_url: str) -> None:
    home, fresh = tmp_path / "home", tmp_path / "fresh"
    rollout(home, db_url)
    # No mail server set: the dispatcher writes each letter as an .eml file in the data folder's outbox. The
    # announcements of `plan issue` (run on today's clock) go out at the next office hour: dispatch on a working
    # day well after it.
    day = WorkingCalendar().next_working_day(date.today() + timedelta(days=30))
    ok("notify", "dispatch", "--now", f"{day.isoformat()}T09:00", home=home, url=db_url)
    letters = documents(home / "outbox")
    assert letters and all(path.endswith(".eml") for path in letters)
    (home / "outbox" / ".tmp-dang-ghi.eml").write_bytes(b"From: vp@tu.vn\r\n")  # half-written: not a letter
    done = " ".join(ok("backup", str(tmp_path / "sao-luu"), home=home, url=db_url).split())
    assert f"Thư đã ghi thành tệp .eml (thư mục outbox): {number(len(letters))} tệp" in done
    manifest = json.loads((tmp_path / "sao-luu" / "manifest.json").read_text(encoding="utf-8"))
    assert {e["path"]: e["sha256"] for e in manifest["outbox"]} == letters

    restored = " ".join(ok("restore", str(tmp_path / "sao-luu"), home=fresh, url=other_url).split())
    assert f"{number(len(letters))} tệp" in restored and documents(fresh / "outbox") == letters
    # A letter damaged or lost since is put back from the backup; one written since is left alone.
    first = fresh / "outbox" / manifest["outbox"][0]["path"]
    first.write_bytes(b"hong")
    (fresh / "outbox" / manifest["outbox"][1]["path"]).unlink()
    (fresh / "outbox" / "thu-moi.eml").write_bytes(b"Subject: sau ban sao luu\r\n")
    ok("restore", "--force", str(tmp_path / "sao-luu"), home=fresh, url=other_url)
    assert documents(fresh / "outbox") == {**letters, "thu-moi.eml": hashlib.sha256(b"Subject: sau ban sao luu\r\n")
                                           .hexdigest()}

    damaged = tmp_path / "hong"
    shutil.copytree(tmp_path / "sao-luu", damaged)
    letter = damaged / "outbox" / manifest["outbox"][0]["path"]
    letter.write_bytes(letter.read_bytes()[:-5])
    before = documents(fresh / "outbox")
    refused = trienkhai("restore", "--force", str(damaged), home=fresh, url=other_url)
    said = " ".join(refused.stderr.split())
    assert refused.returncode == InputError.exit_code and "Bản sao lưu hỏng hoặc không đầy đủ" in said
    assert f"tệp {letter.name} bị cắt cụt" in said and documents(fresh / "outbox") == before
