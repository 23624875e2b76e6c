"""The dispatcher: send what the outbox holds, retry with backoff, and let several dispatchers share the work.

Delivery is at least once, never silently lost, and a repeat is recognisable: a message may reach the mail
server twice only when its dispatcher died (or lost its lease) between handing it over and recording it as
sent (at most one message per connection it holds, see `smtp_connections`). The re-send then carries the same
Message-ID, which is derived from the row's idempotency key (`channels.message_id_for`), so a mailbox or a mail
client can tell it is the same message.

How dispatchers share one outbox, each row worked on by one of them at a time:
  1. claim: in one short write transaction a pass marks a batch of due rows as its own (`claimed_by` = its
     identity host:pid:random, `lease_until` = a few minutes ahead); rows another pass holds are skipped.
     PostgreSQL picks the rows with SELECT … FOR UPDATE SKIP LOCKED; SQLite does it in one UPDATE inside a
     transaction begun with BEGIN IMMEDIATE, so that two passes queue on the write lock instead of failing.
  2. send each held row, then record sent / retry / failed in its own short transaction, but only while the
     row is still held by this pass (`claimed_by` = me); recording clears the claim.
  3. a pass that dies leaves its rows claimed until the lease runs out; after that any pass takes them up.
Leases are instants on the clock the passes run on (`now`, simulated in simulations) plus the real time a
pass has taken; a pass run for an instant beyond another's lease (`--now` set ahead) takes that one's rows.

Nothing is sent in quiet hours (outside office hours on working days).
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Update, and_, bindparam, or_, select, update
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from errors import StorageError
from notifications.channels import AppriseChannel, Channel, ChannelError
from notifications.compose import compose
from notifications.routing import ZaloQuota, deliver
from notifications.sent import file_values, sent_values, stored_envelope, write_files
from notifications.zalo import ZaloRoute
from rollout.escalate import next_office_instant
from schedules import WorkingCalendar
from storage.base import table_of
from storage.db import WRITE_LOCK, writer_turn
from storage.models import DirectiveRow, OutboxRow, UnitRow

__all__ = ["BATCH", "LEASE", "MAX_ATTEMPTS", "DispatchResult", "dispatch", "dispatcher_identity"]

MAX_ATTEMPTS = 5
# Long enough for a batch through a slow mail server (the lease is renewed half-way anyway), short enough
# that the messages of a dispatcher killed mid-pass go out at the next tick but one.
LEASE = timedelta(minutes=5)
BATCH = 50  # rows claimed at once: few claims per pass, yet several dispatchers still share a large outbox


# The Zalo route of a dispatch (None: e-mail and webhooks only) and the day's Zalo quota its passes share.
_Zalo = tuple[ZaloRoute | None, ZaloQuota]


@dataclass
class DispatchResult:
    """What one dispatcher pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    quiet: bool = False  # it is outside office hours: nothing was tried
    # Handled after another pass had taken the row over (its lease had run out): that pass records it.
    taken_over: int = 0


@dataclass(frozen=True)
class _Outcome:
    counter: str  # the DispatchResult field it adds to
    values: dict[str, Any] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)  # outbox_files rows of a first send


def backoff(attempts: int) -> timedelta:
    """Wait 1, 2, 4, 8… minutes between tries, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def dispatcher_identity() -> str:
    """host:pid:random, the name a pass writes on the rows it holds (unique even across pid reuse)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def dispatch(
    engine: Engine,
    now: datetime,
    *,
    channel: Channel,
    calendar: WorkingCalendar,
    webhook_channel: Callable[[str], Channel] = lambda url: AppriseChannel([url]),
    limit: int | None = None,
    zalo: ZaloRoute | None = None,
) -> DispatchResult:
    """Send the outbox rows due at `now` that no other pass holds, a claimed batch at a time, each recorded at once,
    over as many connections at once as the channel allows (`connections`, SMTP's `smtp_connections`); with
    `zalo`, a unit with a mobile number gets the message by Zalo first, by e-mail if Zalo refuses it for good or
    the day's Zalo quota (`zalo.daily_quota`) is used up."""
    result = DispatchResult()
    if next_office_instant(now, calendar) != now:
        result.quiet = True
        return result
    quota = ZaloQuota.for_pass(engine, now, zalo.daily_quota) if zalo is not None else ZaloQuota(None)
    connections = max(1, getattr(channel, "connections", 1))
    budget = _Budget(limit)
    if connections == 1:
        _pass(engine, now, channel, calendar, webhook_channel, (zalo, quota), budget, result)
        return result
    # Several connections to the same server, each its own pass (its own identity, session and SMTP
    # conversation): the claims and leases that keep separate dispatchers from sending a row twice do the same
    # between these threads, and every row is still recorded in its own transaction.
    results = [DispatchResult() for _ in range(connections)]
    channels = [channel, *(channel.copy() for _ in range(connections - 1))]  # type: ignore[attr-defined]
    with ThreadPoolExecutor(connections, thread_name_prefix="dispatch") as pool:
        futures = [pool.submit(_pass, engine, now, each, calendar, webhook_channel, (zalo, quota), budget, mine)
                   for each, mine in zip(channels, results, strict=True)]
    for future in futures:
        future.result()  # the first failure of a connection is the pass's failure, once all have stopped
    for mine in results:
        for name in ("sent", "retried", "failed", "cancelled", "taken_over"):
            setattr(result, name, getattr(result, name) + getattr(mine, name))
    return result


class _Budget:
    # The `limit` of a pass, shared by its connections: how many more rows they may claim between them.
    def __init__(self, limit: int | None) -> None:
        self.remaining, self.lock = limit, Lock()

    def take(self, wanted: int) -> int:
        with self.lock:
            if self.remaining is None:
                return wanted
            granted = min(wanted, self.remaining)
            self.remaining -= granted
            return granted

    def give_back(self, unused: int) -> None:
        with self.lock:
            if self.remaining is not None:
                self.remaining += unused


def _pass(engine: Engine, now: datetime, channel: Channel, calendar: WorkingCalendar,
          webhook_channel: Callable[[str], Channel], zalo: _Zalo, budget: _Budget,
          result: DispatchResult) -> None:
    """Claim and send batches under one identity, over one connection kept open, until nothing due is left."""
    me = dispatcher_identity()
    started = time.monotonic()

    def lease_clock() -> datetime:
        # `now` is the instant the pass runs for (a simulated one in simulations) and stays fixed; leases must
        # also cover the real time the pass takes, or a long pass would hold rows whose lease already ran out.
        return now + timedelta(seconds=time.monotonic() - started)

    kept_open = getattr(channel, "kept_open", None)
    # One read session for the whole pass; every write goes through its own short _write transaction.
    with Session(engine, expire_on_commit=False) as session, (kept_open() if kept_open else nullcontext()):
        while size := budget.take(BATCH):
            held = _claim(engine, me, now, lease_clock(), size)
            budget.give_back(size - len(held))
            if not held:
                break
            _send_batch(engine, session, me, held, now, lease_clock, channel, calendar, webhook_channel, result,
                        zalo)


def _send_batch(engine: Engine, session: Session, me: str, held: list[int], now: datetime,
                lease_clock: Callable[[], datetime], channel: Channel, calendar: WorkingCalendar,
                webhook_channel: Callable[[str], Channel], result: DispatchResult,
                zalo: _Zalo) -> None:
    """Send the rows this pass holds, in order, recording each at once; renew the lease half-way through it."""
    todo = list(held)
    renewed, lost = time.monotonic(), False
    try:
        rows = session.scalars(
            select(OutboxRow).where(OutboxRow.id.in_(held)).order_by(OutboxRow.id).execution_options(populate_existing=True)
        ).all()
        _batch_rows = _load_related(session, rows)  # held for the batch: see _load_related
        for row in rows:
            # A row found taken over means the lease ran out while this pass was held up: check what it
            # still holds before sending anything else, not only at the half-way renewal.
            if lost or time.monotonic() - renewed > LEASE.total_seconds() / 2:
                still = _renew(engine, me, todo, lease_clock() + LEASE)
                renewed, lost = time.monotonic(), False
                todo = [i for i in todo if i in still]
            if row.id not in todo:
                continue  # another pass took it over: it is theirs to send and record
            outcome = _attempt(session, row, now, channel, calendar, webhook_channel, zalo)
            # End the read transaction: on SQLite an open one pins an old snapshot of the whole database.
            session.commit()
            todo.remove(row.id)
            if _record(engine, me, row.id, outcome):
                setattr(result, outcome.counter, getattr(result, outcome.counter) + 1)
            else:
                result.taken_over += 1
                lost = True
    except BaseException:
        # Give back what this pass has not tried, so that the next tick need not wait for the lease. The
        # error that stopped the pass is the one to report; if the database is what failed, the lease frees them.
        with suppress(SQLAlchemyError, StorageError):
            _release(engine, me, todo)
        raise


def _load_related(session: Session, rows: Sequence[OutboxRow]) -> list[object]:
    """The directives, recipients, issuers and superiors a batch's messages are composed from, read in three
    queries. The session's identity map holds rows only while something refers to them: kept in the returned
    list for the batch, they are found there by compose instead of being read (and the plan validated) again for
    every message."""
    directives = list(session.scalars(
        select(DirectiveRow).where(DirectiveRow.id.in_({r.directive_id for r in rows if r.directive_id}))))
    wanted = {r.unit_id for r in rows if r.unit_id} | {d.issuer_id for d in directives}
    units = list(session.scalars(select(UnitRow).where(UnitRow.id.in_(wanted))))
    parents = {u.parent_id for u in units if u.parent_id} - wanted
    return [*directives, *units, *session.scalars(select(UnitRow).where(UnitRow.id.in_(parents)))]


def _attempt(session: Session, row: OutboxRow, now: datetime, channel: Channel, calendar: WorkingCalendar,
             webhook_channel: Callable[[str], Channel], zalo: _Zalo) -> _Outcome:
    # A message sent before and queued again goes out as stored, whatever changed since; a first send is
    # composed now and stored with the outcome that marks it sent.
    envelope = stored_envelope(session, row)
    if envelope is not None:
        unit = session.get_one(UnitRow, row.unit_id)
        keep: dict[str, Any] = {}
        files: list[dict[str, Any]] = []
    else:
        composed = compose(session, row, now, calendar)
        if composed.cancelled:
            return _Outcome("cancelled", {"status": "cancelled", "last_error": composed.cancelled})
        unit = composed.recipient
        if composed.no_address:
            # Reported, not skipped: it shows in `trienkhai notify list --status failed` and on the dashboard.
            reason = f"{unit.name} ({unit.code}) chưa có địa chỉ email hay webhook"
            return _Outcome("failed", {"status": "failed", "last_error": reason})
        envelope = composed.envelope
        assert envelope is not None
        keep, files = sent_values(envelope), file_values(row.id, envelope)
    attempts = row.attempts + 1
    tried: dict[str, Any] = {"attempts": attempts, "recipients": {"to": envelope.to, "cc": envelope.cc}}
    try:
        # compose() reports a unit with neither an address nor a webhook as no_address (above).
        target = channel if envelope.to else webhook_channel(unit.webhook or "")
        route, quota = zalo
        delivery = deliver(envelope, target, "email" if envelope.to else "webhook", zalo=route, quota=quota,
                           unit_name=unit.name, phone=unit.phone, template=row.template,
                           channels=(row.context or {}).get("channels"), row_id=row.id)
    except ChannelError as exc:
        if exc.transient and attempts < MAX_ATTEMPTS:
            later = next_office_instant(max(now + backoff(attempts), exc.not_before or now), calendar)
            return _Outcome("retried", {**tried, "last_error": str(exc), "next_attempt_at": later})
        return _Outcome("failed", {**tried, "status": "failed", "last_error": str(exc)})
    # The row says which channel carried the message and why Zalo did not, for `notify show` and the dashboard.
    tried["recipients"] |= delivery.record()
    return _Outcome("sent", {**tried, **keep, "status": "sent", "sent_at": now,
                             "message_id": delivery.sent.message_id, "last_error": None}, files)


def _claimable(now: datetime, lease_now: datetime) -> ColumnElement[bool]:
    """Due, still pending, and held by nobody (or by a pass whose lease has run out)."""
    return and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until < lease_now))


def _claim(engine: Engine, me: str, now: datetime, lease_now: datetime, size: int) -> list[int]:
    """Mark up to `size` due, unheld rows as held by `me` until lease_now + LEASE; the ids held, in order."""
    hold = {"claimed_by": me, "lease_until": lease_now + LEASE}
    due = select(OutboxRow.id).where(_claimable(now, lease_now)).order_by(OutboxRow.id).limit(size)
    with _write(engine) as conn:
        if conn.dialect.name == "postgresql":
            # Rows another pass is claiming right now are skipped rather than waited for.
            ids = list(conn.scalars(due.with_for_update(skip_locked=True)))
            if ids:
                conn.execute(update(OutboxRow).where(OutboxRow.id.in_(ids)).values(**hold))
            return ids
        # SQLite has no row locks; the write lock taken at BEGIN IMMEDIATE makes this UPDATE the only one running.
        conn.execute(update(OutboxRow)
                     .where(OutboxRow.id.in_(due.scalar_subquery()), _claimable(now, lease_now)).values(**hold))
        return list(conn.scalars(select(OutboxRow.id).where(OutboxRow.claimed_by == me, OutboxRow.status == "pending")
                                 .order_by(OutboxRow.id)))


@lru_cache(maxsize=16)
def _recording(columns: tuple[str, ...]) -> Update:
    """The UPDATE that records an outcome setting `columns` and lets go of the row, built once for each kind of
    outcome: a dispatcher records hundreds of rows a second, and building each statement anew cost more than
    running it."""
    table = table_of(OutboxRow)
    return (update(table).where(table.c.id == bindparam("row_id"), table.c.claimed_by == bindparam("me"))
            .values({**{name: bindparam(f"set_{name}", type_=table.c[name].type) for name in columns},
                     "claimed_by": None, "lease_until": None}))


def _record(engine: Engine, me: str, row_id: int, outcome: _Outcome) -> bool:
    """Write what happened to a held row and let go of it; False when another pass had taken it over."""
    values = outcome.values
    with _write(engine) as conn:
        done = conn.execute(_recording(tuple(sorted(values))),
                            {"row_id": row_id, "me": me, **{f"set_{name}": v for name, v in values.items()}})
        if done.rowcount != 1:
            return False
        # The files of the message as sent belong to the commit that marks it sent: both or neither.
        write_files(conn, outcome.files)
        return True


def _renew(engine: Engine, me: str, ids: list[int], until: datetime) -> set[int]:
    """Extend the lease of the rows this pass still holds; the ids it still holds."""
    if not ids:
        return set()
    with _write(engine) as conn:
        mine = and_(OutboxRow.id.in_(ids), OutboxRow.claimed_by == me)
        conn.execute(update(OutboxRow).where(mine).values(lease_until=until))
        return set(conn.scalars(select(OutboxRow.id).where(mine)))


def _release(engine: Engine, me: str, ids: list[int]) -> None:
    """Let go of rows this pass holds but has not tried, so that any pass may take them now."""
    if ids:
        with _write(engine) as conn:
            conn.execute(update(OutboxRow).where(OutboxRow.id.in_(ids), OutboxRow.claimed_by == me)
                         .values(claimed_by=None, lease_until=None))


@contextmanager
def _write(engine: Engine) -> Iterator[Connection]:
    """A short write transaction, committed at the end of the block.

    On SQLite it begins with BEGIN IMMEDIATE (WRITE_LOCK, see storage/db.py): a deferred transaction that
    reads and then writes fails at once with "database is locked" when another process wrote meanwhile,
    whereas BEGIN IMMEDIATE waits for the write lock (busy_timeout).
    """
    # A dispatcher's connections (threads) and other dispatchers (processes) queue for their turn, handed over at
    # once, rather than on the file's write lock, which a waiter polls after sleeping a millisecond or more.
    with writer_turn(engine), engine.connect() as conn:
        conn.execution_options(**{WRITE_LOCK: True})
        try:
            yield conn
            conn.commit()
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise StorageError(
                    "Cơ sở dữ liệu đang bị một tiến trình khác giữ quá lâu; lượt gửi dừng lại, "
                    "các thông báo chưa gửi sẽ được gửi ở lượt sau."
                ) from exc
            raise
