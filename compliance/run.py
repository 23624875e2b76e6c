"""One weekly compliance run without Prefect: snapshot, then each directive's report files and one workbook,
saved into the shared file store (the database) under reports/<local date of the run>."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from compliance.model import ComplianceReport
from compliance.outputs.chart import render_chart
from compliance.outputs.docx_report import build_docx
from compliance.outputs.html_report import build_html
from compliance.outputs.text import file_stem
from compliance.outputs.xlsx_report import build_xlsx
from compliance.report import build_report
from compliance.snapshot import SnapshotRun, take_snapshot
from formats import percent, points
from schedules import WorkingCalendar
from schedules.render import format_day, local_date
from storage import UnitOfWork
from storage.files import export_files, save_files

__all__ = [
    "RunResult", "load_reports", "markdown_summary", "render_files", "report_folder", "run_compliance",
    "run_compliance_detailed", "summary_rows", "workbook_file",
]


@dataclass
class RunResult:
    """What a run did: the snapshot, the reports built from it, the names of the files it stored and the copies
    exported to disk, if any were asked for."""

    snapshot: SnapshotRun
    reports: list[ComplianceReport] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)

    @property
    def folder(self) -> str:
        """The store's folder of the run, by the day the snapshot was taken."""
        return report_folder(self.snapshot.taken_at)


def report_folder(now: datetime) -> str:
    """A run's files are stored under reports/<local yyyy-mm-dd of the run>; a second run that day replaces them."""
    return f"reports/{local_date(now).isoformat()}"


def render_files(report: ComplianceReport) -> dict[str, bytes]:
    """A directive's chart, .docx and .html, by file name (no disk access, so it never needs a retry)."""
    stem = file_stem(report.number, report.week)
    chart = render_chart(report)
    return {
        f"{stem}.png": chart,
        f"{stem}.docx": build_docx(report, chart),
        f"{stem}.html": build_html(report, chart).encode("utf-8"),
    }


def workbook_file(reports: list[ComplianceReport], week: date) -> dict[str, bytes]:
    """The week's workbook of every directive, by file name."""
    return {f"tong-hop-tuan_{week.isoformat()}.xlsx": build_xlsx(reports)}


def load_reports(
    engine: Engine, numbers: list[str], week: date, calendar: WorkingCalendar | None = None
) -> list[ComplianceReport]:
    """The reports of the given directives for the week, read in one unit of work."""
    cal = calendar or WorkingCalendar.from_settings()
    with UnitOfWork(engine) as uow:
        return [build_report(uow.session, number, week, calendar=cal) for number in numbers]


def run_compliance_detailed(engine: Engine, now: datetime, out_dir: Path | str | None = None, *,
                            calendar: WorkingCalendar | None = None) -> RunResult:
    """Snapshot in one transaction, store every report file and the workbook together in another, export a copy
    if asked."""
    with UnitOfWork(engine, writer=True) as uow:  # reads, then replaces the week's rows
        snapshot = take_snapshot(uow.session, now)
        uow.commit()
    result = RunResult(snapshot)
    if not snapshot.directives:
        return result
    result.reports = load_reports(engine, snapshot.directives, snapshot.week, calendar)
    files: dict[str, bytes] = {}
    for report in result.reports:
        files |= render_files(report)
    files |= workbook_file(result.reports, snapshot.week)
    with UnitOfWork(engine, writer=True) as uow:
        result.names = save_files(uow.session, result.folder, files, now)
        uow.commit()
        if out_dir:
            result.paths = export_files(uow.session, result.folder, Path(out_dir))
    return result


def run_compliance(engine: Engine, now: datetime, out_dir: Path | str | None = None) -> list[Path]:
    """The weekly run as the simulator calls it (no Prefect): files go to the store; returns the copies
    exported to `out_dir` (none without it)."""
    return run_compliance_detailed(engine, now, out_dir).paths


def summary_rows(reports: list[ComplianceReport]) -> list[dict[str, str | int]]:
    """One row per district of each directive, with Vietnamese column names (Prefect table, CLI)."""
    return [
        {"Văn bản": r.number, "Đơn vị": d.name, "Đúng hạn": d.counts.done_on_time, "Trễ hạn": d.counts.done_late,
         "Quá hạn": d.counts.overdue, "Tỷ lệ đúng hạn": percent(d.counts.share_on_time),
         "So với tuần trước (điểm %)": points(d.share_change)}
        for r in reports for d in r.districts
    ]


def markdown_summary(result: RunResult) -> str:
    """A short Markdown account of the run for the Prefect UI."""
    lines = [f"# Tổng hợp tình hình triển khai – tuần {format_day(result.snapshot.week)}", "",
             f"Đã chụp số liệu {result.snapshot.rows} đơn vị của {len(result.snapshot.directives)} văn bản.", ""]
    for r in result.reports:
        overdue = r.overdue_by_level()
        by_level = ", ".join(f"cấp {lv}: {len(units)}" for lv, units in overdue.items()) or "không có"
        lines += [f"## {r.kind_name} số {r.number}", "",
                  f"- Tỷ lệ hoàn thành đúng hạn: **{percent(r.totals.share_on_time)}**",
                  f"- Đúng hạn {r.totals.done_on_time}, trễ hạn {r.totals.done_late}, quá hạn {r.totals.overdue}, "
                  f"đang thực hiện {r.totals.open}, chưa đến hạn {r.totals.pending}, miễn {r.totals.waived}",
                  f"- Tổ chức đảng quá hạn theo cấp: {by_level}", ""]
    if result.names:
        lines += [f"## Tệp đã lưu vào kho ({result.folder})", "", *(f"- `{name}`" for name in result.names), ""]
    if result.paths:
        lines += ["## Bản sao đã ghi ra thư mục", "", *(f"- `{p}`" for p in result.paths)]
    return "\n".join(lines)
