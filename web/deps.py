"""Request plumbing: a unit of work per request, the signed-in account (cookie or bearer token), CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from bootstrap import Services
from storage import UnitOfWork
from storage.models import SessionRow
from web.accounts import Principal, Role, principal_for_token, principal_of, token_digest
from web.queries import OutOfScope

SESSION_COOKIE = "tk_session"
LOGIN_CSRF_COOKIE = "tk_login_csrf"
SESSION_LIFETIME = timedelta(hours=8)


class LoginRequired(Exception):
    """A page was asked for without a valid session: go to the login page."""


class NotAuthenticated(Exception):
    """An API call came without a valid bearer token: 401."""


def services(request: Request) -> Services:
    """The app's services (`bootstrap`): settings, database, working calendar, channels, clock."""
    wired: Services = request.app.state.services
    return wired


def uow(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request; nothing is written unless the route commits."""
    with UnitOfWork(services(request).engine) as work:
        yield work


def now(request: Request) -> datetime:
    """The app's clock (tests pin it to a day of the scenario)."""
    return services(request).now()


def _session_row(request: Request, work: UnitOfWork) -> SessionRow | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = work.session.scalar(select(SessionRow).where(SessionRow.id == token_digest(token)))
    if row is None or row.expires_at <= now(request):
        return None
    return row


def page_principal(request: Request, work: UnitOfWork = Depends(uow)) -> Principal:
    """The account of a page request; a missing or expired session leads to the login page."""
    row = _session_row(request, work)
    principal = principal_of(work.session, row.account_id) if row else None
    if principal is None or row is None:
        raise LoginRequired()
    request.state.csrf = row.csrf
    request.state.principal = principal
    return principal


def api_principal(request: Request, work: UnitOfWork = Depends(uow)) -> Principal:
    """The account of an API call, from `Authorization: Bearer <token>`; anything else is 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = principal_for_token(work.session, token.strip()) if scheme.lower() == "bearer" and token else None
    if principal is None:
        raise NotAuthenticated()
    return principal


async def api_caller(request: Request) -> Principal:
    """`api_principal` in a unit of work of its own, for routes that do the rest of their work in one trip to the
    thread pool; as a dependency it is known before the body is read, so a call without valid credentials gets 401
    whatever it sends."""
    def look_up() -> Principal:
        with UnitOfWork(services(request).engine) as work:
            return api_principal(request, work)
    return await run_in_threadpool(look_up)


def check_csrf(request: Request, submitted: str | None) -> None:
    """A form must echo its session's CSRF token; a missing or different one is refused."""
    expected = getattr(request.state, "csrf", None)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise OutOfScope("csrf")


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse an action the account's role does not allow."""
    if principal.role not in roles:
        raise OutOfScope(principal.role.value)


def new_session(work: UnitOfWork, principal: Principal, at: datetime) -> str:
    """Open a session for the account; returns the cookie value (only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    work.session.add(SessionRow(id=token_digest(token), account_id=principal.account_id, csrf=secrets.token_urlsafe(24),
                                created_at=at, expires_at=at + SESSION_LIFETIME))
    return token
