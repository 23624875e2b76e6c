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


@user_app.command("invite")
def invite_cmd(
    root: str = typer.Argument(..., help="Mã đơn vị gốc: mời các đơn vị trong cây đơn vị này"),
    kinds: list[str] = typer.Option(
        [], "--kind", help="Loại đơn vị được mời (ví dụ chi_bo; ghi nhiều lần); mặc định: mọi loại"
    ),
    role: str = typer.Option("reporter", "--role", help="admin | reporter (cán bộ báo cáo, mặc định) | viewer"),
    now: str = typer.Option(
        None, "--now", help="Thời điểm (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
) -> None:
    """Tạo tài khoản cho từng đơn vị của cây (tên đăng nhập: email của đơn vị) và xếp thư mời đặt mật khẩu vào
    hộp thư đi; chạy lại không gửi trùng thư mời còn hiệu lực."""
    from bootstrap import services
    from cli.common import instant
    from errors import ConfigError
    from formats import number
    from hierarchy import Kind
    from web.invitations import invite_subtree

    settings = services().settings
    if not settings.public_url:
        raise ConfigError("Chưa đặt địa chỉ công khai của trang điều hành, nên thư mời không có đường liên kết đặt "
                          "mật khẩu: đặt TRIENKHAI_PUBLIC_URL, ví dụ https://trienkhai.quangtri.dcs.vn.")
    with unit_of_work() as uow:
        result = invite_subtree(uow.session, root, kinds=kinds, role=role, now=instant(now), actor=actor(),
                                calendar=services().calendar)
        uow.commit()
    labels = ", ".join(Kind(k).label.lower() for k in kinds) if kinds else "mọi loại"
    console.print(f"{result.root.name} ({result.root.code}): {number(result.units)} đơn vị ({labels}).")
    console.print(f"  Tài khoản tạo mới: {number(result.created)}; đã có từ trước: {number(result.kept)}.")
    console.print(f"  Thư mời xếp vào hộp thư đi: {number(result.invited)} (gửi ở lượt gửi thư tiếp theo).")
    console.print(f"  Không mời lại: {number(result.still_valid)} còn thư mời hiệu lực, "
                  f"{number(result.activated)} đã đặt mật khẩu, {number(result.disabled)} đang bị khóa.")
    if result.not_invited:
        console.print(f"Chưa mời được {number(len(result.not_invited))} đơn vị:")
        for unit, why in result.not_invited:
            console.print(f"  - {unit.code}  {unit.name}: {why}", soft_wrap=True)


@user_app.command("password")
def password_cmd(
    username: str = typer.Argument(..., help="Tên đăng nhập"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Đọc mật khẩu mới từ dòng đầu của stdin"),
) -> None:
    """Đặt lại mật khẩu (cùng quy tắc như khi tạo tài khoản); các phiên đăng nhập đang mở của tài khoản kết thúc."""
    from web.accounts import set_password

    password = _read_password(password_stdin)
    with unit_of_work() as uow:
        set_password(uow.session, username, password, now=now_utc(), actor=actor())
        uow.commit()
    console.print(f"Đã đặt lại mật khẩu của “{username}”; các phiên đăng nhập cũ đã kết thúc.")


@user_app.command("list")
def list_cmd() -> None:
    """Liệt kê các tài khoản, vai trò, đơn vị và trạng thái."""
    from rollout.password_links import awaiting_password
    from storage.models import AccountRow, UnitRow
    from web.accounts import Role

    table = Table("Tên đăng nhập", "Vai trò", "Đơn vị", "Trạng thái", "Mã API")
    with unit_of_work() as uow:
        rows = uow.session.execute(select(AccountRow, UnitRow).join(UnitRow, UnitRow.id == AccountRow.unit_id)
                                   .order_by(AccountRow.username)).all()
        for account, unit in rows:
            table.add_row(account.username, Role(account.role).label, f"{unit.name} ({unit.code})",
                          "đã khóa" if not account.active else
                          "chờ đặt mật khẩu" if awaiting_password(account.password_hash) else "đang dùng",
                          "có" if account.token_hash else "chưa cấp")
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
    workers: int = typer.Option(
        0, "--workers", show_default=False,
        help="Số tiến trình phục vụ; mặc định gấp đôi số lõi của máy (trong lúc một tiến trình chờ lượt ghi vào "
             "cơ sở dữ liệu, các tiến trình khác vẫn nhận và kiểm tra báo cáo)"),
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
    workers = workers or 2 * (os.cpu_count() or 1)
    uvicorn.run("web.app:app_from_settings", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
