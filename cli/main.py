"""The `trienkhai` command: parse arguments, call a use case, print; errors become messages, not tracebacks."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

import typer
from rich.console import Console
from rich.markup import escape

from cli.help_text import use_vietnamese
from cli.lazy import Entry, LazyGroup
from cli.usage import USAGE_EXIT_CODE, NoArgsIsHelpError, UsageError, show_usage_error
from errors import TrienkhaiError

app = typer.Typer(
    name="trienkhai",
    cls=LazyGroup,
    help="Triển khai văn bản chỉ đạo theo từng giai đoạn xuống các cấp Đảng, Đoàn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,  # its options and messages are Typer's, in English
)
use_vietnamese()
err_console = Console(stderr=True)


def _show_version(asked: bool) -> None:
    if not asked:
        return
    try:
        number = version("trienkhai")
    except PackageNotFoundError:  # run from a checkout that was never installed
        number = "(chưa cài đặt)"
    print(f"trienkhai {number}")
    raise typer.Exit()


@app.callback()
def _options(
    show_version: bool = typer.Option(
        False, "--version", help="In số phiên bản rồi thoát.", is_eager=True, callback=_show_version
    ),
) -> None:
    # Options of `trienkhai` itself; the commands are listed in LazyGroup.TABLE below.
    pass


# Every command of `trienkhai`, in the order the help lists them; each module is imported only when its command
# runs (cli/lazy.py), so that the help and the version come back at once.
COMMANDS = {
    "status": Entry("cli.rollout:status_cmd", "command",
                    "Tình trạng dịch vụ định kỳ, rồi cây đơn vị với số nghĩa vụ theo trạng thái và tỉ lệ đúng hạn."),
    "advance": Entry("cli.rollout:advance_cmd", "command",
                     "Chạy bộ điều phối một lần: mở giai đoạn, mở nghĩa vụ, đánh dấu quá hạn."),
    "serve": Entry("cli.serve:serve_cmd", "command",
                   "Chạy dịch vụ: điều phối hằng giờ, gửi thông báo 5 phút một lần, báo cáo tuần thứ Hai 7h00 "
                   "(Ctrl-C để dừng)."),
    "deploy": Entry("cli.serve:deploy_cmd", "command",
                    "Khai báo ba lịch chạy của dịch vụ trên nhóm máy trienkhai (giữ nguyên lịch đã tạm dừng)."),
    "doctor": Entry("cli.doctor:doctor_cmd", "command",
                    "Kiểm tra cấu hình và dịch vụ: cơ sở dữ liệu, máy chủ thư, Prefect và lịch chạy, hộp thư đi, "
                    "các lần chạy."),
    "simulate": Entry("cli.simulate:simulate_cmd", "command",
                      "Diễn tập một kế hoạch trên đồng hồ mô phỏng (trên bản sao, không đụng tới dữ liệu thật)."),
    "demo": Entry("cli.simulate:demo_cmd", "command",
                  "Trình diễn: Kế hoạch 47-KH/TU của Tỉnh ủy Quảng Trị, mô phỏng từ tháng 4 đến tháng 12 năm 2017."),
    "web": Entry("cli.web:web_cmd", "command",
                 "Chạy trang điều hành (tiếng Việt, giờ Việt Nam) và API JSON tại /api/."),
    "db": Entry("cli.db:app", "group", "Cơ sở dữ liệu: khởi tạo và nâng cấp lược đồ."),
    "hierarchy": Entry("cli.hierarchy:app", "group", "Hệ thống tổ chức: nhập, xuất, sinh dữ liệu, thống kê."),
    "calendar": Entry("cli.calendar:app", "group", "Lịch làm việc và cách đọc hạn."),
    "plan": Entry("cli.plan:app", "group", "Kế hoạch: kiểm tra, ban hành, xem, lược đồ tệp kế hoạch."),
    "report": Entry("cli.rollout:report_app", "group", "Báo cáo: nộp, miễn."),
    "phase": Entry("cli.rollout:phase_app", "group",
                   "Giai đoạn và đợt triển khai: phê duyệt, tạm dừng, tiếp tục, hủy."),
    "notify": Entry("cli.notify:app", "group", "Thông báo: nhắc hạn, công văn đôn đốc, báo cáo vượt cấp."),
    "link": Entry("cli.links:app", "group", "Đường liên kết báo cáo cá nhân của đơn vị: tạo, thu hồi."),
    "compliance": Entry("cli.compliance:app", "group", "Báo cáo tổng hợp tình hình triển khai hằng tuần."),
    "user": Entry("cli.web:user_app", "group", "Tài khoản người dùng của trang điều hành."),
    "backup": Entry("cli.backup:backup_cmd", "command",
                    "Sao lưu cơ sở dữ liệu và các tệp văn bản đơn vị đã nộp vào một thư mục, rồi đọc lại bản sao "
                    "để kiểm tra."),
    "restore": Entry("cli.backup:restore_cmd", "command",
                     "Khôi phục cơ sở dữ liệu và tệp văn bản từ một bản sao lưu, sau khi kiểm tra toàn bộ "
                     "bản sao lưu."),
    "audit": Entry("cli.audit:app", "group", "Nhật ký thao tác: kiểm tra tính toàn vẹn."),
}
LazyGroup.TABLE = COMMANDS


def run() -> None:
    """Entry point: run the CLI; project errors and mistakes in the command line become a Vietnamese message
    and an exit code (errors/__init__.py lists them), never a traceback."""
    try:
        code = app(standalone_mode=False)
    except TrienkhaiError as exc:
        err_console.print(f"[bold red]Lỗi:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except NoArgsIsHelpError as exc:  # `trienkhai` or a command group alone: show what it offers
        print(exc.ctx.get_help())
        sys.exit(0)
    except UsageError as exc:
        show_usage_error(exc, err_console)
        sys.exit(USAGE_EXIT_CODE)
    except typer.TyperException as exc:  # e.g. a file argument that cannot be opened
        err_console.print(f"[bold red]Lỗi:[/] {escape(exc.format_message())}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Đã hủy.")
        sys.exit(130)
    # Without standalone mode, `typer.Exit(code)` (and --help, --version) come back as a return value.
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    run()
