"""The `trienkhai` command: parse arguments, call a use case, print; errors become messages, not tracebacks."""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

import typer
from rich.console import Console
from rich.markup import escape

from cli.usage import USAGE_EXIT_CODE, NoArgsIsHelpError, UsageError, show_usage_error
from errors import TrienkhaiError

app = typer.Typer(
    name="trienkhai",
    help="Triển khai văn bản chỉ đạo theo từng giai đoạn xuống các cấp Đảng, Đoàn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
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
    # Options of `trienkhai` itself; the commands are registered by _register().
    pass


def _register() -> None:
    # Each command group lives in its own module; imported here so that `--help` lists them all.
    from cli import calendar, compliance, db, doctor, hierarchy, links, notify, plan, rollout, serve, simulate, web

    app.add_typer(db.app, name="db")
    app.add_typer(hierarchy.app, name="hierarchy")
    app.add_typer(calendar.app, name="calendar")
    app.add_typer(plan.app, name="plan")
    app.add_typer(rollout.report_app, name="report")
    app.add_typer(rollout.phase_app, name="phase")
    app.command("status")(rollout.status_cmd)
    app.command("advance")(rollout.advance_cmd)
    app.add_typer(notify.app, name="notify")
    app.add_typer(links.app, name="link")
    app.command("serve")(serve.serve_cmd)
    app.command("deploy")(serve.deploy_cmd)
    app.command("doctor")(doctor.doctor_cmd)
    app.command("simulate")(simulate.simulate_cmd)
    app.command("demo")(simulate.demo_cmd)
    app.add_typer(compliance.app, name="compliance")
    app.add_typer(web.user_app, name="user")
    if hasattr(web, "web_cmd"):
        app.command("web")(web.web_cmd)


def run() -> None:
    """Entry point: run the CLI; project errors and mistakes in the command line become a Vietnamese message
    and an exit code (errors/__init__.py lists them), never a traceback."""
    _register()
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
