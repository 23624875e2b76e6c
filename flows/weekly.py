"""The weekly compliance flow: a thin Prefect shell over compliance.run, with artifacts for the Prefect UI.

Its files go to the shared store (the database), whichever worker runs it, so the dashboard always sees them.
"""

from __future__ import annotations

from datetime import date, datetime

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from compliance.model import ComplianceReport
from compliance.run import (
    RunResult,
    load_reports,
    markdown_summary,
    render_files,
    report_folder,
    summary_rows,
    workbook_file,
)
from compliance.snapshot import SnapshotRun, take_snapshot
from flows.runtime import engine, recorded, run_namer, services, uow
from storage.files import save_files

__all__ = ["weekly_compliance"]


@task
def snapshot_task(now: datetime) -> SnapshotRun:
    """Snapshot every active directive in one transaction (re-running in the week replaces it)."""
    # A writer from the start: the snapshot reads the active directives, then replaces the week's rows, and on
    # SQLite a transaction that reads before another run's commit can no longer take the write lock.
    with uow(writer=True) as work:
        run = take_snapshot(work.session, now)
        work.commit()
    return run


@task
def render_task(number: str, week: date) -> tuple[ComplianceReport, dict[str, bytes]]:
    """Build one directive's report and its files in memory."""
    (report,) = load_reports(engine(), [number], week, services().calendar)
    return report, render_files(report)


@task(retries=2, retry_delay_seconds=5)  # the database may be away for a moment
def store_task(folder: str, files: dict[str, bytes], now: datetime) -> list[str]:
    """Save files into the shared store in one transaction (a name written again replaces the old file)."""
    with uow(writer=True) as work:
        names = save_files(work.session, folder, files, now)
        work.commit()
    return names


@flow(name="weekly-compliance", flow_run_name=run_namer("bao-cao-tuan"), log_prints=True)
def weekly_compliance(now: datetime | None = None) -> list[str]:
    """Snapshot, one report per active directive, the week's workbook, then a table and a summary artifact."""
    at = now or services().now()
    folder = report_folder(at)
    with recorded("weekly") as counts:
        snapshot = snapshot_task(at)
        reports: list[ComplianceReport] = []
        stored: list[str] = []
        for number in snapshot.directives:
            report, files = render_task(number, snapshot.week)
            reports.append(report)
            stored += store_task(folder, files, at)
        if reports:
            stored += store_task(folder, workbook_file(reports, snapshot.week), at)
        counts.update(directives=len(reports), files=len(stored))
    create_table_artifact(key="weekly-compliance-table", table=summary_rows(reports) or [{"Văn bản": "—"}],
                          description="Tỷ lệ đúng hạn theo đơn vị cấp huyện")
    result = RunResult(snapshot, reports, stored)
    create_markdown_artifact(key="weekly-compliance", markdown=markdown_summary(result),
                             description="Tổng hợp tình hình triển khai hằng tuần")
    return stored
