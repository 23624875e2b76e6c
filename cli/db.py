"""`trienkhai db …`: schema migrations."""

from __future__ import annotations

import typer

from bootstrap import services
from cli.common import console
from storage import make_engine, translate_errors, upgrade
from storage.migrate import current_revision, head_revision

app = typer.Typer(no_args_is_help=True, help="Cơ sở dữ liệu: khởi tạo và nâng cấp lược đồ.")


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Nâng cấp lược đồ cơ sở dữ liệu lên phiên bản mới nhất."""
    url = services().settings.effective_database_url
    engine = make_engine(url)
    with translate_errors(url):
        before = current_revision(engine)
        upgrade(engine)
    after = head_revision()
    if before == after:
        console.print(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}).")
    else:
        console.print(f"Đã nâng cấp cơ sở dữ liệu: {before or 'trống'} → {after}.")


@app.command("current")
def current_cmd() -> None:
    """Cho biết phiên bản lược đồ hiện tại."""
    url = services().settings.effective_database_url
    with translate_errors(url):
        console.print(current_revision(make_engine(url)) or "trống (chưa khởi tạo)")
