"""`trienkhai backup` and `trienkhai restore`: the database and the documents units handed in, checked by reading
the copy back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bootstrap import services
from cli.common import console, database, now_utc
from formats import format_short, number, size

if TYPE_CHECKING:
    from storage.backup import Report


def _describe(report: Report) -> None:
    from storage.backup import HOME_ITEMS

    console.print(f"  Cơ sở dữ liệu: {number(len(report.tables))} bảng, {number(report.rows)} bản ghi "
                  f"({size(report.database_bytes)}).")
    console.print(f"  Tệp văn bản đơn vị nộp: {number(report.files)} tệp ({size(report.files_bytes)}).")
    if report.outbox_files:
        console.print(f"  Thư đã ghi thành tệp .eml (thư mục outbox): {number(report.outbox_files)} tệp "
                      f"({size(report.outbox_bytes)}).")
    kept = f", giữ nguyên {number(report.home_kept)} tệp đang có" if report.home_kept else ""
    console.print(f"  Tệp cấu hình của thư mục dữ liệu ({', '.join(HOME_ITEMS)}): {number(report.home_files)} "
                  f"tệp{kept}.")
    if report.audit_problem:
        console.print(f"  [yellow]Nhật ký thao tác: {number(report.audit_count)} bản ghi đầu còn khớp, "
                      f"{report.audit_problem}[/] (chạy `trienkhai audit verify` để xem).")
    else:
        console.print(f"  Nhật ký thao tác: {number(report.audit_count)} bản ghi, toàn vẹn; mã băm cuối "
                      f"{report.audit_hash or '(trống)'}")


def backup_cmd(
    dest: Path = typer.Argument(..., help="Thư mục mới sẽ chứa bản sao lưu (chưa có, hoặc rỗng)"),
) -> None:
    """Sao lưu cơ sở dữ liệu và các tệp văn bản đơn vị đã nộp vào một thư mục, rồi đọc lại bản sao để kiểm tra."""
    from storage.backup import backup

    settings = services().settings
    url = settings.effective_database_url
    database()  # reachable and at the current schema, or a message saying what to do
    with console.status("Đang sao lưu…"):
        report = backup(url, settings.effective_files_dir, settings.home, dest, now=now_utc())
    console.print(f"[green]Đã sao lưu vào {dest}[/]:")
    _describe(report)
    console.print(f"Đã đọc lại bản sao để kiểm tra: cơ sở dữ liệu đọc được và đủ số bản ghi từng bảng, "
                  f"{number(report.files + report.outbox_files)} tệp khớp mã SHA-256. Tổng dung lượng: "
                  f"{size(report.database_bytes + report.files_bytes + report.outbox_bytes)}.")


def restore_cmd(
    src: Path = typer.Argument(..., help="Thư mục bản sao lưu (do `trienkhai backup` tạo)"),
    force: bool = typer.Option(False, "--force", help="Thay thế cả khi cơ sở dữ liệu đích đang có dữ liệu"),
) -> None:
    """Khôi phục cơ sở dữ liệu và tệp văn bản từ một bản sao lưu, sau khi kiểm tra toàn bộ bản sao lưu."""
    from storage.backup import restore

    settings = services().settings
    with console.status("Đang kiểm tra và khôi phục…"):
        report = restore(settings.effective_database_url, settings.effective_files_dir, settings.home, src,
                         force=force)
    taken = format_short(datetime.fromisoformat(report.manifest["created_at"]))
    console.print(f"[green]Đã khôi phục từ {src}[/] (bản sao lưu lúc {taken}):")
    _describe(report)
