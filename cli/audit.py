"""`trienkhai audit`: check that the audit log was not rewritten since it was written."""

from __future__ import annotations

import typer

from cli.common import console, unit_of_work
from errors import StorageError
from formats import format_short, number

app = typer.Typer(no_args_is_help=True, help="Nhật ký thao tác: kiểm tra tính toàn vẹn.")


@app.command("verify")
def verify_cmd() -> None:
    """Tính lại chuỗi mã băm của nhật ký thao tác từ bản ghi đầu tiên; báo bản ghi đầu tiên bị sửa, chèn hay xóa."""
    from storage.audit import verify

    with unit_of_work() as uow:
        verdict = verify(uow.session)
    if verdict.broken_id is not None:
        when = format_short(verdict.broken_at) if verdict.broken_at else "không rõ thời điểm"
        raise StorageError(
            f"Nhật ký thao tác không còn toàn vẹn từ bản ghi số {verdict.broken_id} ({when}): "
            f"{verdict.problem}. {number(verdict.count)} bản ghi trước đó vẫn khớp. Hãy đối chiếu với bản sao lưu "
            "gần nhất (`trienkhai restore` vào một thư mục khác) để biết nội dung gốc."
        )
    console.print(f"Nhật ký toàn vẹn: {number(verdict.count)} bản ghi.")
    if verdict.last_id is not None and verdict.last_at is not None:
        console.print(f"Bản ghi cuối: số {verdict.last_id}, {format_short(verdict.last_at)}; "
                      f"mã băm {verdict.last_hash}")
