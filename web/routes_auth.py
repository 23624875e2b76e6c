"""Signing in and out; the home page sends to the directives list."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import delete

from errors import ConflictError, InputError, Problem
from storage import UnitOfWork
from storage.audit import append_audit
from storage.models import AuditEntry, SessionRow
from web.accounts import Principal, authenticate, change_password, token_digest
from web.deps import LOGIN_CSRF_COOKIE, SESSION_COOKIE, check_csrf, new_session, now, page_principal, uow
from web.passwords import RULE
from web.routes_directives import render

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, error: str | None = None, username: str = "", status: int = 200,
                notice: str | None = None) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = request.app.state.templates.TemplateResponse(
        request, "login.html",
        {"error": error, "username": username, "csrf": token, "principal": None, "notice": notice},
        status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.get("/")
def home(principal: Principal = Depends(page_principal)) -> RedirectResponse:
    """The home page is the list of directives."""
    return RedirectResponse("/directives", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, doi_mat_khau: int | None = None) -> HTMLResponse:
    """The login form, with a double-submit CSRF token; after a password was set or changed, says so."""
    if request.query_params.get("da_dat") == "1":
        return _login_page(request, username=request.query_params.get("ten", "")[:200],
                           notice="Đã đặt mật khẩu. Mời đăng nhập bằng tên đăng nhập và mật khẩu vừa đặt.")
    notice = "Đã đổi mật khẩu; hãy đăng nhập lại bằng mật khẩu mới." if doi_mat_khau else None
    return _login_page(request, notice=notice)


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


def _password_page(request: Request, problems: list[Problem] | None = None) -> HTMLResponse:
    errors = {p.field: p.message for p in problems or [] if p.field}
    general = [p.message for p in problems or [] if not p.field]
    status = 429 if general else 400 if errors else 200
    return render(request, "account_password.html", {"errors": errors, "general": general, "rule": RULE},
                  status=status)


@router.get("/account/password", response_class=HTMLResponse)
def password_form(request: Request, principal: Principal = Depends(page_principal)) -> HTMLResponse:
    """The form to change one's own password, with the rule it must meet."""
    return _password_page(request)


@router.post("/account/password", response_model=None)
def password_submit(request: Request, current: str = Form(""), new: str = Form(""), repeat: str = Form(""),
                    csrf: str = Form(""), principal: Principal = Depends(page_principal),
                    work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Change the password; every session of the account ends, so the person signs in again with the new one."""
    check_csrf(request, csrf)
    address = request.client.host if request.client else "?"
    try:
        change_password(work.session, principal.username, current, new, repeat, address, now=now(request))
    except InputError as exc:
        work.commit()  # only the checked attempt, which the lockout counts
        return _password_page(request, exc.problems)
    except ConflictError as exc:
        return _password_page(request, [Problem(str(exc))])
    work.commit()
    response = RedirectResponse("/login?doi_mat_khau=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
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
