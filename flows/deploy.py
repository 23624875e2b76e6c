"""Deployments of the engine's flows with their schedules, and serving them from one process."""

from __future__ import annotations

from prefect import serve
from prefect.deployments.runner import RunnerDeployment

from flows.compliance import weekly_compliance
from flows.notifications import dispatch_notifications
from flows.rollout import advance_rollouts
from schedules.prefect import deployment_schedules

DEPLOYMENT = "trienkhai"


def deployments() -> list[RunnerDeployment]:
    """The reconcile tick (hourly), the dispatcher (every 5 minutes), the weekly compliance run (Mon 07:00)."""
    schedules = deployment_schedules()
    return [
        advance_rollouts.to_deployment(name=DEPLOYMENT, schedules=schedules["reconcile"],
                                       description="Mở giai đoạn, mở nghĩa vụ, đánh dấu quá hạn, đôn đốc."),
        dispatch_notifications.to_deployment(name=DEPLOYMENT, schedules=schedules["dispatch"],
                                             description="Gửi nhắc hạn, công văn đôn đốc, báo cáo vượt cấp."),
        weekly_compliance.to_deployment(name=DEPLOYMENT, schedules=schedules["weekly-compliance"],
                                        description="Báo cáo tổng hợp tình hình triển khai hằng tuần."),
    ]


def serve_all() -> None:
    """Register the deployments (unpaused) and run their scheduled runs in this process until stopped."""
    # pause_on_shutdown=False: stopping the service must not leave the schedules paused for the next start.
    serve(*deployments(), pause_on_shutdown=False)
