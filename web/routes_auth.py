"""Signing in and out; the home page sends to the directives list."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import delete

from errors import ConflictError, InputError
from storage import UnitOfWork
from storage.audit import append_audit
from storage.models import AuditEntry, SessionRow
from web.accounts import Principal, authenticate, token_digest
from web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, check_csrf, new_session, now, page_principal, uow

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, error: str | None = None, username: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = request.app.state.templates.TemplateResponse(
        request, "login.html", {"error": error, "username": username, "csrf": token, "principal": None},
        status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/")
def home(principal: Principal = Depends(page_principal)) -> RedirectResponse:
    """The home page is the list of directives."""
    return RedirectResponse("/directives", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    """The login form, with a double-submit CSRF token."""
    return _login_page(request)


@router.post("/login", response_model=None)
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form(""),
          work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Check the password (rate-limited), open a session and go to the directives."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf):
        return _login_page(request, "Phiên đăng nhập đã hết hạn, hãy nhập lại.", username, status=400)
    address = request.client.host if request.client else "?"
    at = now(request)
    try:
        principal = authenticate(work.session, username.strip(), password, address, now=at)
    except InputError as exc:
        work.commit()  # the failed attempt is what the rate limit counts
        return _login_page(request, exc.problems[0].message.capitalize() + ".", username, status=401)
    except ConflictError as exc:
        return _login_page(request, str(exc), username, status=429)
    token = new_session(work, principal, at)
    work.commit()
    response = RedirectResponse("/directives", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        max_age=8 * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form(""), principal: Principal = Depends(page_principal),
           work: UnitOfWork = Depends(uow)) -> RedirectResponse:
    """End the session on the server, not only in the browser."""
    check_csrf(request, csrf)
    session_id = token_digest(request.cookies.get(SESSION_COOKIE, ""))
    work.session.execute(delete(SessionRow).where(SessionRow.id == session_id))
    append_audit(work.session, AuditEntry(at=now(request), actor=principal.actor, action="account.logout",
                                          subject=f"account/{principal.username}", reason=None, details={}))
    work.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
