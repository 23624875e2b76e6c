"""A subtree's figures for one directive, kept a few seconds in memory.

The counts and sums are read from the kept roll-ups (rollout.summary), a few rows per child of the anchor;
twenty clients looking at one page at once still share one reading of them. Figures are read once per
(directive, unit, minute, last audit entry) and kept for TTL seconds: every write by a person (dashboard, CLI)
adds an audit entry, so it shows at once in every worker process; what the reconciler changes on its own shows
within TTL seconds. Concurrent requests for the same figures wait for one reading instead of each starting their
own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rollout.rollup import Rollup, rollup
from storage.models import AuditEntry, DirectiveRow, UnitRow
from web import queries as q
from web.heatmap import HeatMap, heat_map

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Figures:
    """What the directive page and its API call show about a subtree."""

    rollup: Rollup
    children: list[q.ChildRow]
    keys: list[q.KeyLine]
    overdue: list[q.OverdueLine]
    heat: HeatMap


class FigureCache:
    """Figures by key, each kept TTL seconds; `clear()` after every write."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[Any, tuple[float, Figures]] = {}
        self._computing: dict[Any, threading.Lock] = {}

    def _fresh(self, key: Any) -> Figures | None:
        with self._lock:
            hit = self._items.get(key)
        return hit[1] if hit is not None and time.monotonic() - hit[0] < self.ttl else None

    def get(self, key: Any, compute: Callable[[], Figures]) -> Figures:
        """The kept figures of `key` while fresh, else freshly computed ones (once for concurrent callers)."""
        figures = self._fresh(key)
        if figures is not None:
            return figures
        with self._lock:
            single = self._computing.setdefault(key, threading.Lock())
        with single:
            figures = self._fresh(key)  # computed by the caller we waited for
            if figures is None:
                figures = compute()
                with self._lock:
                    self._items[key] = (time.monotonic(), figures)
                    self._computing.pop(key, None)
        return figures

    def clear(self) -> None:
        """Forget everything (a report, a waiver or a gate changed the figures)."""
        with self._lock:
            self._items.clear()


def subtree_figures(
    cache: FigureCache, session: Session, directive: DirectiveRow, anchor: UnitRow, at: datetime
) -> Figures:
    """The figures of `anchor`'s subtree for `directive` as of `at` (to the minute)."""
    def compute() -> Figures:
        return Figures(
            rollup=rollup(session, directive.number, anchor.code),
            children=q.children_counts(session, directive.id, anchor),
            keys=q.key_lines(session, directive, anchor, at),
            overdue=q.overdue_lines(session, directive.id, anchor),
            heat=heat_map(session, directive, anchor, at),
        )

    last_write = session.scalar(select(func.max(AuditEntry.id)))
    return cache.get((directive.id, anchor.id, at.replace(second=0, microsecond=0), last_write), compute)
