"""The weekly compliance flow: a thin Prefect shell over compliance.run, with artifacts for the Prefect UI."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from compliance.model import ComplianceReport
from compliance.run import (
    RunResult, default_out_dir, load_reports, markdown_summary, render_files, run_compliance, summary_rows,
    workbook_file, write_files,
)
from compliance.snapshot import SnapshotRun, take_snapshot
from settings import get_settings
from storage import UnitOfWork, open_database

__all__ = ["run_compliance", "weekly_compliance"]


def _engine():  # type: ignore[no-untyped-def]
    return open_database(get_settings().effective_database_url)


@task
def snapshot_task(now: datetime) -> SnapshotRun:
    """Snapshot every active directive in one transaction (re-running in the week replaces it)."""
    with UnitOfWork(_engine()) as uow:
        run = take_snapshot(uow.session, now)
        uow.commit()
    return run


@task
def render_task(number: str, week: date) -> tuple[ComplianceReport, dict[str, bytes]]:
    """Build one directive's report and its files in memory."""
    (report,) = load_reports(_engine(), [number], week)
    return report, render_files(report)


@task(retries=2, retry_delay_seconds=5)  # a network share or a full disk may fail for a moment
def write_task(out_dir: str, files: dict[str, bytes]) -> list[str]:
    """Write files whole (temporary file, then rename)."""
    return [str(p) for p in write_files(Path(out_dir), files)]


@flow(name="weekly-compliance", log_prints=True)
def weekly_compliance(now: datetime | None = None, out_dir: str | None = None) -> list[str]:
    """Snapshot, one report per active directive, the week's workbook, then a table and a summary artifact."""
    at = now or datetime.now(UTC)
    folder = out_dir or str(default_out_dir(at))
    snapshot = snapshot_task(at)
    reports: list[ComplianceReport] = []
    paths: list[str] = []
    for number in snapshot.directives:
        report, files = render_task(number, snapshot.week)
        reports.append(report)
        paths += write_task(folder, files)
    if reports:
        paths += write_task(folder, workbook_file(reports, snapshot.week))
    create_table_artifact(key="weekly-compliance-table", table=summary_rows(reports) or [{"Văn bản": "—"}],
                          description="Tỷ lệ đúng hạn theo đơn vị cấp huyện")
    result = RunResult(snapshot, reports, [Path(p) for p in paths])
    create_markdown_artifact(key="weekly-compliance", markdown=markdown_summary(result),
                             description="Tổng hợp tình hình triển khai hằng tuần")
    return paths
