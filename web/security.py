"""Security headers on every response of the dashboard: what a browser may load, frame, send on and keep."""

from __future__ import annotations

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


class SecurityHeaders:
    """ASGI middleware adding `headers_for` to each HTTP response, keeping any header the route already set."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope["path"], scope.get("scheme", "http"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                present = {name.decode("latin-1").lower() for name, _ in raw}
                raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()
                        if k.lower() not in present]
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
