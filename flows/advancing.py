"""The reconcile flow: advance every active directive, one task per directive, each under its own lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from sqlalchemy import select

from flows.runtime import engine, recorded, run_namer, services, uow
from rollout.reconcile import active_directive_ids, advance_each
from rollout.service import issue_plan
from schedules.render import format_short
from storage.models import DirectiveRow

__all__ = ["advance_rollouts", "issue_plan_flow"]


@dataclass(frozen=True)
class DirectiveTick:
    """What one reconcile of one directive did."""

    directive: str
    phases_opened: list[str]
    opened: int
    overdue: int
    messages: int
    busy: bool  # another run was advancing it: left to that run


@task(retries=2, retry_delay_seconds=5)  # the database may be briefly locked or unreachable
def advance_directive(directive_id: int, now: datetime) -> DirectiveTick:
    """Advance one directive in its own transaction; a retry redoes nothing already done, and a directive
    another run is advancing is left to it."""
    result = advance_each(engine(), now, calendar=services().calendar, directive_ids=[directive_id])
    with uow() as work:
        number = work.session.scalar(select(DirectiveRow.number).where(DirectiveRow.id == directive_id))
    return DirectiveTick(str(number), result.phases_opened, result.opened, result.overdue, result.messages,
                         bool(result.busy))


def _summary(at: datetime, results: list[DirectiveTick]) -> str:
    rows = "\n".join(
        f"| {r.directive} | {', '.join(r.phases_opened) or '—'} | {r.opened} | {r.overdue} | {r.messages} "
        f"| {'lần khác đang xử lý' if r.busy else 'đã xử lý'} |"
        for r in results
    )
    return (f"# Điều phối lúc {format_short(at)}\n\n| Văn bản | Giai đoạn mở | Nghĩa vụ mở | Quá hạn | Thông báo "
            f"| Kết quả |\n|---|---|---|---|---|---|\n{rows}")


@flow(name="advance-rollouts", flow_run_name=run_namer("dieu-phoi"), log_prints=True)
def advance_rollouts(now: datetime | None = None) -> list[DirectiveTick]:
    """The reconcile tick: advance every active directive to `now` (default: the flow's start)."""
    at = now or services().now()
    with recorded("advance") as counts:
        with uow() as work:
            ids = active_directive_ids(work.session)
        results = [advance_directive(directive_id, at) for directive_id in ids]
        counts.update(directives=len(results), opened=sum(r.opened for r in results),
                      overdue=sum(r.overdue for r in results), messages=sum(r.messages for r in results))
    create_markdown_artifact(key="advance-rollouts", markdown=_summary(at, results),
                             description="Kết quả lần điều phối")
    return results


@flow(name="issue-plan", log_prints=True)
def issue_plan_flow(plan_file: str, actor: str = "prefect") -> dict[str, object]:
    """Issue a plan file (a path on the worker's disk: flows take references, never unit lists)."""
    with uow(writer=True) as work:
        prepared, result = issue_plan(work.session, Path(plan_file), now=services().now(), actor=actor,
                                      calendar=services().calendar)
        work.commit()
    return {"number": prepared.compiled.directive.number, "created": result.created,
            "obligations": result.obligations, "warnings": result.warnings}
