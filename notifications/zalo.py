"""Zalo as a channel: ZNS template messages to a phone number and Zalo OA text messages, on Zalo's HTTP API.

The access token lives about 25 hours; an answer saying it is invalid or expired makes the channel trade its
refresh token for a new pair once and send again. A rate limit or a server error is transient (the dispatcher
retries later); a refused template, phone or account is permanent, and the dispatcher then sends the same
message by e-mail (`notifications.routing`), so a unit is never left unwarned because Zalo said no.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from hierarchy.phone import zalo_phone
from notifications.channels import ChannelError, Envelope, Sent, message_id_for
from settings import Settings

__all__ = ["ZaloChannel", "ZaloDayLimit", "ZaloEnvelope", "ZaloNight", "ZaloRoute", "ZaloTokens",
           "zalo_from_settings"]

OAUTH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"
ZNS_URL = "https://business.openapi.zalo.me/message/template"
OA_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"

# Error codes of the API's JSON answers ("error" field), by what the sender should do about them.
TOKEN_ERRORS = frozenset({-124, -201, -216})  # access token invalid or expired: refresh, then send again
RATE_LIMITED = frozenset({-32, -100})  # too many requests, unknown error: later
# "Mẫu ZNS này không được phép gửi vào ban đêm (từ 22h-6h)": the template may go out from 6h00, not before.
NIGHT = frozenset({-133})
# "OA đã vượt giới hạn gửi ZNS trong ngày": Zalo's own daily limit of the OA is used up; tomorrow it may go.
DAY_LIMIT = frozenset({-144, -147})
TEMPLATE_REFUSED = frozenset({-109, -111, -112, -115, -117, -118, -119, -123, -131})
PHONE_REFUSED = frozenset({-108})


class ZaloNight(ChannelError):
    """Zalo does not send this template at night (22h00–6h00): the message waits for the morning, by Zalo."""


class ZaloDayLimit(ChannelError):
    """The OA has used up the ZNS messages Zalo allows it today: the day's messages go by the next rung."""


@dataclass(frozen=True)
class ZaloEnvelope(Envelope):
    """A message that may go by Zalo: the recipient's phone, the approved ZNS template and its values, or an OA
    follower id for a plain text message."""

    phone: str | None = None
    template_id: str | None = None
    template_data: Mapping[str, str] = field(default_factory=dict)
    zalo_user_id: str | None = None


@dataclass
class ZaloTokens:
    """The OA's current token pair; `save` keeps a refreshed pair (the refresh token changes on each use)."""

    access_token: str
    refresh_token: str
    save: Callable[[ZaloTokens], None] = lambda tokens: None


class ZaloChannel:
    """Sends a ZaloEnvelope as a ZNS template message (with a phone and template) or an OA message (user id)."""

    def __init__(self, app_id: str, secret_key: str, tokens: ZaloTokens, *, client: httpx.Client | None = None,
                 oauth_url: str = OAUTH_URL, zns_url: str = ZNS_URL, oa_url: str = OA_URL) -> None:
        self.app_id, self.secret_key, self.tokens = app_id, secret_key, tokens
        self.client = client or httpx.Client(timeout=20)
        self.oauth_url, self.zns_url, self.oa_url = oauth_url, zns_url, oa_url

    def send(self, envelope: Envelope) -> Sent:
        """Deliver by Zalo or raise ChannelError (transient for rate limits and outages, permanent for refusals)."""
        if not isinstance(envelope, ZaloEnvelope):
            raise ChannelError("Thông báo không có thông tin gửi qua Zalo (số điện thoại hoặc người theo dõi OA)",
                               transient=False)
        url, body = self._request(envelope)
        answer = self._post(url, body)
        if answer.get("error") in TOKEN_ERRORS:
            self._refresh()
            answer = self._post(url, body)
        return self._result(envelope, answer)

    def _request(self, envelope: ZaloEnvelope) -> tuple[str, dict[str, Any]]:
        if envelope.template_id and envelope.phone:
            phone = zalo_phone(envelope.phone)
            if phone is None:
                raise ChannelError(f"Số {envelope.phone} không phải số di động Việt Nam, không gửi được tin Zalo",
                                   transient=False)
            # tracking_id lets Zalo and our records name the same send: the outbox's idempotency key.
            return self.zns_url, {"phone": phone, "template_id": envelope.template_id,
                                  "template_data": dict(envelope.template_data),
                                  "tracking_id": envelope.idempotency_key[:48]}
        if envelope.zalo_user_id:
            return self.oa_url, {"recipient": {"user_id": envelope.zalo_user_id},
                                 "message": {"text": f"{envelope.subject}\n\n{envelope.text}"[:2000]}}
        raise ChannelError("Thiếu số điện thoại và mẫu tin ZNS, hoặc mã người theo dõi OA, để gửi qua Zalo",
                           transient=False)

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.post(url, json=body, headers={"access_token": self.tokens.access_token})
        except httpx.HTTPError as exc:
            raise ChannelError(f"Không kết nối được tới Zalo ({type(exc).__name__})", transient=True) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise ChannelError(f"Zalo tạm thời không nhận tin (mã HTTP {response.status_code}); sẽ gửi lại sau",
                               transient=True)
        try:
            answer = response.json()
        except ValueError as exc:
            raise ChannelError("Zalo trả lời không đúng định dạng; sẽ gửi lại sau", transient=True) from exc
        return answer if isinstance(answer, dict) else {"error": -100}

    def _refresh(self) -> None:
        try:
            response = self.client.post(self.oauth_url, headers={"secret_key": self.secret_key}, data={
                "refresh_token": self.tokens.refresh_token, "app_id": self.app_id, "grant_type": "refresh_token"})
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ChannelError("Không làm mới được mã truy cập Zalo; sẽ thử lại sau", transient=True) from exc
        if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
            raise ChannelError("Zalo từ chối làm mới mã truy cập: cần cấp lại quyền cho ứng dụng trên trang Zalo "
                               "for Developers", transient=False)
        self.tokens.access_token = str(answer["access_token"])
        self.tokens.refresh_token = str(answer["refresh_token"])
        self.tokens.save(self.tokens)

    def _result(self, envelope: ZaloEnvelope, answer: dict[str, Any]) -> Sent:
        code = answer.get("error", -100)
        if code == 0:
            data = answer.get("data") or {}
            return Sent(message_id_for(envelope.idempotency_key, "zalo"), f"zalo:{data.get('msg_id', '')}")
        message = str(answer.get("message", ""))[:200]
        if code in TOKEN_ERRORS:
            raise ChannelError("Mã truy cập Zalo vẫn không hợp lệ sau khi làm mới; sẽ thử lại sau", transient=True)
        if code in RATE_LIMITED:
            raise ChannelError(f"Zalo tạm từ chối vì gửi quá nhiều (mã {code}); sẽ gửi lại sau", transient=True)
        if code in NIGHT:
            raise ZaloNight(f"Zalo không gửi mẫu tin {envelope.template_id} vào ban đêm, từ 22h00 đến 6h00 "
                            f"(mã {code}); sẽ gửi lại qua Zalo trong giờ làm việc sau 6h00", transient=True)
        if code in DAY_LIMIT:
            raise ZaloDayLimit(f"Official Account đã gửi hết số tin ZNS Zalo cho phép trong ngày (mã {code})",
                               transient=False)
        if code in TEMPLATE_REFUSED:
            raise ChannelError(f"Zalo không nhận mẫu tin {envelope.template_id} (mã {code}: {message}); mẫu cần được "
                               "duyệt lại", transient=False)
        if code in PHONE_REFUSED:
            raise ChannelError(f"Zalo không nhận số điện thoại {envelope.phone} (mã {code})", transient=False)
        raise ChannelError(f"Zalo từ chối tin (mã {code}: {message})", transient=False)


@dataclass
class ZaloRoute:
    """When the dispatcher goes by Zalo first: a unit with a mobile number, for a message whose template has an
    approved ZNS template (`templates`: outbox template name to ZNS template id; templates are data because
    Zalo approves each one), while the day's quota lasts."""

    channel: ZaloChannel
    templates: Mapping[str, str]
    # Zalo messages a day at most (ZNS gives an OA a daily quota); beyond it the day's messages go by e-mail.
    daily_quota: int | None = None

    def envelope(self, envelope: Envelope, unit_name: str, phone: str | None, template: str) -> ZaloEnvelope | None:
        """The Zalo form of `envelope`, or None when this message or unit does not go by Zalo."""
        template_id = self.templates.get(template)
        if template_id is None or not phone or zalo_phone(phone) is None:
            return None
        return ZaloEnvelope(to=envelope.to, subject=envelope.subject, text=envelope.text,
                            idempotency_key=envelope.idempotency_key, html=envelope.html, cc=envelope.cc,
                            attachments=envelope.attachments, message_id=envelope.message_id, phone=phone,
                            template_id=template_id,
                            template_data={"don_vi": unit_name[:100], "tieu_de": envelope.subject[:100]})


def zalo_from_settings(settings: Settings) -> ZaloRoute | None:
    """The Zalo route when the OA's app id, secret key and refresh token are configured; the refreshed token pair
    is kept in the data folder, since each refresh token can be used once."""
    if not (settings.zalo_app_id and settings.zalo_secret_key and settings.zalo_refresh_token):
        return None
    store = settings.home / "zalo-tokens.json"
    saved: dict[str, str] = json.loads(store.read_text(encoding="utf-8")) if store.exists() else {}

    def save(tokens: ZaloTokens) -> None:
        store.parent.mkdir(parents=True, exist_ok=True)
        temporary = store.with_suffix(".tmp")
        temporary.write_text(json.dumps({"access_token": tokens.access_token,
                                         "refresh_token": tokens.refresh_token}), encoding="utf-8")
        temporary.replace(store)  # a crash mid-write never leaves a half-written, unusable pair

    tokens = ZaloTokens(saved.get("access_token", settings.zalo_access_token or ""),
                        saved.get("refresh_token", settings.zalo_refresh_token), save=save)
    return ZaloRoute(ZaloChannel(settings.zalo_app_id, settings.zalo_secret_key, tokens), settings.zalo_templates,
                     settings.zalo_daily_quota)
