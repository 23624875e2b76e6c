"""Dispatchers side by side, killed mid-send, and facing a mail server that refuses: each message arrives,
once per Message-ID, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select

from hierarchy.generate import generate_quang_tri_2017, small_quang_tri_2017
from notifications.channels import SmtpChannel, message_id_for
from notifications.dispatch import LEASE, MAX_ATTEMPTS, backoff, dispatch
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from settings import Settings
from storage import UnitOfWork, make_engine, upgrade
from storage.models import OutboxRow
from storage.units import apply_hierarchy
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_delivery import PLAN, REMIND_AT

CAL = WorkingCalendar()
SENDER = "Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"
# Three districts of Quảng Trị 2017: 288 chi bộ, one reminder each.
THREE_DISTRICTS = PLAN.replace("roots: [TU-QT]", "roots: [QT-CAMLO, QT-DONGHA, QT-TXQUANGTRI]")
# A second plan under way in the whole province at the same time, due the same day: with 21-KH/TU, two reminders
# to each of its 1,660 chi bộ.
SECOND_PLAN = PLAN.replace('"21-KH/TU"', '"22-KH/TU"').replace(
    "sinh hoạt chuyên đề “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”",
    "học tập, quán triệt Nghị quyết Hội nghị lần thứ sáu Ban Chấp hành Trung ương Đảng khóa XII",
).replace("key: sinh-hoat, kind: activity, title: Tổ chức sinh hoạt chuyên đề tại chi bộ",
          "key: quan-triet, kind: activity, title: Tổ chức học tập và quán triệt nghị quyết tại chi bộ")


def fill_outbox(url: str, tmp_path: Path, *, small: bool = False, province: bool = False) -> int:
    """Issue real plans and reconcile up to the reminder day: the outbox holds one reminder per chi bộ and plan
    (the small hierarchy, three districts, or the whole province with two plans)."""
    engine = make_engine(url)
    upgrade(engine)
    texts = [PLAN, SECOND_PLAN] if province else [THREE_DISTRICTS]
    if small:
        texts = [PLAN.replace("generate_quang_tri_2017", "small_quang_tri_2017")]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017() if small else generate_quang_tri_2017(),
                        now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        for index, text in enumerate(texts):
            plan = tmp_path / f"plan-{index}.yaml"
            plan.write_text(text, encoding="utf-8")
            issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="t", calendar=CAL)
        advance(uow.session, datetime(2017, 9, 5, 1, tzinfo=UTC), calendar=CAL)
        messages = advance(uow.session, REMIND_AT, calendar=CAL).messages
        uow.commit()
    engine.dispose()
    return messages


def outbox_rows(url: str) -> list[OutboxRow]:
    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        rows = list(uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    engine.dispose()
    return rows


def cli(now: datetime) -> list[str]:
    return [sys.executable, "-m", "cli.main", "notify", "dispatch", "--now", now.isoformat()]


def cli_env(url: str, port: int) -> dict[str, str]:
    return {**os.environ, "TRIENKHAI_DATABASE_URL": url, "TRIENKHAI_SMTP_HOST": "127.0.0.1",
            "TRIENKHAI_SMTP_PORT": str(port), "TRIENKHAI_MAIL_FROM": SENDER}


class GatedSink(Sink):
    """Holds every message until `parties` SMTP sessions have shown up, so that the dispatchers surely overlap."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self.parties = parties
        self.peers: set[object] = set()
        self.everyone_in = asyncio.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        self.peers.add(session.peer)
        if len(self.peers) >= self.parties:
            self.everyone_in.set()
        await asyncio.wait_for(self.everyone_in.wait(), 60)
        return await super().handle_DATA(server, session, envelope)


class KillingSink(Sink):
    """Keeps the K-th message, then kills the dispatcher with SIGKILL before it can read the 250 reply."""

    def __init__(self, kill_at: int) -> None:
        super().__init__()
        self.kill_at = kill_at
        self.victim: subprocess.Popen[bytes] | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        reply = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == self.kill_at and self.victim is not None:
            self.victim.send_signal(signal.SIGKILL)
            self.victim.wait(30)
        return reply


class RefusingSink:
    """A mail server that answers every message with the same reply and counts the tries per Message-ID."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.tries: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        self.tries[str(message["Message-ID"])] += 1
        return self.reply


# Three districts, and the whole province with two plans: more than the 2,081 messages of the outbox in which
# two dispatchers on SQLite once sent most messages twice.
@pytest.mark.parametrize(("province", "size"), [(False, 288), pytest.param(True, 3320, marks=pytest.mark.slow)],
                         ids=["three-districts", "province"])
def test_two_dispatcher_processes_at_once_send_each_message_once(
    db_url: str, tmp_path: Path, province: bool, size: int
) -> None:
    expected = fill_outbox(db_url, tmp_path, province=province)
    assert expected == size
    # One dispatcher holds up to smtp_connections sessions: one more means the other dispatcher has shown up too.
    sink, port = GatedSink(parties=Settings().smtp_connections + 1), free_port()
    controller = start(port, sink)
    try:
        processes = [subprocess.Popen(cli(REMIND_AT), env=cli_env(db_url, port), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=600) for p in processes]
    finally:
        controller.stop()
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err + out and "locked" not in err + out
    sent_by = [int(re.search(r"Đã gửi (\d+),", out).group(1)) for out, _ in outputs]  # type: ignore[union-attr]
    # Both took part, and between them each message went out once.
    assert all(n > 0 for n in sent_by) and sum(sent_by) == expected
    ids = sink.ids()
    rows = outbox_rows(db_url)
    assert len(ids) == len(set(ids)) == expected
    assert Counter(r.status for r in rows) == {"sent": expected}
    assert {r.message_id for r in rows} == set(ids)
    assert all(r.claimed_by is None and r.lease_until is None and r.attempts == 1 for r in rows)


def test_killed_dispatcher_rows_wait_for_the_lease_then_go_out_with_the_same_message_id(
    db_url: str, tmp_path: Path
) -> None:
    expected = fill_outbox(db_url, tmp_path)
    kill_at = 20
    sink, port = KillingSink(kill_at), free_port()
    controller = start(port, sink)
    try:
        # One connection, so that exactly one message is in flight at the kill; with several, one per connection
        # may be (tests/notifications/test_delivery.py kills a dispatcher that holds the default number).
        victim = subprocess.Popen(cli(REMIND_AT), env={**cli_env(db_url, port), "TRIENKHAI_SMTP_CONNECTIONS": "1"},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sink.victim = victim
        assert victim.wait(120) == -signal.SIGKILL
        in_flight = sink.ids()[kill_at - 1]
        after_kill = outbox_rows(db_url)
        held = [r for r in after_kill if r.claimed_by is not None]
        # The dead dispatcher still holds the message in flight and the rest of its batch, under its own name.
        assert held and all(r.claimed_by.startswith(f"{socket.gethostname()}:{victim.pid}:") for r in held)
        assert all(r.status == "pending" and r.lease_until > REMIND_AT for r in held)
        assert in_flight in {message_id_for(r.key, SENDER) for r in held}
        assert sum(r.status == "sent" for r in after_kill) == kill_at - 1

        channel = SmtpChannel("127.0.0.1", port, sender=SENDER)
        engine = make_engine(db_url)
        # Another dispatcher at the same instant leaves the held rows alone and sends everything else.
        same_time = dispatch(engine, REMIND_AT, channel=channel, calendar=CAL)
        assert same_time.sent == expected - (kill_at - 1) - len(held)
        assert len(set(sink.ids())) == len(sink.ids())
        assert {r.id for r in outbox_rows(db_url) if r.claimed_by is not None} == {r.id for r in held}
        # Once the lease has run out, the next pass takes them over.
        later = dispatch(engine, REMIND_AT + LEASE + timedelta(minutes=1), channel=channel, calendar=CAL)
        engine.dispose()
    finally:
        controller.stop()
    assert later.sent == len(held)
    ids = sink.ids()
    rows = outbox_rows(db_url)
    assert Counter(r.status for r in rows) == {"sent": expected}
    assert all(r.claimed_by is None and r.lease_until is None for r in rows)
    assert len(set(ids)) == expected == len({r.message_id for r in rows})
    # Only the message in flight at the kill arrived twice, both times under the same Message-ID.
    assert [mid for mid, n in Counter(ids).items() if n > 1] == [in_flight] and len(ids) == expected + 1


class HeldUpChannel(SmtpChannel):
    """An SMTP channel whose pass is held up at its first message, long enough for `meanwhile` to run."""

    def __init__(self, *args, meanwhile, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.meanwhile = meanwhile

    def send(self, envelope):  # type: ignore[no-untyped-def]
        if self.meanwhile is not None:
            run, self.meanwhile = self.meanwhile, None
            run()
        return super().send(envelope)


def test_pass_held_up_past_its_lease_leaves_the_rows_to_the_pass_that_took_them_over(
    db_url: str, tmp_path: Path
) -> None:
    expected = fill_outbox(db_url, tmp_path, small=True)
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    engine = make_engine(db_url)
    took_over = []
    later = REMIND_AT + LEASE + timedelta(minutes=1)

    def another_pass_after_the_lease() -> None:
        took_over.append(dispatch(engine, later, channel=SmtpChannel("127.0.0.1", port, sender=SENDER), calendar=CAL))

    slow = HeldUpChannel("127.0.0.1", port, sender=SENDER, meanwhile=another_pass_after_the_lease)
    try:
        held_up = dispatch(engine, REMIND_AT, channel=slow, calendar=CAL)
    finally:
        controller.stop()
        engine.dispose()
    (other,) = took_over
    assert other.sent == expected
    # The held-up pass delivers the one message it was already sending, finds it taken over, and stops there.
    assert (held_up.sent, held_up.taken_over, held_up.failed, held_up.retried) == (0, 1, 0, 0)
    ids = sink.ids()
    assert len(ids) == expected + 1 and len(set(ids)) == expected and ids[-1] in ids[:-1]
    rows = outbox_rows(db_url)
    assert all((r.status, r.sent_at, r.claimed_by, r.attempts) == ("sent", later, None, 1) for r in rows)


def test_busy_mail_server_is_retried_with_backoff_then_the_message_fails_with_its_reason(
    db_url: str, tmp_path: Path
) -> None:
    expected = fill_outbox(db_url, tmp_path, small=True)
    sink, port = RefusingSink("451 4.3.0 Mail system busy"), free_port()
    controller = start(port, sink)  # type: ignore[arg-type]
    engine = make_engine(db_url)
    channel = SmtpChannel("127.0.0.1", port, sender=SENDER)
    at, waits = REMIND_AT, []
    try:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            result = dispatch(engine, at, channel=channel, calendar=CAL)
            last = attempt == MAX_ATTEMPTS
            assert (result.retried, result.failed, result.sent) == ((0, expected, 0) if last else (expected, 0, 0))
            assert set(sink.tries.values()) == {attempt}
            if last:
                break
            (next_at,) = {r.next_attempt_at for r in outbox_rows(db_url)}
            waits.append(next_at - at)
            # Before its time the message is not tried again.
            early = dispatch(engine, next_at - timedelta(seconds=1), channel=channel, calendar=CAL)
            assert (early.retried, early.failed, early.sent) == (0, 0, 0) and set(sink.tries.values()) == {attempt}
            at = next_at
        assert dispatch(engine, at + timedelta(hours=1), channel=channel, calendar=CAL).failed == 0
    finally:
        controller.stop()
        engine.dispose()
    assert waits == [backoff(n) for n in range(1, MAX_ATTEMPTS)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    rows = outbox_rows(db_url)
    assert len(sink.tries) == expected and set(sink.tries.values()) == {MAX_ATTEMPTS}
    for row in rows:
        assert (row.status, row.attempts, row.claimed_by, row.lease_until) == ("failed", MAX_ATTEMPTS, None, None)
        assert row.last_error == "Máy chủ thư trả lỗi 451: 4.3.0 Mail system busy"


def test_refused_message_fails_at_once_with_the_server_reason(db_url: str, tmp_path: Path) -> None:
    expected = fill_outbox(db_url, tmp_path, small=True)
    sink, port = RefusingSink("550 5.7.1 Message rejected"), free_port()
    controller = start(port, sink)  # type: ignore[arg-type]
    engine = make_engine(db_url)
    channel = SmtpChannel("127.0.0.1", port, sender=SENDER)
    try:
        first = dispatch(engine, REMIND_AT, channel=channel, calendar=CAL)
        again = dispatch(engine, REMIND_AT + timedelta(hours=2), channel=channel, calendar=CAL)
    finally:
        controller.stop()
        engine.dispose()
    assert (first.failed, first.retried, first.sent) == (expected, 0, 0) and again.failed == 0
    assert len(sink.tries) == expected and set(sink.tries.values()) == {1}
    for row in outbox_rows(db_url):
        assert (row.status, row.attempts, row.claimed_by, row.lease_until) == ("failed", 1, None, None)
        assert row.last_error == "Máy chủ thư trả lỗi 550: 5.7.1 Message rejected"
