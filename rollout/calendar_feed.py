"""Calendar feeds (.ics) of what a unit owes and of a directive's timeline, for the calendars offices already use.

Each deadline, phase and plan event is one VEVENT with alarms. UIDs are built from what identifies the thing
(directive, obligation key, period, unit or level), never from its time, so a calendar that subscribed sees an
amended deadline move instead of a second event; SEQUENCE is the number of amendments the directive has had.
Feeds are opened by a signed link, without a login: the link names one unit or one directive and nothing else.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import formats
from errors import NotFound
from plans.peaks import title_of
from rollout.actions import find_directive
from rollout.event import event_of
from rollout.status import UNFINISHED, Status, values
from rollout.stored_plan import plan_of, titles as plan_titles
from schedules.render import format_short
from storage.models import AuditEntry, DirectiveRow, ObligationRow, PhaseRow, UnitRow

__all__ = ["FeedRef", "calendar_secret", "directive_feed", "feed_path", "read_feed_token", "unit_feed"]

_DOMAIN = "trienkhai"
_SALT = "lich-ics"
_KIND_WORDS = {"plan": "xây dựng kế hoạch", "activity": "tổ chức thực hiện", "report": "báo cáo",
               "milestone": "mốc công việc"}
# Reminders before a deadline: the day before, to plan the work, and two hours before, to send it.
_DEADLINE_ALARMS = (timedelta(days=1), timedelta(hours=2))
_PHASE_ALARMS = (timedelta(days=1),)


@dataclass(frozen=True)
class FeedRef:
    """What a signed link opens: the feed of one unit (by code) or of one directive (by number)."""

    kind: str  # "unit" | "directive"
    key: str


def calendar_secret(configured: str | None, home: Path) -> str:
    """The key feed links are signed with: the configured one, else one kept in the data folder (made once)."""
    if configured:
        return configured
    path = home / "calendar-secret"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32), encoding="ascii")
    return path.read_text(encoding="ascii").strip()


def feed_path(ref: FeedRef, secret: str) -> str:
    """The URL path of a feed, signed so that only who was given it can open it (and only that feed)."""
    token = URLSafeSerializer(secret, salt=_SALT).dumps([ref.kind, ref.key])
    return f"/lich/{token}.ics"


def read_feed_token(token: str, secret: str) -> FeedRef | None:
    """The feed a token names, or None when it was not signed with `secret` (altered, or made elsewhere)."""
    try:
        kind, key = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return FeedRef(kind, key) if kind in ("unit", "directive") and isinstance(key, str) else None


def _amendments(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    rows = session.execute(select(AuditEntry.subject, func.count()).where(
        AuditEntry.action == "directive.amend", AuditEntry.subject.in_(list(numbers))).group_by(AuditEntry.subject))
    return {subject: count for subject, count in rows}


def _slug(number: str) -> str:
    return number.replace("/", "-").replace(" ", "")


def _calendar(name: str, now: datetime) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//trienkhai//lich han cong viec//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    # Subscribed calendars refresh at this pace (Outlook and Apple read one or the other).
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    return cal


def _event(uid: str, summary: str, start: datetime, *, end: datetime | None, description: str, sequence: int,
           now: datetime, alarms: Sequence[timedelta], cancelled: bool = False, location: str | None = None) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    if end is not None and end > start:
        event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    if location:
        event.add("location", location)
    if not cancelled:
        for before in alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", -before)
            event.add_component(alarm)
    return event


def _phase_events(session: Session, directive: DirectiveRow, sequence: int, now: datetime) -> list[Event]:
    events = []
    phases = session.scalars(select(PhaseRow).where(PhaseRow.directive_id == directive.id).order_by(PhaseRow.seq))
    for phase in phases:
        start = phase.opens_at or phase.due_at
        if start is None:
            continue
        window = (f"Từ {format_short(phase.opens_at)}" if phase.opens_at else "") + (
            f"{' đến' if phase.opens_at else 'Hạn'} {format_short(phase.due_at)}" if phase.due_at else "")
        events.append(_event(
            f"giai-doan-{_slug(directive.number)}-{phase.name}", f"{phase.label} ({directive.number})", start,
            end=phase.due_at if phase.opens_at else None, sequence=sequence, now=now, alarms=_PHASE_ALARMS,
            description=f"Giai đoạn “{phase.label}” của {directive.number}: {directive.title}\n{window}.",
            cancelled=directive.state == "aborted"))
    return events


def _plan_event(session: Session, directive: DirectiveRow, sequence: int, now: datetime) -> list[Event]:
    view = event_of(session, directive)
    if view is None or view.by is None:
        return []
    return [_event(f"su-kien-{_slug(directive.number)}", f"{view.title} ({directive.number})", view.by, end=None,
                   sequence=sequence, now=now, alarms=_DEADLINE_ALARMS, location=view.place,
                   description=f"{view.title}, theo {directive.number}. Thời gian: {view.when}.",
                   cancelled=directive.state == "aborted")]


def unit_feed(session: Session, code: str, *, now: datetime) -> bytes:
    """The .ics of one unit: each of its deadlines, and the phases and events of the directives it takes part in."""
    unit = session.scalar(select(UnitRow).where(UnitRow.code == code))
    if unit is None:
        raise NotFound(f"Không có đơn vị mã “{code}”.")
    rows = session.execute(
        select(ObligationRow, DirectiveRow).join(DirectiveRow, DirectiveRow.id == ObligationRow.directive_id)
        .where(ObligationRow.unit_id == unit.id, ObligationRow.due_at.is_not(None))
        .order_by(ObligationRow.due_at)).all()
    directives = {d.id: d for _, d in rows}
    sequences = _amendments(session, [d.number for d in directives.values()])
    cal = _calendar(f"Hạn công việc — {unit.name}", now)
    unfinished = set(values(UNFINISHED))
    for obligation, directive in rows:
        title = title_of(plan_titles(plan_of(directive)), obligation.key)
        due = obligation.due_at
        assert due is not None
        state = ("đã hoàn thành" if obligation.status not in unfinished and obligation.status != Status.WAIVED.value
                 else "được miễn" if obligation.status == Status.WAIVED.value else "chưa hoàn thành")
        period = f" (lần {obligation.period + 1})" if obligation.period else ""
        cal.add_component(_event(
            f"han-{_slug(directive.number)}-{obligation.key}-{obligation.period}-{_slug(unit.code)}",
            f"Hạn {_KIND_WORDS.get(obligation.kind, obligation.kind)}: {title}{period} ({directive.number})", due,
            end=None, sequence=sequences.get(directive.number, 0), now=now,
            alarms=_DEADLINE_ALARMS if obligation.status in unfinished else (),
            cancelled=obligation.status == Status.WAIVED.value or directive.state == "aborted",
            description=f"{unit.name} — {title}{period}, theo {directive.number}: {directive.title}\n"
                        f"Hạn chót: {format_short(due)}. Tình trạng: {state}."))
    for directive in directives.values():
        for event in (_phase_events(session, directive, sequences.get(directive.number, 0), now)
                      + _plan_event(session, directive, sequences.get(directive.number, 0), now)):
            cal.add_component(event)
    return cal.to_ical()


def directive_feed(session: Session, number: str, *, now: datetime) -> bytes:
    """The .ics of one directive: its phases, its event and one deadline per obligation, period and level."""
    directive = find_directive(session, number)
    number = directive.number
    sequence = _amendments(session, [number]).get(number, 0)
    cal = _calendar(f"{directive.number} — {directive.title[:80]}", now)
    for event in _phase_events(session, directive, sequence, now) + _plan_event(session, directive, sequence, now):
        cal.add_component(event)
    unfinished = set(values(UNFINISHED))
    groups: dict[tuple[str, int, int, str], dict[datetime, list[int]]] = defaultdict(lambda: defaultdict(list))
    rows = session.execute(
        select(ObligationRow.key, ObligationRow.period, ObligationRow.level, ObligationRow.kind, ObligationRow.due_at,
               ObligationRow.status, func.count())
        .where(ObligationRow.directive_id == directive.id, ObligationRow.due_at.is_not(None))
        .group_by(ObligationRow.key, ObligationRow.period, ObligationRow.level, ObligationRow.kind,
                  ObligationRow.due_at, ObligationRow.status))
    for key, period, level, kind, due, status, count in rows:
        if due is None:
            continue
        # Open obligations follow the plan in force; finished ones keep the deadline they were judged against.
        groups[(key, period, level, kind)][due].append(count if status in unfinished else -count)
    titles = plan_titles(plan_of(directive))
    for (key, period, level, kind), by_due in sorted(groups.items()):
        open_dues = [due for due, counts in by_due.items() if any(c > 0 for c in counts)]
        due = max(open_dues or by_due)
        units = sum(abs(c) for counts in by_due.values() for c in counts)
        waiting = sum(c for counts in by_due.values() for c in counts if c > 0)
        title = title_of(titles, key)
        period_text = f" (lần {period + 1})" if period else ""
        cal.add_component(_event(
            f"han-{_slug(number)}-{key}-{period}-cap{level}",
            f"Hạn {_KIND_WORDS.get(kind, kind)} cấp {level}: {title}{period_text} ({number})", due, end=None,
            sequence=sequence, now=now, alarms=_DEADLINE_ALARMS if waiting else (),
            cancelled=directive.state == "aborted",
            description=f"{title}{period_text}, theo {number}. Hạn chót: {format_short(due)}. "
                        f"Số đơn vị: {formats.number(units)}; chưa hoàn thành: {formats.number(waiting)}."))
    return cal.to_ical()
