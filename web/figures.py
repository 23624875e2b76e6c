"""A subtree's figures for one directive, shared by concurrent requests (web.readings).

The counts and sums are read from the kept roll-ups (rollout.summary), a few rows per child of the anchor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from rollout.rollup import Rollup, rollup
from storage.models import DirectiveRow, UnitRow
from web import queries as q
from web.heatmap import HeatMap, heat_map
from web.readings import Readings, version_at


@dataclass(frozen=True)
class Figures:
    """What the directive page and its API call show about a subtree."""

    rollup: Rollup
    children: list[q.ChildRow]
    keys: list[q.KeyLine]
    overdue: list[q.OverdueLine]
    heat: HeatMap


def subtree_figures(
    readings: Readings, session: Session, directive: DirectiveRow, anchor: UnitRow, at: datetime
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

    return readings.get(("figures", directive.id, anchor.id), version_at(session, at), compute)
