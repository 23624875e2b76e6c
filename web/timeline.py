"""The phase timeline of a directive as inline SVG: a bar per phase, a diamond per deadline, a star for the plan's
event, a line for today."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from math import cos, pi, sin

from rollout.event import EventView
from schedules.render import format_day, to_local
from storage.models import PhaseRow
from web.queries import KeyLine

WIDTH, LABEL_W, ROW_H = 900, 260, 26
PHASE_STATE = {"pending": "#b8c4d6", "open": "#2f6fb3", "closed": "#7a8a99"}


def _day(dt: datetime) -> str:
    return format_day(to_local(dt).date())


def timeline_svg(phases: list[PhaseRow], keys: list[KeyLine], now: datetime, event: EventView | None = None) -> str:
    """Render the timeline; bounds span every known date plus today, with a margin."""
    instants = [t for p in phases for t in (p.opens_at, p.due_at, p.opened_at) if t]
    instants += [t for k in keys for t in (k.first_due, k.last_due) if t]
    event_at = event.at if event is not None else None
    if event_at is not None:
        instants.append(event_at)
    instants.append(now)
    # Yearly deadlines run for years; past nine months ahead the bars are clipped so that today stays readable.
    start = min(instants) - timedelta(days=7)
    end = min(max(instants) + timedelta(days=14), max(now, start + timedelta(days=120)) + timedelta(days=270))
    span = (end - start).total_seconds() or 1.0

    def x(t: datetime) -> float:
        return LABEL_W + (WIDTH - LABEL_W - 10) * min(max((t - start).total_seconds(), 0), span) / span

    month_px = (WIDTH - LABEL_W) * 30.4 * 86400 / span
    label_every = max(1, -(-48 // int(month_px or 1)))  # at least ~48 px between month labels

    rows = len(phases) + len(keys) + (event_at is not None)
    height = 30 + ROW_H * rows + 10
    out = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
           f'aria-label="Tiến độ các giai đoạn" xmlns="http://www.w3.org/2000/svg">']
    # month ticks: the first of each month across the span
    tick = to_local(start).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while tick <= end:
        if tick >= start:
            out.append(f'<line x1="{x(tick):.1f}" y1="20" x2="{x(tick):.1f}" y2="{height - 8}" class="tick"/>')
            if (tick.year * 12 + tick.month) % label_every == 0:
                out.append(f'<text x="{x(tick) + 2:.1f}" y="14" class="tick-label">{tick.month}/{tick.year}</text>')
        tick = (tick.replace(day=28) + timedelta(days=5)).replace(day=1)
    y = 30
    for p in phases:
        opens = p.opened_at or p.opens_at or start
        ends = p.closed_at or p.due_at or (max(opens, now) + timedelta(days=30))
        title = f"{p.label}: {_day(opens)} – {_day(ends)}"
        width = max(x(ends) - x(opens), 3)
        out.append(f'<text x="4" y="{y + 16}" class="row-label">{escape(p.label[:38])}</text>'
                   f'<rect x="{x(opens):.1f}" y="{y + 4}" width="{width:.1f}" height="{ROW_H - 9}" '
                   f'rx="3" fill="{PHASE_STATE.get(p.state, "#999")}"><title>{escape(title)}</title></rect>')
        y += ROW_H
    for k in keys:
        out.append(f'<text x="4" y="{y + 16}" class="row-label key">{escape(k.title[:42])}</text>')
        if k.first_due and k.last_due and k.last_due > k.first_due:
            out.append(f'<line x1="{x(k.first_due):.1f}" y1="{y + 12}" x2="{x(k.last_due):.1f}" y2="{y + 12}" '
                       'class="span"/>')
        for due in {d for d in (k.first_due, k.last_due) if d and d <= end}:
            cx = x(due)
            out.append(f'<path d="M{cx:.1f},{y + 4} l7,8 l-7,8 l-7,-8 z" class="milestone">'
                       f'<title>{escape(k.title)}: hạn {_day(due)}</title></path>')
        y += ROW_H
    if event is not None and event_at is not None:
        cx, where = x(event_at), f", {event.place}" if event.place else ""
        # A five-pointed star, so that the event stands apart from the deadlines' diamonds.
        star = " ".join(f"{cx + r * sin(i * pi / 5):.1f},{y + 12 - r * cos(i * pi / 5):.1f}"
                        for i, r in enumerate([9, 4] * 5))
        out.append(f'<text x="4" y="{y + 16}" class="row-label event">{escape(event.title[:42])}</text>'
                   f'<polygon points="{star}" class="event" id="timeline-event">'
                   f'<title>{escape(event.title)}: {escape(event.when)}{escape(where)}</title></polygon>')
        y += ROW_H
    nx = x(now)
    out.append(f'<line x1="{nx:.1f}" y1="18" x2="{nx:.1f}" y2="{height - 4}" class="today"/>'
               f'<text x="{nx + 3:.1f}" y="{height - 6}" class="today-label">hôm nay {_day(now)}</text></svg>')
    return "".join(out)
