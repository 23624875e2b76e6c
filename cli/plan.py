"""`trienkhai plan …`: check, issue, list and show directives."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import func, select

import formats
from bootstrap import services
from cli.common import actor, console, now_utc, unit_of_work
from plans.compiled import CompiledPlan
from rollout.service import issue_counts, issue_plan, prepare_plan
from rollout.status import Status
from schedules import WorkingCalendar
from schedules.render import format_instant
from storage.models import DirectiveRow, ObligationRow, PhaseRow

app = typer.Typer(no_args_is_help=True, help="Kế hoạch: kiểm tra, ban hành, xem, lược đồ tệp kế hoạch.")

# More periods than this per unit (two years of monthly ones) usually means a campaign without its end.
MANY_PERIODS = 24

PlanFile = typer.Argument(..., exists=True, dir_okay=False, help="Tệp kế hoạch .yaml")


@app.command("check")
def check_cmd(file: Path = PlanFile) -> None:
    """Kiểm tra tệp kế hoạch và cho biết ban hành sẽ tạo những gì (không ghi gì)."""
    calendar = services().calendar
    with unit_of_work() as uow:
        prepared = prepare_plan(file, calendar, uow.session)
    compiled = prepared.compiled
    console.print(f"[green]Tệp hợp lệ.[/] Đối chiếu với {prepared.hierarchy_source}.")
    for line in compiled.summary_lines():
        console.print(line)
    if compiled.pilot:
        table = Table(title="Đơn vị chỉ đạo điểm và quy tắc chọn")
        table.add_column("Mã")
        table.add_column("Quy tắc")
        for choice in compiled.pilot:
            table.add_row(choice.code, choice.rule)
        console.print(table)
    table = Table(title="Hạn theo từng cấp")
    table.add_column("Nghĩa vụ")
    table.add_column("Cấp", justify="right")
    table.add_column("Hạn")
    for spec in compiled.obligations:
        for level, due in sorted(spec.due_by_level.items()):
            table.add_row(spec.title, str(level), format_instant(due))
    for m in compiled.milestones:
        table.add_row(f"{m.title} ({m.assignee_code})", "", format_instant(m.due))
    console.print(table)
    _print_counts(compiled, calendar)


def _print_counts(compiled: CompiledPlan, calendar: WorkingCalendar) -> None:
    """How each deadline was understood, and how many obligations issuing creates (units × periods)."""
    counts = issue_counts(compiled, calendar)
    console.print("Cách hiểu thời hạn và số nghĩa vụ sẽ tạo:")
    for count in counts:
        console.print(f"  “{count.key}”: {count.periods} kỳ × {formats.number(count.units)} đơn vị = "
                      f"{formats.number(count.total)} nghĩa vụ")
        if count.meaning:
            console.print(f"    {count.meaning}")
        if count.periods > MANY_PERIODS:
            console.print(
                f"    [yellow]Cảnh báo:[/] mỗi đơn vị sẽ nhận {count.periods} kỳ của “{count.key}”; nếu đợt thực hiện "
                "ngắn hơn, hãy ghi mốc kết thúc, ví dụ until: \"tháng 9/2023\" "
                "hoặc due: \"hằng tháng, đến tháng 9/2023\""
            )
    console.print(f"Tổng số nghĩa vụ sẽ tạo: {formats.number(sum(c.total for c in counts))}")


@app.command("schema")
def schema_cmd(
    out: Path | None = typer.Option(None, "-o", "--out", help="Ghi vào tệp .json thay vì in ra màn hình"),
) -> None:
    """In lược đồ JSON của tệp kế hoạch (giải thích và ví dụ từng khóa) để trình soạn thảo kiểm tra khi gõ."""
    import json
    import sys

    from plans.reference import plan_json_schema

    text = json.dumps(plan_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"[green]Đã ghi lược đồ tệp kế hoạch[/] vào {escape(str(out))}. Trong VS Code (tiện ích YAML), thêm "
                  f"dòng đầu tệp kế hoạch: # yaml-language-server: $schema={escape(str(out))}", highlight=False)


@app.command("draft")
def draft_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Văn bản .docx, .pdf (có lớp chữ) hoặc .txt"),
    out: Path | None = typer.Option(None, "-o", "--out", help="Tệp bản nháp .yaml (mặc định: cạnh văn bản)"),
) -> None:
    """Đọc một văn bản (.docx, .pdf, .txt) thành bản nháp kế hoạch để đối chiếu, điền chỗ THIẾU rồi kiểm tra."""
    from intake import GAP, draft_plan

    draft, text = draft_plan(file)  # raises before anything is written
    target = out or file.with_suffix(".yaml")
    target.write_text(text, encoding="utf-8")
    gaps = text.count(f"# {GAP}:")
    console.print(f"[green]Đã viết bản nháp[/] {target}: {len(draft.parents)} văn bản căn cứ, "
                  f"{len(draft.deadlines)} mốc thời gian, {len(draft.recipients)} nơi nhận, "
                  f"{len(draft.signers)} chữ ký.")
    console.print(f"Còn {gaps} chỗ {GAP} cần điền; {len(draft.flags)} điểm cần kiểm tra.")
    for flag in draft.flags:
        console.print(f"[yellow]Cần kiểm tra (dòng {flag.line}):[/] {flag.message}")


@app.command("issue")
def issue_cmd(file: Path = PlanFile) -> None:
    """Ban hành kế hoạch: tạo toàn bộ đợt triển khai trong một giao dịch (ban hành lại không tạo gì mới)."""
    calendar = services().calendar
    with console.status("Đang ban hành…"), unit_of_work(writer=True) as uow:
        prepared, result = issue_plan(uow.session, file, now=now_utc(), actor=actor(), calendar=calendar)
        uow.commit()
    number = prepared.compiled.directive.number
    if not result.created:
        console.print(f"Văn bản {number} đã được ban hành trước đây với đúng nội dung này; không tạo gì mới.")
        return
    units, obligations = formats.number(result.units), formats.number(result.obligations)
    console.print(f"[green]Đã ban hành {number}[/]: {units} đơn vị, {obligations} nghĩa vụ.")
    for warning in result.warnings:
        console.print(f"[yellow]Cảnh báo:[/] {warning}")


@app.command("amend")
def amend_cmd(file: Path = PlanFile, reason: str = typer.Option(..., "--reason", help="Lý do sửa đổi")) -> None:
    """Sửa đổi kế hoạch đã ban hành: dời hạn những việc chưa xong, thêm việc cho đơn vị mới, bãi bỏ việc bị bỏ."""
    from rollout.service import amend_plan

    calendar = services().calendar
    with console.status("Đang áp dụng sửa đổi…"), unit_of_work(writer=True) as uow:
        prepared, result = amend_plan(uow.session, file, now=now_utc(), actor=actor(), reason=reason, calendar=calendar)
        uow.commit()
    number = prepared.compiled.directive.number
    if not result.differences:
        console.print(f"Kế hoạch {number} không có gì thay đổi so với bản đã ban hành.")
        return
    moved, added, waived = (formats.number(n) for n in (result.rescheduled, result.added, result.waived))
    console.print(f"[green]Đã sửa đổi {number}[/]: dời hạn {moved}, thêm {added}, bãi bỏ {waived} nghĩa vụ. "
                  "Những điểm thay đổi:")
    for line in result.differences:
        console.print(f"  - {line}")


@app.command("list")
def list_cmd() -> None:
    """Danh sách văn bản đã ban hành với giai đoạn hiện tại và số nghĩa vụ quá hạn."""
    table = Table(title="Văn bản đã ban hành")
    for col in ("Số", "Trích yếu", "Trạng thái", "Giai đoạn", "Quá hạn"):
        table.add_column(col)
    with unit_of_work() as uow:
        s = uow.session
        for d in s.scalars(select(DirectiveRow).order_by(DirectiveRow.issued_at)):
            phase = s.scalar(
                select(PhaseRow.label)
                .where(PhaseRow.directive_id == d.id, PhaseRow.state == "open")
                .order_by(PhaseRow.seq.desc())
            )
            overdue = s.scalar(
                select(func.count())
                .where(ObligationRow.directive_id == d.id, ObligationRow.status == Status.OVERDUE.value)
            )
            table.add_row(d.number, d.title[:60], d.state, phase or "—", str(overdue))
    console.print(table)


@app.command("show")
def show_cmd(number: str = typer.Argument(..., help="Số văn bản, ví dụ 47-KH/TU")) -> None:
    """Chi tiết một văn bản: giai đoạn, trạng thái, lý do tạm dừng nếu có, sự kiện và chỉ tiêu phân bổ."""
    from rollout.actions import find_directive
    from rollout.event import event_of, quota_lines

    with unit_of_work() as uow:
        d = find_directive(uow.session, number)
        phases = list(uow.session.scalars(select(PhaseRow).where(PhaseRow.directive_id == d.id).order_by(PhaseRow.seq)))
        event = event_of(uow.session, d, services().calendar)
        quotas = quota_lines(uow.session, d)
    console.print(f"[bold]{d.number}[/] — {d.title}")
    console.print(f"Ban hành: {format_instant(d.issued_at)} · trạng thái: {d.state}")
    if d.state_reason:
        when = format_instant(d.state_at) if d.state_at else "—"
        console.print(f"Lý do ({d.state_by}, {when}): {d.state_reason}")
    table = Table(title="Các giai đoạn")
    for col in ("Giai đoạn", "Mở từ", "Hạn", "Trạng thái", "Phê duyệt"):
        table.add_column(col)
    for p in phases:
        table.add_row(p.label, format_instant(p.opens_at) if p.opens_at else "—",
                      format_instant(p.due_at) if p.due_at else "—",
                      p.state, (p.approved_by or "chưa") if p.gate_approval else "không cần")
    console.print(table)
    if event is not None:
        console.print(f"[bold]Sự kiện:[/] {escape(event.title)}", highlight=False)
        for label, value in event.lines():
            console.print(f"  {label}: {escape(value)}", highlight=False)
    if quotas:
        console.print("[bold]Chỉ tiêu phân bổ[/] (tổng các đơn vị):")
        for quota in quotas:
            console.print(f"  {escape(quota.text())}", highlight=False)
