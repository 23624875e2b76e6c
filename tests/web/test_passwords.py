"""The password rule (at least 12 characters, not easy to guess by zxcvbn) wherever a password is set, and the
lockout per account and address: a guesser elsewhere does not lock the real user out."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from errors import InputError
from hierarchy.generate import small_quang_tri_2017
from storage import UnitOfWork, make_engine
from storage.models import AccountRow, AuditEntry, SessionRow
from storage.units import apply_hierarchy
from tests.web.conftest import PASSWORD, Site, local, login, post_login
from web.accounts import create_account
from web.passwords import MIN_LENGTH, password_problem

RULE = "mật khẩu phải dài ít nhất 12 ký tự và không dễ đoán"


@pytest.mark.parametrize(("password", "why"), [
    ("ngan-qua", "mật khẩu chỉ có 8 ký tự"),
    ("password1234", "có trong danh sách mật khẩu phổ biến"),
    ("iloveyou1234", "có trong danh sách mật khẩu phổ biến"),
    ("qwertyuiop12", "có trong danh sách mật khẩu phổ biến"),
    ("aaaaaaaaaaaaaaaa", "lặp lại ký tự"),
    ("matkhau@2024", "một từ quá quen thuộc như “matkhau”"),
    ("giolinh12345", "chứa tên đăng nhập, tên đơn vị"),
])
def test_short_or_common_passwords_are_refused_with_the_rule(password: str, why: str) -> None:
    message = password_problem(password, hints=("giolinh", "QT-GIOLINH"))
    assert message is not None and why in message and RULE in message, message


@pytest.mark.parametrize("password", ["mat-khau-thu-nghiem", "doi-moi-sang-tao-vung-ben", "Sông Hiếu chảy qua 2017",
                                      "x" * 3 + "Tĩnh-lặng-bên-cầu-Hiền-Lương" * 20])
def test_long_uncommon_passphrases_are_accepted(password: str) -> None:
    assert len(password) >= MIN_LENGTH and password_problem(password, hints=("giolinh",)) is None


def test_a_new_account_with_a_weak_password_is_not_created(engine) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=local(2017, 3, 1), actor="test")
        with pytest.raises(InputError) as caught:
            create_account(uow.session, "vp", "12345678901234", "admin", "TU-QT", now=local(2017, 3, 1), actor="t")
        [problem] = caught.value.problems
        assert problem.field == "password" and RULE in problem.message
        assert uow.session.scalar(select(func.count()).select_from(AccountRow)) == 0


def _cli(home: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "cli.main", *args], input=stdin, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_command_line_applies_the_rule_on_add_and_reset_and_a_reset_ends_sessions(tmp_path: Path) -> None:
    assert _cli(tmp_path, "hierarchy", "generate", "--quang-tri-2017", stdin="").returncode == 0
    add = ("user", "add", "--username", "gl", "--role", "reporter", "--unit", "QT-GIOLINH", "--password-stdin")
    weak = _cli(tmp_path, *add, stdin="password1234\n")
    assert weak.returncode != 0 and "Traceback" not in weak.stderr
    assert "có trong danh sách mật khẩu phổ biến" in weak.stderr and "ít nhất 12 ký tự" in weak.stderr, weak.stderr
    assert _cli(tmp_path, *add, stdin="mat-khau-du-dai-2017\n").returncode == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'trienkhai.db'}")
    with UnitOfWork(engine) as uow:
        account = uow.session.scalars(select(AccountRow)).one()
        uow.session.add(SessionRow(id="a" * 64, account_id=account.id, csrf="c", created_at=local(2017, 3, 1),
                                   expires_at=local(2030, 1, 1)))
        uow.commit()
        old_hash = account.password_hash
    short = _cli(tmp_path, "user", "password", "gl", "--password-stdin", stdin="gl-2017\n")
    assert short.returncode != 0 and "mật khẩu chỉ có 7 ký tự" in short.stderr, short.stderr
    unknown = _cli(tmp_path, "user", "password", "khong-co", "--password-stdin", stdin="mat-khau-moi-cua-gl\n")
    assert unknown.returncode != 0 and "Không có tài khoản “khong-co”" in unknown.stderr
    reset = _cli(tmp_path, "user", "password", "gl", "--password-stdin", stdin="cau-hien-luong-song-ben-hai\n")
    assert reset.returncode == 0 and "Đã đặt lại mật khẩu của “gl”" in reset.stdout, reset.stderr
    with UnitOfWork(engine) as uow:
        assert uow.session.scalar(select(AccountRow.password_hash)) != old_hash
        assert uow.session.scalar(select(func.count()).select_from(SessionRow)) == 0
        assert uow.session.scalar(select(func.count()).where(AuditEntry.action == "account.password")) == 1


def _from(address: str, site: Site) -> httpx.Client:
    """A browser of another office: its connections leave from another loopback address."""
    return httpx.Client(base_url=site.url, transport=httpx.HTTPTransport(local_address=address), timeout=20)


def test_a_guesser_locks_only_its_own_address_out_of_the_account(site: Site) -> None:
    with _from("127.0.0.2", site) as guesser:
        for _ in range(5):
            assert post_login(guesser, "camlo", "doan-mo-mat-khau").status_code == 401
        locked = post_login(guesser, "camlo", PASSWORD)
        assert locked.status_code == 429 and "thử lại sau 15 phút" in locked.text
    # The real user, at the office's own address, signs in all the same.
    with _from("127.0.0.3", site) as office:
        assert post_login(office, "camlo", PASSWORD).status_code == 303
        assert office.get("/directives").status_code == 200
    # The guesser's address stays locked for that account until the window passes.
    with _from("127.0.0.2", site) as guesser:
        assert post_login(guesser, "camlo", PASSWORD).status_code == 429
    site.clock.now += timedelta(minutes=16)
    with _from("127.0.0.2", site) as guesser:
        assert post_login(guesser, "camlo", PASSWORD).status_code == 303


def test_one_address_trying_many_names_is_slowed_down(site: Site) -> None:
    with _from("127.0.0.4", site) as sprayer:
        for attempt in range(20):
            assert post_login(sprayer, f"ten-{attempt}", "doan-mo-mat-khau").status_code == 401
        assert post_login(sprayer, "vp", PASSWORD).status_code == 429
    with login(site, "vp") as client:  # from the usual address
        assert client.get("/directives").status_code == 200
