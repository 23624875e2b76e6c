"""One weekly compliance run without Prefect: snapshot, then each directive's report files, then one workbook."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from compliance.model import ComplianceReport
from compliance.outputs.chart import render_chart
from compliance.outputs.docx_report import build_docx
from compliance.outputs.html_report import build_html
from compliance.outputs.text import file_stem, percent, points
from compliance.outputs.xlsx_report import build_xlsx
from compliance.report import build_report
from compliance.snapshot import SnapshotRun, take_snapshot
from schedules import WorkingCalendar
from schedules.render import format_day, local_date
from settings import get_settings
from storage import UnitOfWork

__all__ = [
    "RunResult", "default_out_dir", "load_reports", "markdown_summary", "render_files", "run_compliance",
    "run_compliance_detailed", "summary_rows", "workbook_file", "write_files",
]


@dataclass
class RunResult:
    """What a run did: the snapshot, the reports built from it and the files written."""

    snapshot: SnapshotRun
    reports: list[ComplianceReport] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


def default_out_dir(now: datetime) -> Path:
    """Reports of a run go to <home>/reports/<local yyyy-mm-dd of the run>."""
    return get_settings().home / "reports" / local_date(now).isoformat()


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


def write_files(out_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each file whole or not at all (temporary file, then rename), so a crash never leaves half a report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        target = out_dir / name
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, target)
        written.append(target)
    return written


def load_reports(engine: Engine, numbers: list[str], week: date, calendar: WorkingCalendar | None = None) -> list[ComplianceReport]:
    """The reports of the given directives for the week, read in one unit of work."""
    cal = calendar or WorkingCalendar.from_settings()
    with UnitOfWork(engine) as uow:
        return [build_report(uow.session, number, week, calendar=cal) for number in numbers]


def run_compliance_detailed(engine: Engine, now: datetime, out_dir: Path | str | None = None) -> RunResult:
    """Snapshot every active directive in one transaction, then write each one's report files and the workbook."""
    with UnitOfWork(engine) as uow:
        snapshot = take_snapshot(uow.session, now)
        uow.commit()
    result = RunResult(snapshot)
    if not snapshot.directives:
        return result
    folder = Path(out_dir) if out_dir else default_out_dir(now)
    result.reports = load_reports(engine, snapshot.directives, snapshot.week)
    for report in result.reports:
        result.paths += write_files(folder, render_files(report))
    result.paths += write_files(folder, workbook_file(result.reports, snapshot.week))
    return result


def run_compliance(engine: Engine, now: datetime, out_dir: Path | str | None = None) -> list[Path]:
    """The weekly run as the simulator calls it (no Prefect): returns the files written."""
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
        lines += [f"## Kế hoạch số {r.number}", "",
                  f"- Tỷ lệ hoàn thành đúng hạn: **{percent(r.totals.share_on_time)}**",
                  f"- Đúng hạn {r.totals.done_on_time}, trễ hạn {r.totals.done_late}, quá hạn {r.totals.overdue}, "
                  f"đang thực hiện {r.totals.open}, chưa đến hạn {r.totals.pending}, miễn {r.totals.waived}",
                  f"- Tổ chức đảng quá hạn theo cấp: {by_level}", ""]
    if result.paths:
        lines += ["## Tệp đã ghi", "", *(f"- `{p}`" for p in result.paths)]
    return "\n".join(lines)
