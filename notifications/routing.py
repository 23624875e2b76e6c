"""Which channel carries a message: Zalo first when the unit and the template allow it and the day's Zalo quota is
not used up, else the next rung (e-mail, or the unit's webhook); the channel and the reason for a fallback are kept
on the outbox row, so that `notify show` and the dashboard say how each message went out.

A Zalo refusal that cannot change on a retry (template not approved, number not on Zalo) falls back at once; a
transient one (rate limit, outage) does not change channel: the dispatcher tries Zalo again later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from threading import Lock
from typing import Any

from sqlalchemy import Engine, func, select

from formats import number
from notifications.channels import Channel, ChannelError, Envelope, Sent
from notifications.zalo import ZaloRoute
from schedules.render import LOCAL_TZ
from storage.models import OutboxRow

__all__ = ["CHANNEL_NAMES", "Delivery", "ZaloQuota", "channel_line", "deliver", "zalo_sent_on_day"]

CHANNEL_NAMES = {"zalo": "Zalo (tin ZNS)", "email": "thư điện tử", "webhook": "webhook"}


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


def zalo_sent_on_day(engine: Engine, now: datetime) -> int:
    """Messages recorded as carried by Zalo on the Vietnamese calendar day of `now`."""
    start, end = _local_day(now)
    query = select(func.count()).select_from(OutboxRow).where(
        OutboxRow.status == "sent", OutboxRow.sent_at >= start, OutboxRow.sent_at < end,
        OutboxRow.recipients["channel"].as_string() == "zalo")
    with engine.connect() as conn:
        return int(conn.scalar(query) or 0)


class ZaloQuota:
    """The Zalo messages a dispatcher pass may still send today (ZNS allows an OA so many a day), shared by the
    pass's connections; None is no limit of ours."""

    def __init__(self, limit: int | None, used: int = 0) -> None:
        self.limit, self.used, self.lock = limit, used, Lock()

    @classmethod
    def for_pass(cls, engine: Engine, now: datetime, limit: int | None) -> ZaloQuota:
        """The quota of a pass run at `now`: what today's earlier passes sent by Zalo already counts."""
        return cls(limit, zalo_sent_on_day(engine, now) if limit is not None else 0)

    def take(self) -> bool:
        """Count one Zalo message; False when the day's quota is used up (the message goes by the next rung)."""
        with self.lock:
            if self.limit is not None and self.used >= self.limit:
                return False
            self.used += 1
            return True

    def give_back(self) -> None:
        """A taken message that Zalo did not deliver does not count."""
        with self.lock:
            self.used -= 1


def deliver(envelope: Envelope, target: Channel, carrier: str, *, zalo: ZaloRoute | None, quota: ZaloQuota,
            unit_name: str, phone: str | None, template: str) -> Delivery:
    """Send by Zalo when the route applies and the quota allows, else (or after a permanent Zalo refusal) by
    `target`, the `carrier` rung; a transient Zalo failure is raised for the dispatcher to retry."""
    by_zalo = zalo.envelope(envelope, unit_name, phone, template) if zalo is not None else None
    if zalo is None or by_zalo is None:
        return Delivery(target.send(envelope), carrier)
    if not quota.take():
        why = f"đã hết hạn mức {number(quota.limit or 0)} tin Zalo trong ngày"
        return Delivery(target.send(envelope), carrier, why)
    try:
        return Delivery(zalo.channel.send(by_zalo), "zalo", phone=phone)
    except ChannelError as exc:
        quota.give_back()
        if exc.transient:
            raise
        return Delivery(target.send(envelope), carrier, str(exc))


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
        text += f" (thay cho Zalo: {recipients['fallback']})"
    return text
