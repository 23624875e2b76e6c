"""A subtree's figures for one directive, kept a few seconds in memory.

A province's page scans tens of thousands of obligations; twenty clients looking at it at once would
each pay for that scan. Figures are computed once per (directive, unit, minute) and kept for TTL seconds;
a write through the dashboard clears them at once, and a change made elsewhere (the hourly reconciler,
the CLI) shows within TTL seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rollout.rollup import Rollup, rollup
from storage.models import DirectiveRow, UnitRow
from web import queries as q

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class Figures:
    """What the directive page and its API call show about a subtree."""

    rollup: Rollup
    children: list[q.ChildRow]
    keys: list[q.KeyLine]
    overdue: list[q.OverdueLine]


class FigureCache:
    """Figures by key, each kept TTL seconds; `clear()` after every write."""

    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._items: dict[Any, tuple[float, Figures]] = {}

    def get(self, key: Any, compute: Callable[[], Figures]) -> Figures:
        """The kept figures of `key` while fresh, else freshly computed ones."""
        with self._lock:
            hit = self._items.get(key)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        figures = compute()
        with self._lock:
            self._items[key] = (time.monotonic(), figures)
        return figures

    def clear(self) -> None:
        """Forget everything (a report, a waiver or a gate changed the figures)."""
        with self._lock:
            self._items.clear()


def subtree_figures(cache: FigureCache, session: Session, directive: DirectiveRow, anchor: UnitRow, at: datetime) -> Figures:
    """The figures of `anchor`'s subtree for `directive` as of `at` (to the minute)."""
    def compute() -> Figures:
        return Figures(
            rollup=rollup(session, directive.number, anchor.code),
            children=q.children_counts(session, directive.id, anchor),
            keys=q.key_lines(session, directive, anchor, at),
            overdue=q.overdue_lines(session, directive.id, anchor),
        )

    return cache.get((directive.id, anchor.id, at.replace(second=0, microsecond=0)), compute)
