"""The `trienkhai` command as office staff run it: messages in Vietnamese, exit codes, nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from errors import HierarchyError, NotFound

EXAMPLES = Path(__file__).parents[2] / "examples"


def trienkhai(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_file_with_several_mistakes_is_rejected_with_each_one_and_nothing_is_written(tmp_path: Path) -> None:
    good = tmp_path / "donvi.csv"
    good.write_text("ma,ten,loai,ma_cap_tren\nTU-X,Tỉnh ủy X,tinh_uy,\nX-1,Đảng ủy xã Một,dang_uy_xa,TU-X\n",
                    encoding="utf-8")
    assert trienkhai("hierarchy", "import", str(good), home=tmp_path).returncode == 0
    bad = tmp_path / "sai.csv"
    bad.write_text(
        "ma,ten,loai,ma_cap_tren,so_dang_vien\n"
        "X-1-CB1,Chi bộ thôn 1,chi_bo,X-1,12\n"
        "X-1-CB2,,chi_bo,X-1,10\n"            # line 3: empty name
        "X-1-CB3,Chi bộ thôn 3,chi_bo,X-9,ba\n"  # line 4: unknown parent, not a number
        "X-1-CB1,Chi bộ trùng,chi_bo,X-1,5\n"   # line 5: duplicate code
        "X-2,Tỉnh ủy lạc,tinh_uy,X-1,0\n",        # line 6: kind not allowed under a commune committee
        encoding="utf-8",
    )
    result = trienkhai("hierarchy", "import", str(bad), home=tmp_path)
    assert result.returncode == HierarchyError.exit_code
    message = result.stderr
    assert "Traceback" not in message
    for line in ("dòng 3", "dòng 4", "dòng 5", "dòng 6"):
        assert line in message, message
    assert "X-9" in message and "ba" in message
    stats = trienkhai("hierarchy", "stats", home=tmp_path)
    assert "Chi bộ" not in stats.stdout  # nothing of the bad file was written


def test_plan_check_issue_and_status_on_the_quang_tri_hierarchy(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).returncode == 0
    check = trienkhai("plan", "check", str(EXAMPLES / "47-KH-TU.yaml"), home=tmp_path)
    assert check.returncode == 0, check.stderr
    assert "Đơn vị chỉ đạo điểm: 63" in check.stdout and "17 giờ 00, thứ Năm, ngày 29/6/2017" in check.stdout
    issue = trienkhai("plan", "issue", str(EXAMPLES / "47-KH-TU.yaml"), home=tmp_path)
    assert issue.returncode == 0 and "Đã ban hành 47-KH/TU" in issue.stdout
    again = trienkhai("plan", "issue", str(EXAMPLES / "47-KH-TU.yaml"), home=tmp_path)
    assert "không tạo gì mới" in again.stdout
    advance = trienkhai("advance", "--now", "2017-04-03T09:00", home=tmp_path)  # Vietnam time
    assert "Giai đoạn mở: 47-KH/TU:pilot" in advance.stdout
    status = trienkhai("status", "47-KH/TU", home=tmp_path)
    assert "Huyện ủy Cam Lộ" in status.stdout and "đang thực hiện trong hạn" in status.stdout
    missing = trienkhai("report", "submit", "47-KH/TU", "KHONG-CO", "bao-cao-chi-dao-diem", home=tmp_path)
    assert missing.returncode == NotFound.exit_code and "KHONG-CO" in missing.stderr
    assert "Traceback" not in missing.stderr


@pytest.mark.slow
def test_national_hierarchy_has_34_provinces_and_3321_commune_committees(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--national", home=tmp_path).returncode == 0
    stats = trienkhai("hierarchy", "stats", home=tmp_path).stdout
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in stats.splitlines() if line.count("│") >= 3}
    assert rows["Tỉnh ủy"] == "34" and rows["Đảng ủy xã/phường"] == "3.321"


def test_user_accounts_are_added_listed_and_disabled_from_the_command_line(tmp_path: Path) -> None:
    assert trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path).returncode == 0
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "COLUMNS": "200"}
    add = subprocess.run([sys.executable, "-m", "cli.main", "user", "add", "--username", "gl", "--role", "reporter",
                          "--unit", "QT-GIOLINH", "--password-stdin"], input="mat-khau-du-dai-2017\n",
                         env=env, capture_output=True, text=True, timeout=120)
    assert add.returncode == 0, add.stderr
    wrong_unit = subprocess.run([sys.executable, "-m", "cli.main", "user", "add", "--username", "x", "--role", "viewer",
                                 "--unit", "KHONG-CO", "--password-stdin"], input="mat-khau-du-dai-2017\n",
                                env=env, capture_output=True, text=True, timeout=120)
    assert wrong_unit.returncode != 0 and "KHONG-CO" in wrong_unit.stderr and "Traceback" not in wrong_unit.stderr
    listing = trienkhai("user", "list", home=tmp_path).stdout
    assert "gl" in listing and "Huyện ủy Gio Linh" in listing
    assert trienkhai("user", "disable", "gl", home=tmp_path).returncode == 0
    from sqlalchemy import select

    from storage import UnitOfWork, make_engine
    from storage.models import AccountRow, AuditEntry

    with UnitOfWork(make_engine(f"sqlite:///{tmp_path / 'trienkhai.db'}")) as uow:
        account = uow.session.scalar(select(AccountRow).where(AccountRow.username == "gl"))
        actions = set(uow.session.scalars(select(AuditEntry.action).where(AuditEntry.subject.contains("gl"))))
    assert account is not None and not account.active and not account.password_hash.startswith("mat-khau")
    assert len(actions) >= 2  # the account's creation and its disabling are both in the audit log
