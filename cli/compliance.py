"""`trienkhai compliance …` commands."""

import typer

app = typer.Typer(no_args_is_help=True, help="Báo cáo tổng hợp tình hình triển khai hằng tuần.")
