"""`trienkhai link`: personal report links — make one by hand for a unit, revoke a unit's links."""

from __future__ import annotations

import typer

from bootstrap import services
from cli.common import actor, console, instant, unit_of_work
from errors import ConfigError
from rollout import links
from storage.units import find_unit

app = typer.Typer(no_args_is_help=True, help="Đường liên kết báo cáo cá nhân của đơn vị: tạo, thu hồi.")
NOW_HELP = "Thời điểm (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"


@app.command("new")
def new_cmd(
    unit: str,
    subtree: bool = typer.Option(False, "--subtree", help="Cho cả các đơn vị trực thuộc (cấp trên tổng hợp)"),
    now: str = typer.Option(None, "--now", help=NOW_HELP),
) -> None:
    """Tạo một đường liên kết cho đơn vị (để gửi bằng điện thoại hay Zalo khi thư không tới); chỉ hiện một lần."""
    settings = services().settings
    if not settings.public_url:
        raise ConfigError("Chưa đặt địa chỉ công khai của trang báo cáo: đặt TRIENKHAI_PUBLIC_URL, "
                          "ví dụ https://trienkhai.quangtri.dcs.vn.")
    with unit_of_work(writer=True) as uow:
        row = find_unit(uow.session, unit)
        token = links.create_link(uow.session, row, now=instant(now), days=settings.report_link_days, subtree=subtree)
        uow.commit()
    console.print(f"Đường liên kết của {row.name} (dùng trong {settings.report_link_days} ngày):")
    console.print(links.link_url(settings.public_url, token), highlight=False, soft_wrap=True)


@app.command("revoke")
def revoke_cmd(unit: str, now: str = typer.Option(None, "--now", help=NOW_HELP)) -> None:
    """Thu hồi mọi đường liên kết còn hiệu lực của đơn vị (thư bị chuyển nhầm, lộ); thư sau mang đường mới."""
    with unit_of_work(writer=True) as uow:
        count = links.revoke_links(uow.session, unit, now=instant(now), actor=actor())
        uow.commit()
    console.print(f"Đã thu hồi {count} đường liên kết của {unit}.")
