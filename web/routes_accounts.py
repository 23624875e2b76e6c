"""Pages of accounts: setting a password through an invitation's link, and the admin page of an office."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from errors import InputError
from rollout.links import LinkRefused
from rollout.password_links import PATH_PREFIX, password_url, resolve_password_link
from storage import UnitOfWork
from storage.models import AccountRow
from web import account_admin as admin
from web.accounts import Principal, Role
from web.deps import check_csrf, now, page_principal, require_role, services, uow
from web.invitations import set_password
from web.passwords import MIN_LENGTH
from web.routes_directives import render
from web.routes_link import bare_page, client_address, refusal, too_many_wrong, wrong_links
from web.routes_search import MAX_QUERY, search_index

router = APIRouter(include_in_schema=False)
NOTICES = {"khoa": "Đã khóa tài khoản “{}”: phiên đăng nhập và mã API của tài khoản ngừng hiệu lực.",
           "mo-khoa": "Đã mở khóa tài khoản “{}”.",
           "cap-lai": "Đã cấp lại tài khoản “{}”: mật khẩu cũ hết hiệu lực, thư mời mới đã xếp vào hộp thư đi.",
           "pham-vi": "Đã đổi phạm vi của tài khoản “{}”."}


def _password_form(request: Request, token: str, account: AccountRow, errors: dict[str, str],
                   status: int = 200) -> HTMLResponse:
    return bare_page(request, "set_password.html", {"token": token, "account": account, "errors": errors,
                                                    "min_length": MIN_LENGTH}, status)


@router.get(PATH_PREFIX + "{token}", response_class=HTMLResponse)
def password_page(request: Request, token: str, work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """The form to set an invited (or reset) account's password, or the page saying why the link does not open."""
    if wrong_links(request).blocked(client_address(request)):
        return too_many_wrong(request)
    try:
        _, account = resolve_password_link(work.session, token, now(request))
    except LinkRefused as exc:
        return refusal(request, exc)
    return _password_form(request, token, account, {})


@router.post(PATH_PREFIX + "{token}", response_model=None)
def password_submit(request: Request, token: str, password: str = Form(""), again: str = Form(""),
                    work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """Set the password once; then the login page, with the account's name filled in."""
    if wrong_links(request).blocked(client_address(request)):
        return too_many_wrong(request)
    try:
        account = set_password(work.session, token, password, again, now=now(request),
                               address=client_address(request))
    except LinkRefused as exc:
        return refusal(request, exc)
    except InputError as exc:
        work.session.rollback()
        _, account = resolve_password_link(work.session, token, now(request))
        return _password_form(request, token, account, {p.field or "": p.message for p in exc.problems}, 400)
    work.commit()
    return RedirectResponse("/login?" + urlencode({"da_dat": "1", "ten": account.username}), status_code=303)


def _admin_page(request: Request, work: UnitOfWork, principal: Principal, notice: str | None = None,
                handed: tuple[str, str] | None = None) -> HTMLResponse:
    params = request.query_params
    text = (params.get("q") or "").strip()[:MAX_QUERY]
    state = params.get("trang_thai", "")
    page_no = int(params["trang"]) if params.get("trang", "").isdigit() else 1
    page = admin.account_page(work.session, search_index(request), principal, text=text, state=state, page=page_no,
                              now=now(request))
    return render(request, "accounts.html", {"page": page, "text": text, "state": state, "states": admin.STATES,
                                             "notice": notice, "handed": handed, "roles": list(Role),
                                             "query": lambda **kw: urlencode({"q": text, "trang_thai": state, **kw})})


@router.get("/tai-khoan", response_class=HTMLResponse)
def accounts_page(request: Request, principal: Principal = Depends(page_principal),
                  work: UnitOfWork = Depends(uow)) -> HTMLResponse:
    """The accounts of the admin's subtree: searched without diacritics, filtered by state, 50 a page."""
    require_role(principal, Role.ADMIN)
    done, who = request.query_params.get("da"), request.query_params.get("tk", "")
    notice = NOTICES[done].format(who) if done in NOTICES else None
    return _admin_page(request, work, principal, notice)


def _back(request: Request, done: str, account: AccountRow) -> RedirectResponse:
    back = request.headers.get("referer", "")
    query = back.partition("?")[2] if "/tai-khoan" in back else ""
    kept = "&".join(p for p in query.split("&") if p and not p.startswith(("da=", "tk=")))
    return RedirectResponse(f"/tai-khoan?{kept + '&' if kept else ''}da={done}&tk={quote(account.username)}",
                            status_code=303)


@router.post("/tai-khoan/{account_id}/khoa", response_model=None)
def lock(request: Request, account_id: int, csrf: str = Form(""), principal: Principal = Depends(page_principal),
         work: UnitOfWork = Depends(uow)) -> RedirectResponse:
    """Lock an account of the subtree."""
    check_csrf(request, csrf)
    account = admin.set_active(work.session, principal, account_id, False, now=now(request))
    work.commit()
    return _back(request, "khoa", account)


@router.post("/tai-khoan/{account_id}/mo-khoa", response_model=None)
def unlock(request: Request, account_id: int, csrf: str = Form(""), principal: Principal = Depends(page_principal),
           work: UnitOfWork = Depends(uow)) -> RedirectResponse:
    """Unlock an account of the subtree."""
    check_csrf(request, csrf)
    account = admin.set_active(work.session, principal, account_id, True, now=now(request))
    work.commit()
    return _back(request, "mo-khoa", account)


@router.post("/tai-khoan/{account_id}/cap-lai", response_model=None)
def reset(request: Request, account_id: int, csrf: str = Form(""), principal: Principal = Depends(page_principal),
          work: UnitOfWork = Depends(uow)) -> HTMLResponse | RedirectResponse:
    """A new invitation; for a unit without e-mail, the new link is shown here once, to hand over."""
    check_csrf(request, csrf)
    wired = services(request)
    settings = wired.settings
    token = admin.reset(work.session, principal, account_id, now=now(request),
                        calendar=wired.calendar, days=settings.password_link_days)
    account = work.session.get_one(AccountRow, account_id)
    work.commit()
    if token is None:
        return _back(request, "cap-lai", account)
    link = password_url(settings.public_url or str(request.base_url), token)
    return _admin_page(request, work, principal, handed=(account.username, link))


@router.post("/tai-khoan/{account_id}/pham-vi", response_model=None)
def rescope(request: Request, account_id: int, csrf: str = Form(""), unit: str = Form(""), role: str = Form(""),
            principal: Principal = Depends(page_principal), work: UnitOfWork = Depends(uow)) -> RedirectResponse:
    """Bind an account to another unit of the subtree, with a role."""
    check_csrf(request, csrf)
    account = admin.change_scope(work.session, principal, account_id, unit, role, now=now(request))
    work.commit()
    return _back(request, "pham-vi", account)
