"""`trienkhai web` and `trienkhai user …` commands."""

import typer

user_app = typer.Typer(no_args_is_help=True, help="Tài khoản người dùng của trang điều hành.")
