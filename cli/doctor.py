"""`trienkhai doctor`, and the service's health as `trienkhai status` prints it."""

from __future__ import annotations

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from cli.common import console, now_utc
from errors import ConfigError
from monitoring import ADVICE, prefect_api_url, run_checks, service_health
from settings import get_settings


def print_service_health(session: Session, out: Console = console) -> None:
    """The three jobs' last runs, then the alarm if any, by the real clock (what the dashboard's header shows)."""
    health = service_health(session, now_utc())
    if not health.ever_ran:
        out.print("Chưa ghi nhận lần chạy nào của dịch vụ định kỳ (điều phối, gửi thư, báo cáo tuần).", style="dim")
        return
    for line in health.lines:
        out.print(line, markup=False)
    if health.alarms:
        out.print("Dịch vụ định kỳ đang có sự cố:", style="bold red")
        for text in health.alarm_texts:
            out.print(f"  {text}.", style="red", markup=False)
        out.print(ADVICE, style="red", markup=False)
    out.print()


def doctor_cmd(
    api_url: str = typer.Option(None, "--api-url", help="Địa chỉ API của máy chủ Prefect (mặc định: biến môi "
                                "trường PREFECT_API_URL, nếu không có thì http://127.0.0.1:4200/api)"),
) -> None:
    """Kiểm tra cấu hình và dịch vụ: cơ sở dữ liệu, máy chủ thư, Prefect và lịch chạy, hộp thư đi, các lần chạy."""
    checks = run_checks(get_settings, prefect_api_url(api_url), now_utc())
    for check in checks:
        console.print(check.line, style="green" if check.ok else "red", markup=False)
    failed = sum(not c.ok for c in checks)
    if failed:
        raise ConfigError(f"{failed}/{len(checks)} mục kiểm tra không đạt: sửa theo hướng dẫn ở các dòng ✗ rồi chạy "
                          "lại `trienkhai doctor`.")
    console.print(f"Cả {len(checks)} mục kiểm tra đều đạt.")
