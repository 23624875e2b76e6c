"""The service's deployments, declared once on a process work pool, and what keeps them honest.

Entrypoints are module paths (`flows.sending.dispatch_notifications`): Prefect loads them with a plain
import from any working directory, on a process, Docker or Kubernetes worker alike. Declaring the
deployments again (a new version, `trienkhai serve` restarting) keeps what an operator set in the UI: a
paused deployment or schedule stays paused.
"""

from __future__ import annotations

import dataclasses
from contextlib import suppress
from datetime import timedelta
from typing import Any

from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

from flows.advancing import advance_rollouts
from flows.sending import dispatch_notifications
from flows.weekly import weekly_compliance
from schedules.prefect import deployment_schedules

__all__ = ["DEPLOYMENT", "HEARTBEAT_SECONDS", "JOBS", "POOL", "declare", "deployments"]

DEPLOYMENT = "trienkhai"
POOL = "trienkhai"
# Flow runs report every 30 s (Prefect's minimum for heartbeat events); 90 s of silence marks a run Crashed.
HEARTBEAT_SECONDS = 30
ZOMBIE_AUTOMATION = "trienkhai: đánh dấu lượt chạy mất tín hiệu là Crashed"

# flow, schedule key, how many runs at once (the rest wait their turn), description
JOBS: list[tuple[Any, str, int, str]] = [
    (advance_rollouts, "reconcile", 2, "Mở giai đoạn, mở nghĩa vụ, đánh dấu quá hạn, đôn đốc."),
    (dispatch_notifications, "dispatch", 4, "Gửi nhắc hạn, công văn đôn đốc, báo cáo vượt cấp."),
    (weekly_compliance, "weekly-compliance", 1, "Báo cáo tổng hợp tình hình triển khai hằng tuần."),
]


def deployments(kept: dict[str, Any] | None = None) -> list[RunnerDeployment]:
    """The three deployments on the work pool; `kept` (by flow name) carries an existing deployment whose
    paused flags must survive."""
    schedules = deployment_schedules()
    out = []
    for flow, key, limit, description in JOBS:
        existing = (kept or {}).get(flow.name)
        active = {s.slug: s.active for s in existing.schedules} if existing else {}
        out.append(flow.to_deployment(
            name=DEPLOYMENT,
            schedules=[dataclasses.replace(s, active=active.get(s.slug, True)) for s in schedules[key]],
            paused=existing.paused if existing else False,
            concurrency_limit=ConcurrencyLimitConfig(limit=limit, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
            description=description,
            entrypoint_type=EntrypointType.MODULE_PATH,
            work_pool_name=POOL,
            job_variables={"env": {"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)}},
        ))
    return out


def _existing(client: Any) -> dict[str, Any]:
    found = {}
    for flow, _, _, _ in JOBS:
        with suppress(ObjectNotFound):
            found[flow.name] = client.read_deployment_by_name(f"{flow.name}/{DEPLOYMENT}")
    return found


def _ensure_pool(client: Any) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.workers.process import ProcessWorker

    with suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=POOL, type="process",
                                               base_job_template=ProcessWorker.get_default_base_job_template()))


def _ensure_zombie_automation() -> None:
    """Prefect's documented zombie detection: a flow run silent for 90 s after a heartbeat becomes Crashed."""
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    try:
        # Prefect types `read` as a coroutine; called from synchronous code, async_dispatch returns the automation.
        Automation.read(name=ZOMBIE_AUTOMATION)  # type: ignore[unused-coroutine]  # sync call, see above
        return
    except ValueError:  # not found
        pass
    Automation(
        name=ZOMBIE_AUTOMATION,
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", "prefect.flow-run.Completed", "prefect.flow-run.Failed",
                    "prefect.flow-run.Cancelled", "prefect.flow-run.Crashed"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=3 * HEARTBEAT_SECONDS),
        ),
        actions=[ChangeFlowRunState(
            state=StateType.CRASHED,
            message="Không nhận được tín hiệu của lượt chạy trong 90 giây (máy chạy đã dừng).",
        )],
    ).create()


def declare() -> list[str]:
    """Create the work pool, the zombie automation and the deployments, or update them keeping paused flags;
    returns the deployments' full names."""
    with get_client(sync_client=True) as client:
        _ensure_pool(client)
        kept = _existing(client)
    _ensure_zombie_automation()
    for deployment in deployments(kept):
        deployment.apply(work_pool_name=POOL)
    return [f"{flow.name}/{DEPLOYMENT}" for flow, _, _, _ in JOBS]
