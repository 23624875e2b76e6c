"""`trienkhai notify …`: the outbox of reminders, đôn đốc letters and escalations."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import select, update

from bootstrap import services
from cli.common import console, database, instant, now_utc, unit_of_work
from errors import ConflictError, NotFound
from formats import number
from schedules.render import format_instant
from storage import UnitOfWork
from storage.db import rowcount
from storage.models import OutboxRow, UnitRow

app = typer.Typer(no_args_is_help=True, help="Thông báo: nhắc hạn, công văn đôn đốc, báo cáo vượt cấp.")

STATUS_LABELS = {"pending": "chờ gửi", "sent": "đã gửi", "failed": "lỗi", "cancelled": "không cần gửi"}


@app.command("list")
def list_cmd(
    status: str = typer.Option(None, "--status", help="pending | sent | failed | cancelled"),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """Danh sách thông báo trong hộp thư đi, mới nhất trước."""
    query = (
        select(OutboxRow, UnitRow)
        .join(UnitRow, UnitRow.id == OutboxRow.unit_id)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    )
    if status:
        query = query.where(OutboxRow.status == status)
    table = Table(title="Hộp thư đi")
    for col in ("Số", "Mẫu", "Đơn vị nhận", "Trạng thái", "Lần gửi", "Gửi lúc / lần tới", "Lỗi"):
        table.add_column(col)
    with unit_of_work() as uow:
        for row, unit in uow.session.execute(query):
            when = row.sent_at if row.status == "sent" else row.next_attempt_at
            table.add_row(str(row.id), row.template, f"{unit.name} ({unit.code})",
                          STATUS_LABELS.get(row.status, row.status), str(row.attempts),
                          format_instant(when) if when else "—", row.last_error or "")
    console.print(table)


@app.command("show")
def show_cmd(
    message_id: int,
    eml: Path = typer.Option(None, "--eml", help="Ghi thư đã gửi ra tệp .eml (mở được bằng trình đọc thư)"),
) -> None:
    """Nội dung một thông báo: thư đã gửi đúng như lúc gửi (tiêu đề, người nhận, nội dung, tệp đính kèm);
    thư chưa gửi được dựng từ dữ liệu hiện tại."""
    from notifications.routing import channel_line
    from notifications.sent import eml_bytes, stored_envelope, stored_files

    with unit_of_work() as uow:
        row = uow.session.get(OutboxRow, message_id)
        if row is None:
            raise NotFound(f"Không có thông báo số {message_id}.")
        stored = stored_envelope(uow.session, row)
        files = stored_files(uow.session, row.id) if stored is not None else []
        if stored is None:
            if eml is not None:
                raise ConflictError(f"Thông báo số {message_id} chưa gửi nên chưa có thư lưu để ghi ra .eml; "
                                    "bỏ --eml để xem bản dựng từ dữ liệu hiện tại.")
            _show_composed(uow, row)
            return
    console.print(f"Mẫu: {row.template} · trạng thái: {STATUS_LABELS.get(row.status, row.status)} · khóa: {row.key}")
    sent = f"Thư như đã gửi lúc {format_instant(row.sent_at)}" if row.sent_at else "Thư như đã gửi"
    console.print(f"{sent} · Message-ID: {row.message_id or '—'}")
    console.print(f"Gửi: {', '.join(stored.to) or '—'} · đồng gửi: {', '.join(stored.cc) or '—'}")
    if (how := channel_line(row.recipients)) is not None:
        console.print(f"Kênh gửi: {how}", markup=False)
    console.print(f"Tiêu đề: {stored.subject}\n", markup=False)
    console.print(stored.text, markup=False)
    if files:
        console.print("Tệp đính kèm:")
        for f in files:
            console.print(f"- {f.name} · {f.media_type} · {number(f.size)} byte · SHA-256 {f.sha256}", markup=False)
    if eml is not None:
        if not stored.to and not stored.cc:
            raise ConflictError(f"Thông báo số {message_id} được gửi qua webhook, không phải thư điện tử, "
                                "nên không có bản .eml để ghi.")
        eml.write_bytes(eml_bytes(stored, services().settings.mail_from, row.sent_at))
        console.print(f"Đã ghi thư ra {eml}.", markup=False)


def _show_composed(uow: UnitOfWork, row: OutboxRow) -> None:
    """A message not sent yet, as it would be composed now."""
    from notifications.compose import compose

    composed = compose(uow.session, row, now_utc(), services().calendar)
    console.print(f"Mẫu: {row.template} · trạng thái: {STATUS_LABELS.get(row.status, row.status)} · khóa: {row.key}")
    console.print("Chưa gửi: nội dung dựng từ dữ liệu hiện tại.")
    if composed.envelope is None:
        console.print(composed.cancelled or f"{composed.recipient.name} chưa có địa chỉ nhận.")
        return
    to = ", ".join(composed.envelope.to) or composed.recipient.webhook
    console.print(f"Gửi: {to} · đồng gửi: {', '.join(composed.envelope.cc) or '—'}")
    console.print(f"Tiêu đề: {composed.envelope.subject}\n", markup=False)
    console.print(composed.envelope.text, markup=False)


@app.command("resend")
def resend_cmd(
    message_id: int = typer.Argument(None, help="Số thông báo"),
    failed: bool = typer.Option(False, "--failed", help="Gửi lại mọi thông báo lỗi"),
) -> None:
    """Đưa thông báo trở lại hàng chờ gửi, cùng khóa và cùng Message-ID: thư lỗi được dựng lại, thư đã gửi được
    gửi lại đúng như đã gửi."""
    if message_id is None and not failed:
        raise typer.BadParameter("Ghi số thông báo hoặc dùng --failed.")
    query = update(OutboxRow).values(status="pending", attempts=0, next_attempt_at=now_utc(), last_error=None)
    if failed:
        query = query.where(OutboxRow.status == "failed")
    else:
        query = query.where(OutboxRow.id == message_id, OutboxRow.status != "pending")
    with unit_of_work() as uow:
        if not failed and uow.session.get(OutboxRow, message_id) is None:
            raise NotFound(f"Không có thông báo số {message_id}.")
        count = rowcount(uow.session.execute(query))
        uow.commit()
    console.print(f"Đã đưa {count} thông báo vào hàng chờ gửi lại.")


@app.command("preview")
def preview_cmd(template: str) -> None:
    """Xem trước một mẫu với dữ liệu mẫu của Kế hoạch 47-KH/TU."""
    from notifications.preview import preview

    message = preview(template)
    console.print(f"Tiêu đề: {message.subject}\n")
    console.print(message.text)


@app.command("dispatch")
def dispatch_cmd(
    now: str = typer.Option(
        None, "--now", help="Thời điểm (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
) -> None:
    """Gửi một lượt các thông báo đến hạn (trong giờ hành chính)."""
    from notifications.dispatch import dispatch

    at = instant(now)
    wired = services()
    result = dispatch(database(), at, channel=wired.channel(), calendar=wired.calendar, zalo=wired.zalo())
    if result.quiet:
        console.print("Ngoài giờ hành chính: chưa gửi gì.")
        return
    console.print(f"Đã gửi {result.sent}, hẹn gửi lại {result.retried}, lỗi {result.failed}, "
                  f"không cần gửi {result.cancelled}.")
    if result.taken_over:
        console.print(f"Có {result.taken_over} thông báo quá thời hạn giữ chỗ nên đã do lượt gửi khác đảm nhận; "
                      "người nhận có thể nhận hai bản giống hệt nhau.")
