"""Calendar feeds (.ics) opened by a signed link, without a login, for the calendars offices subscribe to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from errors import NotFound
from rollout.calendar_feed import calendar_secret, directive_feed, read_feed_token, unit_feed
from storage import UnitOfWork
from web.deps import now, services, uow

router = APIRouter(include_in_schema=False)


def _secret(request: Request) -> str:
    state = request.app.state
    if not hasattr(state, "calendar_secret"):
        settings = services(request).settings
        state.calendar_secret = calendar_secret(settings.calendar_secret, settings.home)
    return str(state.calendar_secret)


@router.get("/lich/{token}.ics")
def feed(token: str, request: Request, work: UnitOfWork = Depends(uow)) -> Response:
    """The feed a signed link names; an altered or foreign link is 404, saying what to do."""
    ref = read_feed_token(token, _secret(request))
    if ref is None:
        return PlainTextResponse("Đường dẫn lịch không hợp lệ hoặc đã bị sửa; hãy xin văn phòng cấp lại đường dẫn.",
                                 status_code=404)
    try:
        body = (unit_feed(work.session, ref.key, now=now(request)) if ref.kind == "unit"
                else directive_feed(work.session, ref.key, now=now(request)))
    except NotFound as exc:
        return PlainTextResponse(str(exc), status_code=404)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="lich.ics"', "Cache-Control": "no-cache"})
