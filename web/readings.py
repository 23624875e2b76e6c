"""Readings shared by the requests of one worker process and kept a few seconds: a subtree's figures, a page of a
list, a rendered page.

Every write by a person (dashboard, CLI, API, personal link) adds an audit entry, so a reading is tagged with the
latest audit entry it saw, and the minute it is for, and is read again as soon as either changes, in every worker
process: a person sees their own change on the next page. What the reconciler changes on its own shows within TTL
seconds. Concurrent requests for a reading that does not exist yet wait for one reading instead of each starting
their own; when a reading is older than TTL, one request reads it again while the others keep the one before, so
twenty viewers of a page never all wait at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import AuditEntry
from web.accounts import Principal

T = TypeVar("T")
TTL_SECONDS = 5.0
KEPT = 256  # readings per process; a rendered page is about 50 kB


@dataclass(frozen=True)
class _Reading:
    version: Hashable
    taken: float
    value: Any


def seen_at(what: str, principal: Principal, request: Request) -> tuple[Hashable, ...]:
    """The key of what one account sees at one address (a page, an API answer): the same for all its sessions."""
    return what, principal.username, principal.role, principal.unit_path, request.url.path, request.url.query


def version_at(session: Session, at: datetime) -> tuple[int, datetime]:
    """What a reading depends on besides its key: the latest audit entry, and the minute it is taken for (the
    clock of a rehearsal's dashboard can be moved)."""
    return session.scalar(select(func.max(AuditEntry.id))) or 0, at.replace(second=0, microsecond=0)


class Readings:
    """Readings by key, each tagged with the write it saw and kept TTL seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, kept: int = KEPT) -> None:
        self.ttl = ttl
        self.kept = kept
        self._lock = threading.Lock()
        self._items: dict[Hashable, _Reading] = {}
        self._reading: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, version: Hashable, read: Callable[[], T]) -> T:
        """The reading of `key` at `version`: kept while fresh; past TTL, read again by one caller while the others
        get the previous one; at a newer version, read again once for every caller."""
        with self._lock:
            hit = self._items.get(key)
            single = self._reading.setdefault(key, threading.Lock())
        if hit is not None and hit.version == version:
            if time.monotonic() - hit.taken < self.ttl or not single.acquire(blocking=False):
                return hit.value
            try:
                return self._read(key, version, read)
            finally:
                single.release()
        with single:
            with self._lock:
                hit = self._items.get(key)
            if hit is not None and hit.version == version and time.monotonic() - hit.taken < self.ttl:
                return hit.value  # read by the caller this one waited for
            return self._read(key, version, read)

    def _read(self, key: Hashable, version: Hashable, read: Callable[[], T]) -> T:
        try:
            value = read()
        except BaseException:
            with self._lock:  # a refused address keeps nothing, not even its lock
                if key not in self._items:
                    self._reading.pop(key, None)
            raise
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = _Reading(version, time.monotonic(), value)
            while len(self._items) > self.kept:  # the oldest reading goes first
                gone = next(iter(self._items))
                del self._items[gone]
                self._reading.pop(gone, None)
        return value

    def clear(self) -> None:
        """Forget every reading: for data changed behind the audit log (by hand, in the database), which no version
        shows; a write through the application needs no call, its audit entry is the new version."""
        with self._lock:
            self._items.clear()
