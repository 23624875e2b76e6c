"""The ladder of carriers a plan's rung names (`channels: [zalo, email]`), Zalo's answers that are neither a send
nor a plain refusal (-133 at night, -144 the OA's daily limit), and one Zalo quota shared by dispatcher processes;
against the loopback Zalo server of test_zalo, a mail sink, and SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from hierarchy import Kind
from hierarchy.generate import generate_quang_tri_2017, small_quang_tri_2017
from notifications.channels import SmtpChannel
from notifications.dispatch import dispatch
from notifications.zalo import ZaloRoute
from plans.reference import plan_json_schema
from plans.schema import EscalationStep
from storage import UnitOfWork, make_engine
from storage.models import OutboxRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_delivery import CAL, PLAN, REMIND_AT, reminders
from tests.notifications.test_dispatch_concurrency import THREE_DISTRICTS
from tests.notifications.test_zalo import FakeZalo, _channel, _handler

ROOT = Path(__file__).resolve().parents[2]


def _serve(state: FakeZalo) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def zalo() -> Iterator[tuple[FakeZalo, str]]:
    state = FakeZalo()
    for base in _serve(state):
        yield state, base


def _with_phones(units: list[Any], every: int) -> list[Any]:
    """Every `every`-th chi bộ with a mobile number (on Zalo), the others with their e-mail only."""
    chi_bo = [u.code for u in units if u.kind is Kind.CHI_BO][::every]
    numbers = {code: f"09{i:08d}" for i, code in enumerate(chi_bo)}
    return [replace(u, contacts=replace(u.contacts, phone=numbers[u.code])) if u.code in numbers else u
            for u in units]


def _plan(channels: str) -> str:
    rungs = f"  - {{offset: -3, action: remind, channels: {channels}}}\n  - {{offset: 1, action: chase}}\n"
    return PLAN + "escalation:\n" + rungs


def _dispatch(db_url: str, base: str, template: str, *, quota: int | None = None) -> tuple[Any, Sink]:
    sink, port = Sink(), free_port()
    controller, engine = start(port, sink), make_engine(db_url)
    try:
        result = dispatch(engine, REMIND_AT, channel=SmtpChannel("127.0.0.1", port, sender="vp@tu.vn"),
                          calendar=CAL, zalo=ZaloRoute(_channel(base, []), {"nhac_han": template}, daily_quota=quota))
    finally:
        controller.stop()
        engine.dispose()
    return result, sink


def _rows(db_url: str) -> list[OutboxRow]:
    engine = make_engine(db_url)
    with UnitOfWork(engine) as uow:
        rows = list(uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
    engine.dispose()
    return rows


def _zns(state: FakeZalo) -> list[dict[str, Any]]:
    return [body for path, _, body in state.requests if path == "/message/template"]


def test_a_rung_that_says_email_sends_by_email_though_the_unit_is_on_zalo(
        db_url: str, tmp_path: Path, zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    rows = reminders(db_url, tmp_path, _with_phones(small_quang_tri_2017(), 2), _plan("[email]"))
    result, sink = _dispatch(db_url, base, "nhac-han")
    assert result.sent == rows == len(sink.messages) == 19 and _zns(state) == []
    assert {r.recipients["channel"] for r in _rows(db_url)} == {"email"}
    assert all(r.context["channels"] == ["email"] for r in _rows(db_url))


def test_a_rung_by_zalo_only_fails_for_a_unit_without_a_mobile_and_says_why(
        db_url: str, tmp_path: Path, zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    reminders(db_url, tmp_path, _with_phones(small_quang_tri_2017(), 2), _plan("[zalo]"))
    result, sink = _dispatch(db_url, base, "nhac-han")
    assert (result.sent, result.failed) == (10, 9) and sink.messages == [] and len(_zns(state)) == 10
    failed = [r for r in _rows(db_url) if r.status == "failed"]
    assert all(r.last_error == "không kênh nào của bậc này gửi được thư: đơn vị chưa có số di động" for r in failed)


def test_zalo_first_then_email_falls_back_with_the_reason_of_the_refusal(
        db_url: str, tmp_path: Path, zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    reminders(db_url, tmp_path, _with_phones(small_quang_tri_2017(), 2), _plan("[zalo, email]"))
    result, sink = _dispatch(db_url, base, "chua-duyet")
    assert result.sent == 19 == len(sink.messages) and len(_zns(state)) == 10
    reasons = Counter(r.recipients["fallback"].split(" (mã")[0] for r in _rows(db_url))
    # The rung asked for Zalo first: each message says why it went by e-mail instead.
    assert reasons == {"Zalo không nhận mẫu tin chua-duyet": 10, "đơn vị chưa có số di động": 9}


def test_a_template_zalo_does_not_send_at_night_waits_for_the_morning_by_zalo(
        db_url: str, tmp_path: Path, zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    reminders(db_url, tmp_path, _with_phones(small_quang_tri_2017(), 2))
    result, sink = _dispatch(db_url, base, "ban-dem")
    assert (result.sent, result.retried) == (9, 10) and len(sink.messages) == 9  # no e-mail instead of Zalo
    waiting = [r for r in _rows(db_url) if r.status == "pending"]
    assert len(waiting) == 10 and all("vào ban đêm, từ 22h00 đến 6h00 (mã -133)" in (r.last_error or "")
                                      for r in waiting)
    # Not in a minute, as a rate limit would be: at the opening of the next working day, after 6h00.
    assert {r.next_attempt_at.astimezone(UTC) for r in waiting} == {datetime(2017, 9, 27, 0, 30, tzinfo=UTC)}


def test_when_zalo_says_the_oas_daily_limit_is_reached_the_days_messages_go_by_email(
        db_url: str, tmp_path: Path, zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    reminders(db_url, tmp_path, _with_phones(small_quang_tri_2017(), 2))
    result, sink = _dispatch(db_url, base, "het-ngay")
    assert result.sent == 19 == len(sink.messages)
    assert len(_zns(state)) == 1  # asked once; the other units on Zalo are not tried again that day
    fallbacks = Counter(r.recipients.get("fallback") for r in _rows(db_url))
    assert fallbacks == {None: 9, "Official Account đã gửi hết số tin ZNS Zalo cho phép trong ngày (mã -144)": 1,
                         "Zalo không cho gửi thêm tin trong ngày": 9}


def test_two_dispatcher_processes_together_keep_to_the_daily_zalo_quota(db_url: str, tmp_path: Path) -> None:
    # 288 chi bộ in three districts, one in four on Zalo; both processes send by Zalo at once (the server holds
    # the first sends until one from each is in flight), so each one's count must see the other's.
    rows = reminders(db_url, tmp_path, _with_phones(generate_quang_tri_2017(), 4), THREE_DISTRICTS)
    state = FakeZalo(gate=threading.Barrier(2))
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        for base in _serve(state):
            args = [db_url, base, str(port), "10", REMIND_AT.isoformat()]
            processes = [subprocess.Popen([sys.executable, str(ROOT / "tests/notifications/zalo_dispatcher.py"),
                                           *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True) for _ in range(2)]
            outputs = [p.communicate(timeout=600) for p in processes]
    finally:
        controller.stop()
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0 and out.startswith("sent="), err
    stored = _rows(db_url)
    assert rows == 288 and Counter(r.status for r in stored) == {"sent": 288}
    by_zalo = [r for r in stored if r.recipients["channel"] == "zalo"]
    assert len(by_zalo) == len(_zns(state)) == 10  # not ten per process
    assert len(sink.messages) == 278 and len(set(sink.ids())) == 278
    assert all("zalo_day" not in r.recipients for r in stored)  # every place taken was settled


def test_a_rung_names_each_channel_once_and_only_known_ones() -> None:
    assert EscalationStep(offset=-3, action="remind", channels=["zalo", "email"]).channels == ["zalo", "email"]
    with pytest.raises(ValidationError, match="channels ghi một kênh hai lần"):
        EscalationStep(offset=-3, action="remind", channels=["zalo", "zalo"])
    with pytest.raises(ValidationError):
        EscalationStep(offset=-3, action="remind", channels=["sms"])
    with pytest.raises(ValidationError):
        EscalationStep(offset=-3, action="remind", channels=[])
    # Editors validating a plan against `trienkhai plan schema` know the key and its values.
    key = plan_json_schema()["$defs"]["EscalationStep"]["properties"]["channels"]
    assert "kênh trước không gửi được thì dùng kênh sau" in key["description"]
    assert key["anyOf"][0]["items"]["enum"] == ["zalo", "email"] and key["examples"] == [["zalo", "email"]]
