"""The `trienkhai` command: parse arguments, call a use case, print; errors become messages, not tracebacks."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from errors import TrienkhaiError

app = typer.Typer(
    name="trienkhai",
    help="Triển khai văn bản chỉ đạo theo từng giai đoạn xuống các cấp Đảng, Đoàn.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)


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
    """Entry point: run the CLI and turn project errors into a Vietnamese message and an exit code."""
    _register()
    try:
        app(standalone_mode=False)
    except TrienkhaiError as exc:
        err_console.print(f"[bold red]Lỗi:[/] {exc}", highlight=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("Đã hủy.")
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit codes
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    run()
