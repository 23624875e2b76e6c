"""Directive numbers on the command line: any spelling of an issued number finds it, a plan whose number differs
only in form is refused naming the issued one, and nothing is issued twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from errors import ConflictError, NotFound
from tests.cli.test_cli import EXAMPLES, trienkhai


def test_spellings_of_a_number_find_it_and_a_respelled_plan_is_not_issued_again(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).returncode == 0
    assert trienkhai("plan", "issue", str(EXAMPLES / "47-KH-TU.yaml"), home=tmp_path).returncode == 0
    respelled = tmp_path / "047-KH-TU.yaml"
    respelled.write_text((EXAMPLES / "47-KH-TU.yaml").read_text(encoding="utf-8")
                         .replace('number: "47-KH/TU"', 'number: "047-KH/TU"', 1), encoding="utf-8")
    refused = trienkhai("plan", "issue", str(respelled), home=tmp_path)
    said = " ".join(refused.stderr.split())
    assert refused.returncode == ConflictError.exit_code and "Traceback" not in refused.stderr
    assert "Số “047-KH/TU” là văn bản “47-KH/TU” đã ban hành" in said
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        assert db.execute("SELECT number, number_key FROM directives").fetchall() == [("47-KH/TU", "47-KH/TU")]
    status = trienkhai("status", "047 - kh/tu ", home=tmp_path)
    assert status.returncode == 0 and "Huyện ủy Cam Lộ" in status.stdout
    hold = trienkhai("phase", "hold", "47–KH/TU", "--reason", "Chờ ý kiến Thường trực", home=tmp_path)
    assert hold.returncode == 0 and "Đã tạm dừng đợt triển khai 47-KH/TU" in hold.stdout, hold.stderr
    with sqlite3.connect(tmp_path / "trienkhai.db") as db:
        assert db.execute("SELECT subject FROM audit_log WHERE action = 'directive.hold'").fetchall() == [("47-KH/TU",)]
    missing = trienkhai("status", "48-KH/TU", home=tmp_path)
    assert missing.returncode == NotFound.exit_code and "Chưa ban hành văn bản số “48-KH/TU”" in missing.stderr
