"""The service's health in every signed-in page's header: when each job last ran, and a banner when one is in alarm."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import Request
from sqlalchemy.orm import Session

from monitoring import ServiceHealth, service_health

__all__ = ["service_status"]


def service_status(request: Request) -> ServiceHealth | None:
    """Health by the real clock (the page's own clock may be a simulated day: `--as-of`); None for a visitor who
    has not signed in, to whom the state of the server is none of their business."""
    if getattr(request.state, "principal", None) is None:
        return None
    # Its own short session: one statement of a dozen index lookups, whatever the page's work is doing.
    with Session(request.app.state.engine) as session:
        return service_health(session, datetime.now(UTC))
