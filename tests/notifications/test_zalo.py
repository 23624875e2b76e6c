"""The Zalo channel against a loopback server that answers as Zalo's documented API does, and its e-mail fallback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
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
from notifications.zalo import FallbackChannel, ZaloChannel, ZaloEnvelope, ZaloRoute, ZaloTokens
from storage import UnitOfWork, make_engine
from storage.models import OutboxRow
from tests.notifications.smtp_sink import Sink, free_port, start
from tests.notifications.test_delivery import CAL, REMIND_AT, reminders


class FakeZalo:
    """What the server saw and the state it keeps: the valid token pair and calls per template."""

    def __init__(self) -> None:
        self.access, self.refresh = "A2", "R1"
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.rate_limited_once: set[str] = set()


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


def test_a_refused_template_falls_back_to_email(zalo: tuple[FakeZalo, str]) -> None:
    _, base = zalo
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        ladder = FallbackChannel(_channel(base, []),
                                 SmtpChannel("127.0.0.1", port, sender="Văn phòng Tỉnh ủy <vp@quangtri.dcs.vn>"))
        sent = ladder.send(_envelope("chua-duyet"))
    finally:
        controller.stop()
    assert len(sink.messages) == 1
    recipients, message = sink.messages[0]
    assert recipients == ["hu.camlo@quangtri.dcs.vn"] and message["Subject"] == "Nhắc hạn báo cáo"
    assert sent.refused and "chua-duyet" in sent.refused[0] and "-109" in sent.refused[0]


def test_a_rate_limit_does_not_fall_back(zalo: tuple[FakeZalo, str]) -> None:
    _, base = zalo
    sink, port = Sink(), free_port()
    controller = start(port, sink)
    try:
        ladder = FallbackChannel(_channel(base, []), SmtpChannel("127.0.0.1", port, sender="vp@quangtri.dcs.vn"))
        with pytest.raises(ChannelError) as caught:
            ladder.send(_envelope("gioi-han"))
    finally:
        controller.stop()
    assert caught.value.transient and sink.messages == []


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
