"""`trienkhai web` and `trienkhai user …` commands."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import typer
from rich.table import Table
from sqlalchemy import select

from cli.common import actor, console, database, now_utc, unit_of_work
from errors import InputError

user_app = typer.Typer(no_args_is_help=True, help="Tài khoản người dùng của trang điều hành.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("Mật khẩu", hide_input=True)
    if typer.prompt("Nhập lại mật khẩu", hide_input=True) != first:
        raise InputError("Hai lần nhập mật khẩu không khớp nhau.")
    return first


@user_app.command("add")
def add_cmd(
    username: str = typer.Option(..., "--username", help="Tên đăng nhập"),
    role: str = typer.Option(
        ..., "--role", help="admin (quản trị văn phòng) | reporter (cán bộ báo cáo) | viewer (chỉ xem)"
    ),
    unit: str = typer.Option(..., "--unit", help="Mã đơn vị: tài khoản chỉ thấy và thao tác trong cây đơn vị này"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Đọc mật khẩu từ dòng đầu của stdin"),
) -> None:
    """Tạo tài khoản gắn với một đơn vị; mật khẩu chỉ lưu dạng băm argon2."""
    from web.accounts import Role, create_account

    password = _read_password(password_stdin)
    with unit_of_work(writer=True) as uow:
        create_account(uow.session, username, password, role, unit, now=now_utc(), actor=actor())
        uow.commit()
    console.print(f"Đã tạo tài khoản “{username}” ({Role(role).label}, đơn vị {unit}).")


@user_app.command("list")
def list_cmd() -> None:
    """Liệt kê các tài khoản, vai trò, đơn vị và trạng thái."""
    from storage.models import AccountRow, UnitRow
    from web.accounts import Role

    table = Table("Tên đăng nhập", "Vai trò", "Đơn vị", "Trạng thái", "Mã API")
    with unit_of_work() as uow:
        rows = uow.session.execute(select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
                                   .order_by(AccountRow.username)).all()
        for account, unit in rows:
            table.add_row(account.username, Role(account.role).label, f"{unit.name} ({unit.code})",
                          "đang dùng" if account.active else "đã khóa", "có" if account.token_hash else "chưa cấp")
    console.print(table if rows else "Chưa có tài khoản nào (tạo bằng `trienkhai user add`).")


@user_app.command("disable")
def disable_cmd(username: str = typer.Argument(..., help="Tên đăng nhập")) -> None:
    """Khóa tài khoản: phiên đăng nhập và mã API của tài khoản ngừng hiệu lực ngay."""
    from web.accounts import disable_account

    with unit_of_work(writer=True) as uow:
        disable_account(uow.session, username, now=now_utc(), actor=actor())
        uow.commit()
    console.print(f"Đã khóa tài khoản “{username}”.")


@user_app.command("token")
def token_cmd(username: str = typer.Argument(..., help="Tên đăng nhập")) -> None:
    """Cấp mã truy cập API mới (Authorization: Bearer …); mã cũ hết hiệu lực, mã mới chỉ hiện một lần."""
    from web.accounts import issue_token

    with unit_of_work(writer=True) as uow:
        token = issue_token(uow.session, username, now=now_utc(), actor=actor())
        uow.commit()
    console.print(f"Mã truy cập API của “{username}” (lưu lại ngay, sẽ không hiện lại):")
    print(token)


def web_cmd(
    host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ lắng nghe"),
    port: int = typer.Option(8000, "--port", help="Cổng"),
    workers: int = typer.Option(2, "--workers", help="Số tiến trình phục vụ (mặc định: 2, bằng số lõi của máy)"),
    as_of: datetime = typer.Option(
        None, "--as-of", help="Xem dữ liệu tại một thời điểm (ví dụ cơ sở dữ liệu mô phỏng)"
    ),
) -> None:
    """Chạy trang điều hành (tiếng Việt, giờ Việt Nam) và API JSON tại /api/."""
    import os

    import uvicorn

    database()  # create and migrate the embedded database before the workers start
    if as_of is not None:
        os.environ["TRIENKHAI_WEB_AS_OF"] = (as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)).isoformat()
    console.print(f"Trang điều hành: http://{host}:{port}/  (API: /api/openapi.json; Ctrl+C để dừng)")
    uvicorn.run("web.app:app_from_settings", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
