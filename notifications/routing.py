"""Which channel carries a message: the rung's own ladder of carriers when the plan gives one (`channels:
[zalo, email]` on an escalation rung, kept in the outbox row's context), else Zalo first when the unit and the
template allow it and the day's Zalo quota is not used up, then the unit's e-mail (or its webhook). The channel and
the reason for each step down the ladder are kept on the outbox row, so that `notify show` and the dashboard say
how each message went out.

A Zalo refusal that cannot change on a retry (template not approved, number not on Zalo, the OA's daily ZNS limit
at Zalo) goes down the ladder at once; a transient one (rate limit, outage) does not change channel: the dispatcher
tries Zalo again later. A template Zalo does not send at night (error -133) waits for the morning.

The daily quota is one count for every dispatcher process: a message about to go by Zalo takes its place in a
short write transaction under a lock (SQLite's write lock, a PostgreSQL advisory lock) that counts the day's
Zalo messages sent and those being sent (marked `zalo_day` on their held outbox rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from threading import Lock
from typing import Any

from sqlalchemy import Engine, func, select, text as sql_text, update

from formats import number
from notifications.channels import Channel, ChannelError, Envelope, Sent
from notifications.zalo import ZaloDayLimit, ZaloNight, ZaloRoute
from schedules.render import LOCAL_TZ
from storage.db import WRITE_LOCK
from storage.models import OutboxRow

__all__ = ["CHANNEL_NAMES", "LADDER", "Delivery", "ZaloQuota", "channel_line", "deliver", "zalo_sent_on_day"]

CHANNEL_NAMES = {"zalo": "Zalo (tin ZNS)", "email": "thư điện tử", "webhook": "webhook"}
# The ladder of a message whose rung names none: Zalo when it applies, then the unit's e-mail or webhook.
LADDER = ("zalo", "email")
# Key of the PostgreSQL advisory lock under which the day's Zalo places are counted and taken ("zaloQuot").
_QUOTA_LOCK = 0x7A616C6F51756F74 & 0x7FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class Delivery:
    """A message handed over: by which channel, and why an earlier rung of the ladder did not carry it."""

    sent: Sent
    channel: str
    fallback: str | None = None
    phone: str | None = None

    def record(self) -> dict[str, Any]:
        """What the outbox row's `recipients` keeps beside To/Cc about how the message went out."""
        kept: dict[str, Any] = {"channel": self.channel}
        if self.fallback:
            kept["fallback"] = self.fallback
        if self.phone:
            kept["phone"] = self.phone
        return kept


def _local_day(now: datetime) -> tuple[datetime, datetime]:
    """The calendar day in Vietnam that `now` falls on, as a [start, end) pair of instants."""
    start = datetime.combine(now.astimezone(LOCAL_TZ).date(), time(0), tzinfo=LOCAL_TZ)
    return start, start + timedelta(days=1)


def _sent_by_zalo(start: datetime, end: datetime) -> Any:
    return ((OutboxRow.status == "sent") & (OutboxRow.sent_at >= start) & (OutboxRow.sent_at < end)
            & (OutboxRow.recipients["channel"].as_string() == "zalo"))


def zalo_sent_on_day(engine: Engine, now: datetime) -> int:
    """Messages recorded as carried by Zalo on the Vietnamese calendar day of `now`."""
    start, end = _local_day(now)
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(OutboxRow).where(_sent_by_zalo(start, end))) or 0)


def _morning_after(now: datetime) -> datetime:
    """The next 6h00 in Vietnam at or after `now`: when Zalo sends its night-restricted templates again."""
    local = now.astimezone(LOCAL_TZ)
    morning = datetime.combine(local.date(), time(6), tzinfo=LOCAL_TZ)
    return morning if local <= morning else morning + timedelta(days=1)


class ZaloQuota:
    """The Zalo messages that may still go out today (ZNS gives an OA so many a day); None is no limit of ours.

    With an engine, every dispatcher process shares the database's count (see the module docstring); without one
    (a single delivery), the count is this object's."""

    def __init__(self, limit: int | None, used: int = 0, *, engine: Engine | None = None,
                 now: datetime | None = None) -> None:
        self.limit, self.used, self.lock = limit, used, Lock()
        self.engine, self.now = engine, now
        self.closed = False  # Zalo said the OA's own daily limit is reached: no more Zalo today

    @classmethod
    def for_pass(cls, engine: Engine, now: datetime, limit: int | None) -> ZaloQuota:
        """The quota of a pass run at `now`, counted in the database with every other pass of the day."""
        return cls(limit, engine=engine, now=now)

    def take(self, row_id: int | None = None) -> bool:
        """Count one Zalo message (for the held outbox row `row_id`); False when the day's quota is used up."""
        if self.closed:
            return False
        if self.limit is not None and self.engine is not None and row_id is not None:
            if not self._take_in_database(row_id):
                return False
            with self.lock:
                self.used += 1
            return True
        with self.lock:
            if self.limit is not None and self.used >= self.limit:
                return False
            self.used += 1
            return True

    def _take_in_database(self, row_id: int) -> bool:
        assert self.engine is not None and self.limit is not None and self.now is not None
        start, end = _local_day(self.now)
        day = start.date().isoformat()
        with self.engine.connect() as conn:
            conn.execution_options(**{WRITE_LOCK: True})  # SQLite: BEGIN IMMEDIATE, one taker at a time
            if conn.dialect.name == "postgresql":
                conn.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": _QUOTA_LOCK})
            taken = (OutboxRow.status == "pending") & (OutboxRow.recipients["zalo_day"].as_string() == day)
            used = conn.scalar(select(func.count()).select_from(OutboxRow).where(
                _sent_by_zalo(start, end) | (taken & (OutboxRow.id != row_id))))
            if int(used or 0) >= self.limit:
                conn.rollback()
                return False
            # The place is the row's until its outcome is recorded, which rewrites `recipients` (sent by Zalo: it
            # is then counted as sent; retried or sent by another rung: the place is free again).
            recipients = conn.scalar(select(OutboxRow.recipients).where(OutboxRow.id == row_id)) or {}
            conn.execute(update(OutboxRow).where(OutboxRow.id == row_id)
                         .values(recipients={**recipients, "zalo_day": day}))
            conn.commit()
        return True

    def give_back(self) -> None:
        """A taken message that Zalo did not deliver does not count (in the database, once its outcome is
        recorded)."""
        with self.lock:
            self.used -= 1


def deliver(envelope: Envelope, target: Channel, carrier: str, *, zalo: ZaloRoute | None, quota: ZaloQuota,
            unit_name: str, phone: str | None, template: str, channels: Sequence[str] | None = None,
            row_id: int | None = None) -> Delivery:
    """Go down the ladder `channels` (default LADDER): Zalo when the route applies and the quota allows, else (or
    after a permanent Zalo refusal) `target`, the `carrier` of "email"; a transient Zalo failure is raised for the
    dispatcher to retry, with `not_before` when Zalo will not take it before the morning."""
    ladder = list(channels or LADDER)
    skipped: list[str] = []
    for place, rung in enumerate(ladder, start=1):
        if rung != "zalo":
            try:
                return Delivery(target.send(envelope), carrier, "; ".join(skipped) or None)
            except ChannelError as exc:
                if exc.transient or place == len(ladder):
                    raise
                skipped.append(str(exc))
                continue
        by_zalo = zalo.envelope(envelope, unit_name, phone, template) if zalo is not None else None
        if zalo is None or by_zalo is None:
            if channels is not None:
                skipped.append(_why_not_zalo(zalo, phone))
            continue
        if not quota.take(row_id):
            skipped.append("Zalo không cho gửi thêm tin trong ngày" if quota.closed
                           else f"đã hết hạn mức {number(quota.limit or 0)} tin Zalo trong ngày")
            continue
        try:
            return Delivery(zalo.channel.send(by_zalo), "zalo", "; ".join(skipped) or None, phone=phone)
        except ChannelError as exc:
            quota.give_back()
            if isinstance(exc, ZaloNight):
                morning = _morning_after(quota.now) if quota.now is not None else None
                raise ChannelError(str(exc), transient=True, not_before=morning) from exc
            if isinstance(exc, ZaloDayLimit):
                quota.closed = True
            if exc.transient:
                raise
            skipped.append(str(exc))
    raise ChannelError("không kênh nào của bậc này gửi được thư: " + "; ".join(skipped), transient=False)


def _why_not_zalo(zalo: ZaloRoute | None, phone: str | None) -> str:
    if zalo is None:
        return "chưa cấu hình Zalo"
    if not phone:
        return "đơn vị chưa có số di động"
    return "mẫu tin này chưa có mẫu ZNS được Zalo duyệt hoặc số không phải số di động Việt Nam"


def channel_line(recipients: Mapping[str, Any] | None) -> str | None:
    """How a sent message went out, as people read it: "Zalo (tin ZNS) tới số …" or "thư điện tử (thay cho Zalo:
    …)"; None for a message sent before channels were recorded."""
    channel = (recipients or {}).get("channel")
    if not channel:
        return None
    text = CHANNEL_NAMES.get(channel, channel)
    if channel == "zalo" and recipients and recipients.get("phone"):
        text += f" tới số {recipients['phone']}"
    if recipients and recipients.get("fallback"):
        instead = "thư điện tử" if channel == "zalo" else "Zalo"
        text += f" (thay cho {instead}: {recipients['fallback']})"
    return text
