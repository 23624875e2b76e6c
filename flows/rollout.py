"""Prefect flows of the engine: thin shells over the use cases, one task per directive, retries around I/O only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from rollout.reconcile import active_directive_ids, advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from schedules.render import format_short
from settings import get_settings
from storage.models import DirectiveRow
from storage import UnitOfWork, open_database


def _uow() -> UnitOfWork:
    return UnitOfWork(open_database(get_settings().effective_database_url))


@task(retries=2, retry_delay_seconds=5)  # the database may be briefly locked or unreachable
def advance_directive(directive_id: int, now: datetime) -> dict[str, object]:
    """Advance one directive in its own transaction; a retry redoes nothing already done."""
    with _uow() as uow:
        result = advance(uow.session, now, calendar=WorkingCalendar.from_settings(), directive_ids=[directive_id])
        number = uow.session.get(DirectiveRow, directive_id).number
        uow.commit()
    return {"directive": number, "phases_opened": result.phases_opened,
            "opened": result.opened, "overdue": result.overdue, "messages": result.messages}


@flow(name="advance-rollouts", log_prints=True)
def advance_rollouts(now: datetime | None = None) -> list[dict[str, object]]:
    """The reconcile tick: advance every active directive to `now` (default: the flow's start)."""
    at = now or datetime.now(UTC)
    with _uow() as uow:
        ids = active_directive_ids(uow.session)
    results = [advance_directive(directive_id, at) for directive_id in ids]
    rows = "\n".join(
        f"| {r['directive']} | {', '.join(r['phases_opened']) or '—'} | {r['opened']} | {r['overdue']} | {r['messages']} |"  # type: ignore[arg-type]
        for r in results
    )
    create_markdown_artifact(
        key="advance-rollouts",
        markdown=f"# Điều phối lúc {format_short(at)}\n\n| Văn bản | Giai đoạn mở | Nghĩa vụ mở | Quá hạn | Thông báo |"
                 f"\n|---|---|---|---|---|\n{rows}",
        description="Kết quả lần điều phối",
    )
    return results


@flow(name="issue-plan", log_prints=True)
def issue_plan_flow(plan_file: str, actor: str = "prefect") -> dict[str, object]:
    """Issue a plan file (a path on the worker's disk: flows take references, never unit lists)."""
    with _uow() as uow:
        prepared, result = issue_plan(uow.session, Path(plan_file), now=datetime.now(UTC), actor=actor,
                                      calendar=WorkingCalendar.from_settings())
        uow.commit()
    return {"number": prepared.compiled.directive.number, "created": result.created,
            "obligations": result.obligations, "warnings": result.warnings}
