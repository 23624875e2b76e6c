"""`trienkhai user invite` on the small Quảng Trị hierarchy: one account per unit, one invitation each, once."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from errors import ConfigError, InputError
from hierarchy import Contacts
from hierarchy.generate import small_quang_tri_2017
from storage import UnitOfWork, open_database
from storage.models import AccountRow, AuditEntry, OutboxRow
from storage.units import apply_hierarchy

NO_EMAIL = {"QT-CAMLO-GD", "QT-KCQ-02-CB02"}


def _home(tmp_path: Path) -> Path:
    """A home whose database holds the small hierarchy, two of its cells without an e-mail address."""
    engine = open_database(f"sqlite:///{tmp_path / 'trienkhai.db'}")
    units = [replace(u, contacts=Contacts()) if u.code in NO_EMAIL else u for u in small_quang_tri_2017()]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2017, 3, 1, tzinfo=UTC), actor="test")
        uow.commit()
    engine.dispose()
    return tmp_path


def _invite(home: Path, *args: str, public_url: str | None = "https://trienkhai.quangtri.dcs.vn",
            command: str = "invite") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    env.pop("TRIENKHAI_PUBLIC_URL", None)
    if public_url:
        env["TRIENKHAI_PUBLIC_URL"] = public_url
    return subprocess.run([sys.executable, "-m", "cli.main", "user", command, *args], env=env, capture_output=True,
                          text=True, timeout=300)


def _counts(home: Path) -> tuple[int, int, int]:
    engine = open_database(f"sqlite:///{home / 'trienkhai.db'}")
    with UnitOfWork(engine) as uow:
        s = uow.session
        counted = (s.scalar(select(func.count()).select_from(AccountRow)) or 0,
                   s.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.template == "moi_tai_khoan"))
                   or 0,
                   s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "account.invite"))
                   or 0)
    engine.dispose()
    return counted


def test_invite_creates_one_account_per_cell_and_queues_each_invitation_once(tmp_path: Path) -> None:
    home = _home(tmp_path)
    args = ("TU-QT", "--kind", "chi_bo", "--kind", "chi_bo_co_so", "--now", "2017-03-22T09:00")
    first = _invite(home, *args)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    # 19 chi bộ and 7 chi bộ cơ sở; two have no e-mail and are listed, not invited
    assert "Tỉnh ủy Quảng Trị (TU-QT): 26 đơn vị (chi bộ, chi bộ cơ sở)." in out, out
    assert "Tài khoản tạo mới: 24; đã có từ trước: 0." in out
    assert "Thư mời xếp vào hộp thư đi: 24" in out
    assert "Chưa mời được 2 đơn vị:" in out
    for code in NO_EMAIL:
        assert f"- {code}" in out and "chưa có địa chỉ email" in out
    assert _counts(home) == (24, 24, 24)

    engine = open_database(f"sqlite:///{home / 'trienkhai.db'}")
    with UnitOfWork(engine) as uow:
        account = uow.session.scalar(select(AccountRow).where(AccountRow.username == "qt.camlo.cq@quangtri.dcs.vn"))
        assert account is not None and account.role == "reporter" and account.active
        row = uow.session.scalar(select(OutboxRow).where(OutboxRow.key == f"moi-tai-khoan:{account.id}:1"))
        assert row is not None and row.status == "pending" and row.context["account"] == account.id
    engine.dispose()
    listed = _invite(home, command="list").stdout
    assert "qt.camlo.cq@quangtri.dcs.vn" in listed and "chờ đặt mật khẩu" in listed

    again = _invite(home, *args)
    assert again.returncode == 0, again.stderr
    assert "Tài khoản tạo mới: 0; đã có từ trước: 24." in again.stdout
    assert "Thư mời xếp vào hộp thư đi: 0" in again.stdout
    assert "Không mời lại: 24 còn thư mời hiệu lực" in again.stdout
    assert _counts(home) == (24, 24, 24)  # no duplicate account, invitation or audit entry


def test_invite_refuses_a_wrong_kind_and_a_missing_public_address_writing_nothing(tmp_path: Path) -> None:
    home = _home(tmp_path)
    wrong = _invite(home, "TU-QT", "--kind", "chibo", "--role", "sep")
    assert wrong.returncode == InputError.exit_code
    assert "loại đơn vị “chibo” không có" in wrong.stderr and "vai trò “sep” không có" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    no_url = _invite(home, "TU-QT", public_url=None)
    assert no_url.returncode == ConfigError.exit_code and "TRIENKHAI_PUBLIC_URL" in no_url.stderr
    assert _counts(home) == (0, 0, 0)
