"""`trienkhai audit verify` as an office runs it, on SQLite and PostgreSQL: the chain written by real commands
holds; a row rewritten straight in the database is named with its number and time, with a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from errors import StorageError
from storage import make_engine

EXAMPLES = Path(__file__).parents[2] / "examples"


def trienkhai(*args: str, home: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "TRIENKHAI_DATABASE_URL": db_url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_audit_verify_holds_for_real_commands_and_names_a_forged_row(tmp_path: Path, db_url: str) -> None:
    def ok(*args: str) -> str:
        done = trienkhai(*args, home=tmp_path, db_url=db_url)
        assert done.returncode == 0, done.stderr
        return done.stdout

    ok("db", "upgrade")
    ok("hierarchy", "generate", "--quang-tri-2017")
    ok("plan", "issue", str(EXAMPLES / "47-KH-TU.yaml"))
    ok("phase", "hold", "47-KH/TU", "--reason", "Chờ ý kiến Thường trực")
    ok("phase", "resume", "47-KH/TU", "--reason", "Đã có ý kiến")
    out = ok("audit", "verify")
    assert "Nhật ký toàn vẹn: 4 bản ghi." in out
    assert "Bản ghi cuối: số 4" in out and "mã băm" in out

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:  # someone with the database in hand drops the trigger and edits a reason
            if engine.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER audit_log_no_update"))
            else:
                conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
            conn.execute(text("UPDATE audit_log SET reason = 'Theo đề nghị của đơn vị' WHERE id = 3"))
    finally:
        engine.dispose()
    broken = trienkhai("audit", "verify", home=tmp_path, db_url=db_url)
    said = " ".join(broken.stderr.split())
    assert broken.returncode == StorageError.exit_code and "Traceback" not in broken.stderr
    assert "không còn toàn vẹn từ bản ghi số 3" in said and "đã bị sửa" in said, said
    assert "2 bản ghi trước đó vẫn khớp" in said
