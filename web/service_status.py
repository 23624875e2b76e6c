"""The service's health in every signed-in page's header: when each job last ran, and a banner when one is in alarm."""

from __future__ import annotations

import threading
import time

from fastapi import Request
from sqlalchemy.orm import Session

from bootstrap import wall_clock
from monitoring import ServiceHealth, service_health

__all__ = ["service_status"]


def service_status(request: Request) -> ServiceHealth | None:
    """Health by the real clock (the page's own clock may be a simulated day: `--as-of`); None for a visitor who
    has not signed in, to whom the state of the server is none of their business."""
    if getattr(request.state, "principal", None) is None:
        return None
    cache = getattr(request.app.state, "service_health", None)
    if cache is None:
        cache = request.app.state.service_health = _Cached()
    return cache.get(request)


class _Cached:
    """The health, read at most every few seconds per app by one request at a time; the others take the last
    reading. A page request already holds a pooled connection, so if every request opened a second one, twenty
    concurrent pages could exhaust the pool waiting on each other."""

    def __init__(self, seconds: float = 5.0) -> None:
        self.seconds = seconds
        self.lock = threading.Lock()
        self.value: ServiceHealth | None = None
        self.read_at = 0.0

    def get(self, request: Request) -> ServiceHealth | None:
        fresh = self.value is not None and time.monotonic() - self.read_at < self.seconds
        if fresh or not self.lock.acquire(blocking=self.value is None):
            return self.value
        try:
            with Session(request.app.state.services.engine) as session:
                self.value = service_health(session, wall_clock())
            self.read_at = time.monotonic()
        finally:
            self.lock.release()
        return self.value

