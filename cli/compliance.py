"""`trienkhai compliance …` commands."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from bootstrap import services
from cli.common import console, database, instant
from compliance.run import run_compliance_detailed
from formats import percent, points
from schedules.render import format_day, format_short

app = typer.Typer(no_args_is_help=True, help="Báo cáo tổng hợp tình hình triển khai hằng tuần.")


@app.command("run")
def run_cmd(
    now: str = typer.Option(
        None, "--now", help="Thời điểm chụp số liệu (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
    out: Path = typer.Option(
        None, "--out", help="Chép thêm một bản các tệp báo cáo ra thư mục này (tệp luôn được lưu trong cơ sở dữ liệu)"
    ),
) -> None:
    """Chụp số liệu tuần của mọi văn bản đang triển khai, lập báo cáo tổng hợp (.docx, .xlsx, .html, biểu đồ), lưu vào
    cơ sở dữ liệu để trang điều hành hiển thị."""
    at = instant(now)
    result = run_compliance_detailed(database(), at, out, calendar=services().calendar)
    if not result.snapshot.directives:
        console.print("Không có văn bản nào đang triển khai: không có gì để tổng hợp.")
        return
    console.print(f"Đã chụp số liệu tuần {format_day(result.snapshot.week)} lúc {format_short(at)}: "
                  f"{result.snapshot.rows} đơn vị, {len(result.snapshot.directives)} văn bản.")
    for report in result.reports:
        table = Table(title=f"Kế hoạch số {report.number}", title_justify="left")
        table.add_column("Đơn vị cấp huyện")
        for header in ("Đúng hạn", "Trễ hạn", "Quá hạn", "Tỷ lệ đúng hạn", "± điểm %"):
            table.add_column(header, justify="right", min_width=6)
        for d in report.districts:
            table.add_row(d.name, str(d.counts.done_on_time), str(d.counts.done_late), str(d.counts.overdue),
                          percent(d.counts.share_on_time), points(d.share_change))
        t = report.totals
        table.add_row("[bold]Toàn Đảng bộ[/]", str(t.done_on_time), str(t.done_late), str(t.overdue),
                      percent(t.share_on_time), "")
        console.print(table)
        overdue = report.overdue_by_level()
        if overdue:
            levels = ", ".join(f"cấp {lv}: {len(u)} tổ chức" for lv, u in overdue.items())
            console.print(f"Quá hạn chưa hoàn thành: {levels}")
    console.print(f"Đã lưu vào cơ sở dữ liệu, thư mục {result.folder} (xem tại trang Báo cáo tuần):")
    for name in result.names:
        console.print(f"  {name}")
    if result.paths:
        console.print(f"Đã chép một bản ra {out}:")
        for path in result.paths:
            console.print(f"  {path}")
