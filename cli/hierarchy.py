"""`trienkhai hierarchy …`: import, export, generate and look at the hierarchy."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.table import Table
from rich.tree import Tree

import formats
from cli.common import actor, console, instant, now_utc, unit_of_work
from hierarchy import Kind, Unit
from schedules.render import format_day
from storage import units as repo

app = typer.Typer(no_args_is_help=True, help="Hệ thống tổ chức: nhập, xuất, sinh dữ liệu, thống kê.")


class FileFormat(StrEnum):
    csv = "csv"
    yaml = "yaml"
    xlsx = "xlsx"


def _apply(units: list[Unit] | Path, source: str) -> None:
    """Apply units (or a hierarchy file, read against what is stored) in one unit of work."""
    from hierarchy.files import read_units
    from rollout import summary

    with console.status("Đang đối chiếu và ghi vào cơ sở dữ liệu…"), unit_of_work(writer=True) as uow:
        existing = repo.load_units(uow.session)
        lines = None
        if isinstance(units, Path):  # a partial file may name parents that are only in the database
            units, lines = read_units(units, existing=existing)
        result = repo.apply_hierarchy(uow.session, units, now=now_utc(), actor=actor(), source=source,
                                      lines=lines, existing=existing)
        summary.rebuild_touching(uow.session, result.moved)  # roll-ups follow the units to their new parents
        uow.commit()
    if result.unchanged:
        console.print(f"Không có thay đổi: cơ sở dữ liệu đã khớp với {source}.")
        return
    console.print(
        f"Đã nhập {source}: thêm {formats.number(len(result.added))}, sửa {formats.number(len(result.changed))}, "
        f"đóng (hết hiệu lực) {formats.number(len(result.closed))} đơn vị."
    )


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Tệp .xlsx, .csv hoặc .yaml"),
) -> None:
    """Nhập hệ thống tổ chức từ tệp (tất cả hoặc không: có lỗi thì không ghi gì)."""
    _apply(file, str(file))


@app.command("export")
def export_cmd(
    output: Path = typer.Option(..., "-o", "--output", help="Tệp kết quả"),
    format: FileFormat = typer.Option(FileFormat.csv, "--format", help="csv, yaml hoặc xlsx (Excel)"),
) -> None:
    """Xuất toàn bộ hệ thống tổ chức ra tệp CSV, YAML hoặc Excel (sửa rồi nhập lại được ngay)."""
    from hierarchy.files import write_units
    from hierarchy.workbook import write_workbook

    with unit_of_work() as uow:
        units = list(repo.load_units(uow.session).values())
    if format is FileFormat.xlsx:
        write_workbook(units, output)
    else:
        write_units(units, output, format=format.value)
    console.print(f"Đã xuất {formats.number(len(units))} đơn vị ra {output}.")


@app.command("generate")
def generate_cmd(
    national: bool = typer.Option(False, "--national", help="Toàn quốc sau 1/7/2025 (34 tỉnh, 3.321 xã/phường)"),
    quang_tri_2017: bool = typer.Option(False, "--quang-tri-2017", help="Đảng bộ tỉnh Quảng Trị năm 2017 (ba cấp)"),
    seed: int = typer.Option(None, "--seed", help="Hạt giống ngẫu nhiên (mặc định theo bộ dữ liệu)"),
    output: Path = typer.Option(None, "-o", "--output", help="Ghi ra tệp thay vì vào cơ sở dữ liệu"),
) -> None:
    """Sinh hệ thống tổ chức từ dữ liệu hành chính thật, rồi nhập vào cơ sở dữ liệu (hoặc ghi ra tệp)."""
    from hierarchy.generate import generate_national, generate_quang_tri_2017

    if national == quang_tri_2017:
        raise typer.BadParameter("Chọn đúng một trong --national hoặc --quang-tri-2017.")
    kwargs = {} if seed is None else {"seed": seed}
    with console.status("Đang sinh dữ liệu…"):
        units = generate_national(**kwargs) if national else generate_quang_tri_2017(**kwargs)
    if output is not None:
        from hierarchy.files import write_units
        from hierarchy.workbook import write_workbook

        if output.suffix.lower() == ".xlsx":
            write_workbook(units, output)
        else:
            write_units(units, output, format="yaml" if output.suffix in (".yaml", ".yml") else "csv")
        console.print(f"Đã ghi {formats.number(len(units))} đơn vị ra {output}.")
        return
    _apply(units, "dữ liệu sinh " + ("toàn quốc" if national else "Quảng Trị 2017"))


@app.command("stats")
def stats_cmd(
    code: str = typer.Argument(None, help="Mã đơn vị gốc (bỏ trống: toàn bộ)"),
    on: str = typer.Option(
        None, "--on", help="Tính theo hệ thống tổ chức tại ngày này (YYYY-MM-DD); mặc định: hôm nay"
    ),
) -> None:
    """Thống kê số đơn vị và số đảng viên theo loại trong một cây con (đơn vị còn hiệu lực tại ngày đó)."""
    day = instant(on).date() if on else now_utc().date()
    with unit_of_work() as uow:
        counts = repo.counts_by_kind(uow.session, code, day=day)
        title = repo.find_unit(uow.session, code).name if code else "Toàn bộ hệ thống"
    table = Table(title=f"Thống kê: {title} (ngày {format_day(day)})")
    table.add_column("Loại đơn vị")
    table.add_column("Số đơn vị", justify="right")
    table.add_column("Số đảng viên / đoàn viên", justify="right")
    for kind in Kind:
        if kind.value in counts:
            n, members = counts[kind.value]
            table.add_row(kind.label, formats.number(n), formats.number(members))
    total_units = sum(n for n, _ in counts.values())
    table.add_row("[bold]Tổng[/]", f"[bold]{formats.number(total_units)}[/]", "")
    console.print(table)


@app.command("show")
def show_cmd(
    code: str = typer.Argument(..., help="Mã đơn vị"),
    depth: int = typer.Option(1, "--depth", help="Số cấp hiển thị bên dưới"),
) -> None:
    """Hiển thị một đơn vị và các cấp dưới của nó dạng cây."""
    with unit_of_work() as uow:
        root = repo.find_unit(uow.session, code)
        rows = [r for r in repo.subtree_units(uow.session, code) if r.depth <= root.depth + depth]
    nodes: dict[int, Tree] = {}
    for row in rows:
        closed = f" [dim](hết hiệu lực từ {format_day(row.valid_to)})[/]" if row.valid_to else ""
        label = f"[bold]{row.name}[/] [dim]{row.code} · {Kind(row.kind).label} · {row.member_count} ĐV[/]{closed}"
        nodes[row.id] = nodes[row.parent_id].add(label) if row.parent_id in nodes else Tree(label)
    console.print(nodes[root.id])
