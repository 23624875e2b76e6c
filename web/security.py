"""Security headers on every response of the dashboard: what a browser may load, frame, send on and keep."""

from __future__ import annotations

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rollout.links import PATH_PREFIX as LINK_PREFIX

# Scripts, styles and images only from the dashboard itself: an injected <script> or style= does not run, and no
# other site may frame a form (clickjacking the hold, abort and waive buttons).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HSTS = "max-age=31536000; includeSubDomains"
STATIC_PREFIX = "/static/"


def headers_for(path: str, scheme: str) -> dict[str, str]:
    """The headers a response to `path` carries unless the route set its own: every page gets the CSP, nosniff and
    a referrer policy (none at all from a personal link page, whose address is its key); everything but the static
    assets is not stored by the browser or a proxy; HSTS only over https, where the browser honours it."""
    out = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer" if path.startswith(LINK_PREFIX) else "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not path.startswith(STATIC_PREFIX):
        out["Cache-Control"] = "no-store"
    if scheme == "https":
        out["Strict-Transport-Security"] = HSTS
    return out


# What a person sees when the service fails on an unexpected error (HTTP 500); the details go to the server's log.
SERVER_ERROR = ("Máy chủ gặp lỗi khi xử lý yêu cầu này và đã ghi lại lỗi. Không có thay đổi nào được lưu dở dang; "
                "hãy thử lại sau ít phút, nếu vẫn lỗi thì báo cho người quản trị hệ thống kèm thời điểm gặp lỗi.")


def server_error_response(path: str) -> Response:
    """The answer to a request that failed unexpectedly: JSON under /api/, else a plain Vietnamese page (no
    template: the failure may be in the templates)."""
    if path.startswith("/api/"):
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)
    page = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi máy chủ</title></head>'
            f"<body><h1>Lỗi máy chủ</h1><p>{SERVER_ERROR}</p><p><a href=\"/\">Về trang đầu</a></p></body></html>")
    return HTMLResponse(page, status_code=500)


class SecurityHeaders:
    """ASGI middleware adding `headers_for` to each HTTP response, keeping any header the route already set.

    An exception that no handler turned into a response would otherwise reach Starlette's outermost handler, which
    answers 500 outside this middleware, without the headers: this middleware answers it first (with the headers)
    and lets the exception go on to be logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"], scope.get("scheme", "http"))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = list(message.get("headers", []))
                present = {name.decode("latin-1").lower() for name, _ in raw}
                raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()
                        if k.lower() not in present]
                message = {**message, "headers": raw}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                await server_error_response(scope["path"])(scope, receive, send_with_headers)
            raise
