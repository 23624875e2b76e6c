"""`trienkhai report|phase|status|advance`: follow a rollout and act on it."""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.tree import Tree
from sqlalchemy import select

import formats
from bootstrap import services
from cli.common import actor, console, database, instant, now_utc, unit_of_work
from cli.doctor import print_service_health
from errors import InputError
from rollout import actions
from rollout.reconcile import advance_each
from rollout.rollup import rollup
from rollout.status import Status
from storage.models import UnitRow
from storage.units import find_unit, subtree_bounds

report_app = typer.Typer(no_args_is_help=True, help="Báo cáo: nộp, miễn.")
phase_app = typer.Typer(no_args_is_help=True, help="Giai đoạn và đợt triển khai: phê duyệt, tạm dừng, tiếp tục, hủy.")


def _fields(values: list[str]) -> dict[str, str]:
    data, problems = {}, []
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            problems.append(f"“{item}” phải có dạng TÊN=GIÁ_TRỊ, ví dụ so_dien_dan=2")
        data[name.strip()] = value.strip()
    if problems:
        raise InputError("; ".join(problems))
    return data


@report_app.command("submit")
def submit_cmd(
    number: str, unit: str, key: str,
    field: list[str] = typer.Option([], "--field", "-f", help="Số liệu báo cáo TÊN=GIÁ_TRỊ (lặp lại được)"),
    period: int = typer.Option(None, "--period", help="Kỳ (mặc định: kỳ sớm nhất còn nợ)"),
    now: str = typer.Option(
        None, "--now", help="Thời điểm nộp (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
) -> None:
    """Ghi nhận báo cáo của một đơn vị (đúng hạn hay quá hạn tính theo hạn của đơn vị)."""
    with unit_of_work(writer=True) as uow:
        row = actions.submit(
            uow.session, number, unit, key, data=_fields(field), now=instant(now), actor=actor(), period=period
        )
        uow.commit()
    console.print(f"Đã ghi nhận: {unit} — {key} (kỳ {row.period}): {Status(row.status).label}.")


@report_app.command("correct")
def correct_cmd(
    number: str, unit: str, key: str,
    field: list[str] = typer.Option(
        [], "--field", "-f", help="Số liệu đúng TÊN=GIÁ_TRỊ (lặp lại được; ghi đủ mọi số liệu)"
    ),
    reason: str = typer.Option(..., "--reason", help="Lý do sửa (hiển thị trong lịch sử báo cáo)"),
    period: int = typer.Option(None, "--period", help="Kỳ (mặc định: kỳ đã báo cáo gần nhất)"),
) -> None:
    """Sửa một báo cáo đã ghi nhận: số liệu mới thay số đang dùng, các lần trước vẫn giữ trong lịch sử."""
    with unit_of_work() as uow:
        row = actions.correct(uow.session, number, unit, key, data=_fields(field), reason=reason, now=now_utc(),
                              actor=actor(), period=period)
        uow.commit()
    console.print(f"Đã sửa báo cáo: {unit} — {key} (kỳ {row.period}); lần nộp trước vẫn giữ trong lịch sử.")


@report_app.command("waive")
def waive_cmd(
    number: str, unit: str, key: str, reason: str = typer.Option(..., "--reason", help="Lý do miễn"),
    now: str = typer.Option(
        None, "--now", help="Thời điểm nộp (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
) -> None:
    """Miễn một nghĩa vụ cho một đơn vị, có ghi lý do."""
    with unit_of_work(writer=True) as uow:
        actions.waive(uow.session, number, unit, key, reason=reason, now=instant(now), actor=actor())
        uow.commit()
    console.print(f"Đã miễn nghĩa vụ {key} cho {unit}.")


@phase_app.command("approve")
def approve_cmd(number: str, phase: str, reason: str = typer.Option(None, "--reason")) -> None:
    """Phê duyệt điều kiện chuyển giai đoạn (lần chạy advance sau sẽ mở giai đoạn nếu đủ điều kiện)."""
    with unit_of_work(writer=True) as uow:
        row = actions.approve_gate(uow.session, number, phase, now=now_utc(), actor=actor(), reason=reason)
        uow.commit()
        console.print(f"Đã phê duyệt giai đoạn “{row.label}” của {actions.find_directive(uow.session, number).number}.")


def _state_command(action: str, done: str) -> Callable[[str, str], None]:
    def command(number: str, reason: str = typer.Option(..., "--reason", help="Lý do")) -> None:
        with unit_of_work(writer=True) as uow:
            directive = actions.set_state(uow.session, number, action, reason=reason, now=now_utc(), actor=actor())
            uow.commit()
            console.print(f"{done} đợt triển khai {directive.number}: {reason}")

    command.__doc__ = f"{done} đợt triển khai, có ghi lý do."
    return command


phase_app.command("hold")(_state_command("hold", "Đã tạm dừng"))
phase_app.command("resume")(_state_command("resume", "Đã tiếp tục"))
phase_app.command("abort")(_state_command("abort", "Đã hủy"))


def status_cmd(
    number: str = typer.Argument(..., help="Số văn bản"),
    unit: str = typer.Argument(None, help="Mã đơn vị gốc (mặc định: đơn vị ban hành)"),
    depth: int = typer.Option(1, "--depth", help="Số cấp hiển thị"),
) -> None:
    """Tình trạng dịch vụ định kỳ, rồi cây đơn vị với số nghĩa vụ theo trạng thái và tỉ lệ đúng hạn."""
    with unit_of_work() as uow:
        s = uow.session
        print_service_health(s)
        directive = actions.find_directive(s, number)
        root = find_unit(s, unit) if unit else s.get_one(UnitRow, directive.issuer_id)
        nodes: dict[int, Tree] = {}
        lo, hi = subtree_bounds(root.path)
        rows = s.scalars(
            select(UnitRow)
            .where(UnitRow.path >= lo, UnitRow.path < hi, UnitRow.depth <= root.depth + depth)
            .order_by(UnitRow.path)
        )
        for row in rows:
            r = rollup(s, directive.number, row.code)
            if r.total == 0 and row.id != root.id:
                continue
            share = "—" if r.share_on_time is None else formats.percent(r.share_on_time, 0)
            parts = " · ".join(f"{Status(k).label}: {n}" for k, n in sorted(r.counts.items()))
            label = f"[bold]{row.name}[/] ({row.code}) — đúng hạn {share} — {parts or 'không có nghĩa vụ'}"
            nodes[row.id] = nodes[row.parent_id].add(label) if row.parent_id in nodes else Tree(label)
    console.print(nodes[root.id])


def advance_cmd(
    now: str = typer.Option(
        None, "--now", help="Thời điểm (ISO; không ghi múi giờ là giờ Việt Nam); mặc định: bây giờ"
    ),
) -> None:
    """Chạy bộ điều phối một lần: mở giai đoạn, mở nghĩa vụ, đánh dấu quá hạn."""
    at = instant(now)
    result = advance_each(database(), at, calendar=services().calendar)
    console.print(
        f"Giai đoạn mở: {', '.join(result.phases_opened) or 'không'}; nghĩa vụ mở: {formats.number(result.opened)}; "
        f"chuyển quá hạn: {formats.number(result.overdue)}; thông báo mới: {formats.number(result.messages)}."
    )
    if result.busy:
        console.print(f"Đang được lần điều phối khác xử lý, bỏ qua: {', '.join(result.busy)}.")
