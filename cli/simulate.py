"""`trienkhai simulate` and `trienkhai demo`: rehearse a plan on a simulated clock and show what it produced."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

import formats
from bootstrap import services
from cli.common import console, unit_of_work
from rollout.actions import find_directive
from rollout.rollup import rollup
from rollout.status import Status
from schedules.render import format_day
from simulation.rehearse import Rehearsal, rehearse
from storage import UnitOfWork
from storage.models import UnitRow

if TYPE_CHECKING:
    from hierarchy import Unit

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "47-KH-TU.yaml"
# The columns of the closing table: short headers so that it fits a terminal (not-yet-due and waived are left out).
SHOWN = [(Status.DONE_ON_TIME, "Xong đúng hạn"), (Status.DONE_LATE, "Xong quá hạn"),
         (Status.OVERDUE, "Quá hạn chưa xong"), (Status.OPEN, "Đang làm")]
TEMPLATE_NAMES = {"nhac_han": "Nhắc hạn", "cong_van_don_doc": "Công văn đôn đốc", "leo_thang": "Báo cáo vượt cấp",
                  "thong_bao_trien_khai": "Thông báo triển khai"}


def _units_for(plan: Path) -> list[Unit]:
    """The hierarchy to rehearse on: the stored one when it holds the issuer, else the plan's own."""
    from plans.document import load_plan, plan_units
    from storage.units import load_units

    loaded = load_plan(plan)
    try:
        with unit_of_work() as uow:
            stored = load_units(uow.session)
    except Exception:  # no configured database yet: the plan's own hierarchy will do
        stored = {}
    if loaded.directive.issuer in stored:
        return list(stored.values())
    return plan_units(loaded, plan.parent)


def _run(plan: Path, start: date, until: date, seed: int, out: Path) -> Rehearsal:
    calendar = services().calendar
    units = _units_for(plan)
    weeks = (until - start).days // 7 + 1
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("tuần"),
                  console=console, transient=True) as progress:
        task = progress.add_task("Mô phỏng", total=weeks)

        def on_day(day: date) -> None:
            if day.weekday() == 6 or day == until:
                progress.update(task, advance=1, description=f"Mô phỏng đến {format_day(day)}")

        return rehearse(plan, units, start, until, seed=seed, out=out, calendar=calendar,
                        sender=services().settings.mail_from, on_day=on_day)


def _summary(rehearsal: Rehearsal, out: Path) -> None:
    with UnitOfWork(rehearsal.engine) as uow:
        directive = find_directive(uow.session, rehearsal.number)
        districts = (
            uow.session.query(UnitRow)
            .filter(UnitRow.parent_id == directive.issuer_id, UnitRow.kind != "ban")
            .order_by(UnitRow.code)
            .all()
        )
        table = Table(title=f"Tình hình triển khai {rehearsal.number} (mô phỏng)")
        table.add_column("Đơn vị", no_wrap=True)
        for _, header in SHOWN:
            table.add_column(header, justify="right")
        table.add_column("Tỉ lệ đúng hạn", justify="right")
        for unit in [*districts, uow.session.get_one(UnitRow, directive.issuer_id)]:
            r = rollup(uow.session, rehearsal.number, unit.code)
            share = "—" if r.share_on_time is None else formats.percent(r.share_on_time, 0)
            bold = unit.id == directive.issuer_id
            cells = [formats.number(r.counts.get(status.value, 0)) for status, _ in SHOWN]
            table.add_row(f"[bold]{unit.name}[/]" if bold else unit.name, *cells, share)
    console.print(table)
    result = rehearsal.result
    console.print(f"{result.days} ngày mô phỏng · {formats.number(result.submitted)} lần nộp báo cáo · "
                  f"{result.snapshots} lần tổng hợp tuần · phê duyệt: {', '.join(result.approvals) or 'không'}")
    sent = sorted(rehearsal.messages_by_template.items())
    console.print("Thông báo đã gửi: " + ", ".join(f"{TEMPLATE_NAMES.get(t, t)}: {formats.number(n)}" for t, n in sent))
    console.print("[bold]Kết quả:[/]")
    for path in rehearsal.reports:
        console.print(f"  {path}")
    if rehearsal.report_folders:
        # The weekly reports live in the rehearsal's database, where the dashboard reads them.
        console.print(f"  {len(rehearsal.report_folders)} kỳ báo cáo tuần lưu trong cơ sở dữ liệu, "
                      "xem ở trang Báo cáo tuần: "
                      f"TRIENKHAI_DATABASE_URL=sqlite:///{(out / 'trienkhai.db').resolve()} trienkhai web")
    letters = len(list(rehearsal.outbox.glob("*.eml")))
    console.print(f"  {rehearsal.outbox}/ ({formats.number(letters)} thư .eml, công văn đôn đốc kèm tệp .docx)")
    console.print(f"  {out / 'trienkhai.db'} (cơ sở dữ liệu của lần mô phỏng)")


def simulate_cmd(
    plan: Path = typer.Argument(..., exists=True, dir_okay=False, help="Tệp kế hoạch .yaml"),
    start: str = typer.Option(..., "--from", help="Ngày bắt đầu (YYYY-MM-DD)"),
    until: str = typer.Option(..., "--until", help="Ngày kết thúc (YYYY-MM-DD)"),
    seed: int = typer.Option(2017, "--seed", help="Hạt giống: cùng hạt giống, cùng kết quả"),
    out: Path = typer.Option(Path("trienkhai-mo-phong"), "--out", help="Thư mục kết quả"),
) -> None:
    """Diễn tập một kế hoạch trên đồng hồ mô phỏng (trên bản sao, không đụng tới dữ liệu thật)."""
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(until)
    except ValueError as exc:
        raise typer.BadParameter(f"Ngày phải có dạng YYYY-MM-DD, ví dụ 2017-04-01 ({exc}).") from exc
    if last < first:
        raise typer.BadParameter("--until phải sau --from.")
    _summary(_run(plan, first, last, seed, out), out)


def demo_cmd(
    out: Path = typer.Option(Path("trienkhai-demo"), "--out", help="Thư mục kết quả"),
    seed: int = typer.Option(2017, "--seed", help="Hạt giống: cùng hạt giống, cùng kết quả"),
) -> None:
    """Trình diễn: Kế hoạch 47-KH/TU của Tỉnh ủy Quảng Trị, mô phỏng từ tháng 4 đến tháng 12 năm 2017."""
    console.print("Đảng bộ tỉnh Quảng Trị năm 2017 · Kế hoạch số 47-KH/TU ngày 22/3/2017 · mô phỏng 1/4–31/12/2017")
    _summary(_run(EXAMPLE, date(2017, 4, 1), date(2017, 12, 31), seed, out), out)
