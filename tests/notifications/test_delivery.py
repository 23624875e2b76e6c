"""Delivery through a real SMTP server on loopback: content intact, and exactly once across crashes and outages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hierarchy.generate import generate_quang_tri_2017, small_quang_tri_2017
from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from settings import Settings
from storage import UnitOfWork, make_engine, upgrade
from storage.models import OutboxRow
from storage.units import apply_hierarchy
from tests.notifications.smtp_sink import Sink, free_port, start

CAL = WorkingCalendar()
PLAN = """
directive:
  number: "21-KH/TU"
  kind: KH
  issuer: TU-QT
  issued_on: 2017-09-01
  place: Đông Hà
  title: Kế hoạch sinh hoạt chuyên đề “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”
  signers: [{form: T/M, body: Ban Thường vụ, title: Phó Bí thư Thường trực, name: Trần Thị Bình}]
hierarchy: {generator: generate_quang_tri_2017}
targets: {roots: [TU-QT], kinds: [chi_bo]}
phases:
  - {name: rollout, opens: "ngày 5/9/2017"}
obligations:
  - {key: sinh-hoat, kind: activity, title: Tổ chức sinh hoạt chuyên đề tại chi bộ, phase: rollout,
     due: "chậm nhất ngày 29/9/2017", units: {kinds: [chi_bo]}}
"""
# 26/9/2017, 08:00 local: 3 working days before the deadline, every chi bộ gets its reminder.
REMIND_AT = datetime(2017, 9, 26, 1, 0, tzinfo=UTC)


def reminders(url: str, tmp_path: Path, units, plan_text: str = PLAN) -> int:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    upgrade(engine)
    plan = tmp_path / "plan.yaml"
    text = plan_text.replace("generate_quang_tri_2017", "small_quang_tri_2017") if len(units) < 100 else plan_text
    plan.write_text(text, encoding="utf-8")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2017, 8, 1, tzinfo=UTC), actor="t")
        issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="t", calendar=CAL)
        advance(uow.session, datetime(2017, 9, 5, 1, tzinfo=UTC), calendar=CAL)
        result = advance(uow.session, REMIND_AT, calendar=CAL)
        uow.commit()
    engine.dispose()
    return result.messages


def test_smtp_delivery_keeps_recipients_subject_and_vietnamese_text(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    expected = reminders(url, tmp_path, small_quang_tri_2017())
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        channel = SmtpChannel("127.0.0.1", port, sender="Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>")
        result = dispatch(make_engine(url), REMIND_AT, channel=channel, calendar=CAL)
    finally:
        controller.stop()
    assert result.sent == expected == len(sink.messages) == 19  # the 19 chi bộ of the small hierarchy
    rcpts, message = next((r, m) for r, m in sink.messages if "Cam Thành" in m.get_body(("plain",)).get_content())
    assert rcpts == ["qt.camlo.camthanh.cb01@quangtri.dcs.vn"] and message["To"].addresses[0].addr_spec == rcpts[0]
    # "Chi bộ số 1" exists in every commune: the letter says whose it is.
    assert "Kính gửi: Chi bộ số 1, Đảng bộ xã Cam Thành" in message.get_body(("plain",)).get_content()
    assert "Nhắc hạn" in message["Subject"] or "nhắc" in message["Subject"].lower()
    body = message.get_body(("plain",)).get_content()
    assert "Tổ chức sinh hoạt chuyên đề tại chi bộ" in body and "29/9/2017" in body
    assert "Văn phòng Tỉnh ủy" in str(message["From"])


@pytest.mark.slow
def test_killed_dispatcher_and_smtp_outage_deliver_every_message_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    expected = reminders(url, tmp_path, generate_quang_tri_2017())
    assert expected > 1000
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    env = {**os.environ, "TRIENKHAI_DATABASE_URL": url, "TRIENKHAI_SMTP_HOST": "127.0.0.1",
           "TRIENKHAI_SMTP_PORT": str(port)}
    command = [sys.executable, "-m", "cli.main", "notify", "dispatch", "--now", REMIND_AT.isoformat()]
    kills = 0
    for _ in range(3):  # kill the dispatcher mid-run, three times
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2.5)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
    controller.stop()  # the mail server goes away for a while: every try fails and is rescheduled
    outage = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert outage.returncode == 0
    controller = start(port, sink)
    try:
        later = datetime(2017, 9, 26, 4, 0, tzinfo=UTC)  # past every backoff
        final = subprocess.run([*command[:-1], later.isoformat()], env=env, capture_output=True, text=True, timeout=300)
        assert final.returncode == 0, final.stderr
    finally:
        controller.stop()
    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        states = dict(uow.session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status)).all())
    assert kills >= 1 and states == {"sent": expected}
    ids = sink.ids()
    # Nothing lost, no second Message-ID; a message in flight at the instant of a SIGKILL may arrive twice
    # with the same Message-ID (a mailbox keeps one): one per connection the dispatcher holds, so raw arrivals
    # exceed the count by at most the kills times the connections.
    assert len(set(ids)) == expected
    assert expected <= len(ids) <= expected + kills * Settings.model_fields["smtp_connections"].default
