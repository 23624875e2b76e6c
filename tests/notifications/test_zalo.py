"""The Zalo channel against a loopback server that answers as Zalo's documented API does, and its e-mail fallback."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from hierarchy import Kind
from hierarchy.generate import small_quang_tri_2017
from notifications.channels import ChannelError, SmtpChannel
from notifications.dispatch import dispatch
from notifications.routing import ZaloQuota, deliver, zalo_sent_on_day
from notifications.zalo import ZaloChannel, ZaloEnvelope, ZaloRoute, ZaloTokens
from storage import UnitOfWork, make_engine
from storage.models import OutboxRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_delivery import CAL, REMIND_AT, reminders


class FakeZalo:
    """What the server saw and the state it keeps: the valid token pair and calls per template."""

    def __init__(self, gate: threading.Barrier | None = None) -> None:
        self.access, self.refresh = "A2", "R1"
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.rate_limited_once: set[str] = set()
        # Holds the first sends until that many are in flight at once (senders from several processes overlap).
        self.gate, self.gated, self.lock = gate, 0, threading.Lock()

    def hold(self) -> None:
        """Wait at the gate if this is one of its first sends."""
        if self.gate is None:
            return
        with self.lock:
            self.gated += 1
            waits = self.gated <= self.gate.parties
        if waits:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.gate.wait(20)


def _handler(zalo: FakeZalo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if self.path == "/v4/oa/access_token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                zalo.requests.append((self.path, headers, form))
                if headers.get("secret_key") != "bi-mat" or form.get("refresh_token") != zalo.refresh:
                    return self._answer({"error": -14014, "error_name": "Invalid refresh token"})
                zalo.access, zalo.refresh = "A3", "R2"
                return self._answer({"access_token": "A3", "refresh_token": "R2", "expires_in": "90000"})
            body = json.loads(raw)
            zalo.requests.append((self.path, headers, body))
            if headers.get("access_token") != zalo.access:
                return self._answer({"error": -124, "message": "Access token is invalid"})
            template = body.get("template_id")
            if template == "gioi-han" and template not in zalo.rate_limited_once:
                zalo.rate_limited_once.add(template)
                return self._answer({"error": -32, "message": "Request exceeded the rate limit"})
            if template == "chua-duyet":
                return self._answer({"error": -109, "message": "Template ID invalid"})
            if template == "ban-dem":  # Zalo's answer to a night-restricted template sent between 22h and 6h
                return self._answer({"error": -133, "message": "Sending ZNS at night is not allowed"})
            if template == "het-ngay":  # the OA has used up the ZNS messages Zalo allows it today
                return self._answer({"error": -144, "message": "OA has exceeded the daily ZNS limit"})
            zalo.hold()
            return self._answer({"error": 0, "message": "Success", "data": {"msg_id": f"msg-{len(zalo.requests)}"}})

    return Handler


@pytest.fixture
def zalo() -> Iterator[tuple[FakeZalo, str]]:
    state = FakeZalo()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _channel(base: str, saved: list[tuple[str, str]], access: str = "A2") -> ZaloChannel:
    tokens = ZaloTokens(access, "R1", save=lambda t: saved.append((t.access_token, t.refresh_token)))
    return ZaloChannel("123", "bi-mat", tokens, oauth_url=f"{base}/v4/oa/access_token",
                       zns_url=f"{base}/message/template", oa_url=f"{base}/v3.0/oa/message/cs")


def _envelope(template: str, key: str = "47-KH/TU:nhac-han:QT-CAMLO") -> ZaloEnvelope:
    return ZaloEnvelope(to=["hu.camlo@quangtri.dcs.vn"], subject="Nhắc hạn báo cáo", text="Hạn 17h00 ngày 29/6/2017.",
                        idempotency_key=key, phone="0912 345 678", template_id=template,
                        template_data={"don_vi": "Huyện ủy Cam Lộ", "han": "17h00 ngày 29/6/2017"})


def test_a_template_message_is_sent_to_the_phone_in_international_form(zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    sent = _channel(base, []).send(_envelope("nhac-han"))
    assert sent.location == "zalo:msg-1"
    path, headers, body = state.requests[0]
    assert path == "/message/template" and headers["access_token"] == "A2"
    assert body["phone"] == "84912345678" and body["template_data"]["han"] == "17h00 ngày 29/6/2017"
    assert body["tracking_id"] == "47-KH/TU:nhac-han:QT-CAMLO"


def test_an_expired_token_is_refreshed_once_and_the_message_sent(zalo: tuple[FakeZalo, str]) -> None:
    state, base = zalo
    saved: list[tuple[str, str]] = []
    channel = _channel(base, saved, access="A1-het-han")
    assert channel.send(_envelope("nhac-han")).location.startswith("zalo:")
    assert [p for p, _, _ in state.requests] == ["/message/template", "/v4/oa/access_token", "/message/template"]
    assert saved == [("A3", "R2")]  # the new pair is kept: the old refresh token is spent
    assert channel.send(_envelope("nhac-han", key="k2")).location.startswith("zalo:")
    assert len(state.requests) == 4  # no second refresh


def test_a_rate_limit_is_transient_and_the_retry_gets_through(zalo: tuple[FakeZalo, str]) -> None:
    _, base = zalo
    channel = _channel(base, [])
    with pytest.raises(ChannelError) as caught:
        channel.send(_envelope("gioi-han"))
    assert caught.value.transient and "gửi lại sau" in str(caught.value)
    assert channel.send(_envelope("gioi-han")).location.startswith("zalo:")


def _route(base: str, template: str) -> ZaloRoute:
    return ZaloRoute(_channel(base, []), {"nhac_han": template})


def test_a_refused_template_falls_back_to_email_with_the_reason(zalo: tuple[FakeZalo, str]) -> None:
    _, base = zalo
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        smtp = SmtpChannel("127.0.0.1", port, sender="Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>")
        delivery = deliver(_envelope("x"), smtp, "email", zalo=_route(base, "chua-duyet"), quota=ZaloQuota(None),
                           unit_name="Huyện ủy Cam Lộ", phone="0912 345 678", template="nhac_han")
    finally:
        controller.stop()
    assert len(sink.messages) == 1
    recipients, message = sink.messages[0]
    assert recipients == ["hu.camlo@quangtri.dcs.vn"] and message["Subject"] == "Nhắc hạn báo cáo"
    assert delivery.channel == "email" and delivery.fallback is not None
    assert "chua-duyet" in delivery.fallback and "-109" in delivery.fallback


def test_a_rate_limit_does_not_fall_back(zalo: tuple[FakeZalo, str]) -> None:
    _, base = zalo
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    quota = ZaloQuota(5)
    try:
        smtp = SmtpChannel("127.0.0.1", port, sender="vp@quangtri.dcs.vn")
        with pytest.raises(ChannelError) as caught:
            deliver(_envelope("x"), smtp, "email", zalo=_route(base, "gioi-han"), quota=quota,
                    unit_name="Huyện ủy Cam Lộ", phone="0912 345 678", template="nhac_han")
    finally:
        controller.stop()
    assert caught.value.transient and sink.messages == []
    assert quota.used == 0  # a message Zalo did not take does not count against the day's quota


def test_the_dispatcher_sends_by_zalo_to_units_with_a_mobile_and_by_email_to_the_others(
        zalo: tuple[FakeZalo, str], tmp_path: Path) -> None:
    state, base = zalo
    units = small_quang_tri_2017()
    chi_bo = [u for u in units if u.kind is Kind.CHI_BO][:2]
    with_phone = {u.code: replace(u, contacts=replace(u.contacts, phone=f"090{i}123456"))
                  for i, u in enumerate(chi_bo)}
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    expected = reminders(url, tmp_path, [with_phone.get(u.code, u) for u in units])
    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        templates = set(uow.session.scalars(select(OutboxRow.template)))
    route = ZaloRoute(_channel(base, []), {name: "nhac-han" for name in templates})
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        result = dispatch(engine, REMIND_AT, channel=SmtpChannel("127.0.0.1", port, sender="vp@quangtri.dcs.vn"),
                          calendar=CAL, zalo=route)
    finally:
        controller.stop()
    assert result.sent == expected == 19
    phones = sorted(body["phone"] for path, _, body in state.requests if path == "/message/template")
    assert phones == ["84900123456", "84901123456"]
    assert len(sink.messages) == 17  # everyone else by e-mail, nobody twice
    with UnitOfWork(engine) as uow:
        assert set(uow.session.scalars(select(OutboxRow.status))) == {"sent"}


def _dispatch_with_phones(state_base: tuple[FakeZalo, str], tmp_path: Path, phones: int, template: str,
                          quota: int | None) -> tuple[str, Sink, int]:
    """Remind the small Quảng Trị hierarchy with `phones` chi bộ on Zalo; the database URL, the mail sink, rows."""
    _, base = state_base
    units = small_quang_tri_2017()
    chi_bo = [u for u in units if u.kind is Kind.CHI_BO][:phones]
    with_phone = {u.code: replace(u, contacts=replace(u.contacts, phone=f"090{i}123456")) for i, u in enumerate(chi_bo)}
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    expected = reminders(url, tmp_path, [with_phone.get(u.code, u) for u in units])
    engine = make_engine(url)
    with UnitOfWork(engine) as uow:
        templates = set(uow.session.scalars(select(OutboxRow.template)))
    route = ZaloRoute(_channel(base, []), {name: template for name in templates}, daily_quota=quota)
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        result = dispatch(engine, REMIND_AT, channel=SmtpChannel("127.0.0.1", port, sender="vp@quangtri.dcs.vn"),
                          calendar=CAL, zalo=route)
    finally:
        controller.stop()
    assert result.sent == expected and result.failed == result.retried == 0
    return url, sink, expected


def _carried(url: str) -> dict[str, list[dict[str, Any]]]:
    with UnitOfWork(make_engine(url)) as uow:
        rows = list(uow.session.scalars(select(OutboxRow)))
    assert {r.status for r in rows} == {"sent"}
    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(r.recipients["channel"], []).append({"id": r.id, "key": r.key, "message_id": r.message_id,
                                                           **r.recipients})
    return by


def _show(url: str, row_id: int) -> str:
    env = {**os.environ, "TRIENKHAI_DATABASE_URL": url, "COLUMNS": "250"}
    done = subprocess.run([sys.executable, "-m", "cli.main", "notify", "show", str(row_id)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_once_the_daily_zalo_quota_is_reached_the_days_messages_go_by_email(
        zalo: tuple[FakeZalo, str], tmp_path: Path) -> None:
    state, _ = zalo
    url, sink, rows = _dispatch_with_phones(zalo, tmp_path, phones=3, template="nhac-han", quota=2)
    zns = [body for path, _, body in state.requests if path == "/message/template"]
    assert len(zns) == 2  # the third unit on Zalo was not tried: the quota was used up
    carried = _carried(url)
    assert len(carried["zalo"]) == 2 and len(carried["email"]) == rows - 2 == len(sink.messages)
    # Every message went out once, by the one channel its row names.
    mailed = [m["Message-ID"] for _, m in sink.messages]
    assert sorted(mailed) == sorted(m["message_id"] for m in carried["email"])
    assert sorted(b["tracking_id"] for b in zns) == sorted(m["key"][:48] for m in carried["zalo"])
    over = [m for m in carried["email"] if m.get("fallback")]
    assert len(over) == 1 and over[0]["fallback"] == "đã hết hạn mức 2 tin Zalo trong ngày"
    assert "Kênh gửi: thư điện tử (thay cho Zalo: đã hết hạn mức 2 tin Zalo trong ngày)" in _show(url, over[0]["id"])
    assert "Kênh gửi: Zalo (tin ZNS) tới số 0900123456" in _show(url, carried["zalo"][0]["id"])
    # The day's count is what the next pass starts from; the next day starts afresh.
    assert zalo_sent_on_day(make_engine(url), REMIND_AT) == 2
    assert zalo_sent_on_day(make_engine(url), REMIND_AT + timedelta(days=1)) == 0


def test_a_rejected_zalo_template_falls_back_to_email_at_once(zalo: tuple[FakeZalo, str], tmp_path: Path) -> None:
    state, _ = zalo
    url, sink, rows = _dispatch_with_phones(zalo, tmp_path, phones=2, template="chua-duyet", quota=None)
    assert len([p for p, _, _ in state.requests if p == "/message/template"]) == 2  # each tried once, not retried
    carried = _carried(url)
    assert "zalo" not in carried and len(carried["email"]) == rows == len(sink.messages)
    assert sorted(m["Message-ID"] for _, m in sink.messages) == sorted(m["message_id"] for m in carried["email"])
    refused = [m for m in carried["email"] if m.get("fallback")]
    assert len(refused) == 2 and all("-109" in m["fallback"] for m in refused)
    shown = _show(url, refused[0]["id"])
    assert "Kênh gửi: thư điện tử (thay cho Zalo: Zalo không nhận mẫu tin chua-duyet (mã -109" in shown
