"""The account admin page: an office sees and manages the accounts of its own subtree only; each change audited."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select, update

from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import AccountRow, AuditEntry, OutboxRow, UnitRow
from tests.web.conftest import PASSWORD, Site, csrf_of, local, login
from web.accounts import create_account
from web.invitations import invite_subtree

AT = local(2017, 6, 20, 9)
CAMLO_CELL = "qt.camlo.camthanh.cb01@quangtri.dcs.vn"
GIOLINH_CELL = "qt.giolinh.gioan.cb01@quangtri.dcs.vn"


@pytest.fixture
def invited(site: Site) -> Iterator[Site]:
    """Every chi bộ and chi bộ cơ sở of the province invited, and 25 more accounts at the province for paging."""
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        result = invite_subtree(uow.session, "TU-QT", kinds=["chi_bo", "chi_bo_co_so"], role="reporter", now=AT,
                                actor="test", calendar=WorkingCalendar())
        for i in range(25):
            create_account(uow.session, f"can-bo-{i:02d}", PASSWORD, "viewer", "TU-QT", now=AT, actor="test")
        uow.commit()
    assert result.invited == 26
    yield site


def _names(html: str) -> list[str]:
    return re.findall(r'data-username="([^"]+)"', html)


def _account(site: Site, username: str) -> AccountRow:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        row = uow.session.scalar(select(AccountRow).where(AccountRow.username == username))
        assert row is not None
        return row


def _audit(site: Site, action: str, username: str) -> list[AuditEntry]:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        return list(uow.session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                                 AuditEntry.subject == f"account/{username}")))


def test_a_district_office_lists_and_searches_only_its_own_accounts(invited: Site) -> None:
    with login(invited, "camlo") as client:
        page = client.get("/tai-khoan")
        assert page.status_code == 200 and "Tài khoản trong Huyện ủy Cam Lộ" in page.text
        names = _names(page.text)
        assert "camlo" in names and CAMLO_CELL in names and len(names) == 1 + 8  # itself, 5 chi bộ, 3 chi bộ cơ sở
        assert not any("giolinh" in n or "dongha" in n or n == "vp" for n in names)
        # Without diacritics, by the unit's name; and by a part of the login.
        found = client.get("/tai-khoan", params={"q": "truong trung hoc"})
        assert _names(found.text) == ["qt.camlo.gd@quangtri.dcs.vn"]
        assert "1 tài khoản khớp với “truong trung hoc”" in found.text
        assert _names(client.get("/tai-khoan", params={"q": "Gio An"}).text) == []  # another district's units
        waiting = client.get("/tai-khoan", params={"trang_thai": "cho"})
        assert len(_names(waiting.text)) == 8 and "Chờ đặt mật khẩu" in waiting.text
    with login(invited, "vp") as client:
        first = client.get("/tai-khoan")
        assert "55 tài khoản · trang 1/2" in first.text  # 26 invited, 25 more, vp, xem, giolinh, camlo
        second = client.get("/tai-khoan", params={"trang": "2"})
        assert len(_names(first.text)) == 50 and len(_names(second.text)) == 5
        assert not set(_names(first.text)) & set(_names(second.text))
    with login(invited, "giolinh") as client:  # a reporter has no admin page
        assert client.get("/tai-khoan").status_code == 403


def test_changes_outside_the_subtree_are_refused_and_inside_are_audited(invited: Site) -> None:
    other = _account(invited, GIOLINH_CELL)
    mine = _account(invited, CAMLO_CELL)
    with login(invited, "camlo") as client:
        csrf = csrf_of(client)
        # Another district's account, or a unit of another district as the new scope: 403, nothing changed.
        for action in ("khoa", "cap-lai", "pham-vi"):
            refused = client.post(f"/tai-khoan/{other.id}/{action}", data={"csrf": csrf, "unit": "QT-CAMLO",
                                                                         "role": "viewer"})
            assert refused.status_code == 403 and "không có quyền" in refused.text
        moved_out = client.post(f"/tai-khoan/{mine.id}/pham-vi", data={"csrf": csrf, "unit": "QT-GIOLINH",
                                                                       "role": "reporter"})
        assert moved_out.status_code == 403
        assert _account(invited, GIOLINH_CELL).active and _account(invited, CAMLO_CELL).unit_id == mine.unit_id
        assert client.post(f"/tai-khoan/{mine.id}/khoa", data={"csrf": "sai"}).status_code == 403

        locked = client.post(f"/tai-khoan/{mine.id}/khoa", data={"csrf": csrf})
        assert locked.status_code == 303
        assert "Đã khóa tài khoản" in client.get(locked.headers["location"]).text
        assert not _account(invited, CAMLO_CELL).active
        assert [a.actor for a in _audit(invited, "account.disable", CAMLO_CELL)] == ["web:camlo"]
        assert client.post(f"/tai-khoan/{mine.id}/mo-khoa", data={"csrf": csrf}).status_code == 303
        assert _account(invited, CAMLO_CELL).active and _audit(invited, "account.enable", CAMLO_CELL)

        assert client.post(f"/tai-khoan/{mine.id}/cap-lai", data={"csrf": csrf}).status_code == 303
        with UnitOfWork(invited.engine) as uow:  # type: ignore[arg-type]
            keys = list(uow.session.scalars(
                select(OutboxRow.key).where(OutboxRow.key.like(f"moi-tai-khoan:{mine.id}:%")).order_by(OutboxRow.id)))
        assert keys == [f"moi-tai-khoan:{mine.id}:1", f"moi-tai-khoan:{mine.id}:2"]  # a new invitation
        assert _audit(invited, "account.reset", CAMLO_CELL)[0].details["outbox"] == keys[1]

        moved = client.post(f"/tai-khoan/{mine.id}/pham-vi", data={"csrf": csrf, "unit": "QT-CAMLO-TTCAMLO",
                                                                    "role": "viewer"})
        assert moved.status_code == 303
        after = _account(invited, CAMLO_CELL)
        assert after.role == "viewer"
        (entry,) = _audit(invited, "account.scope", CAMLO_CELL)
        assert entry.details == {"from": {"unit": "QT-CAMLO-CAMTHANH-CB01", "role": "reporter"},
                                 "to": {"unit": "QT-CAMLO-TTCAMLO", "role": "viewer"}}
        own = _account(invited, "camlo")
        assert client.post(f"/tai-khoan/{own.id}/khoa", data={"csrf": csrf}).status_code == 409  # not oneself


def test_a_reset_for_a_unit_without_email_shows_the_link_once_to_hand_over(invited: Site) -> None:
    mine = _account(invited, CAMLO_CELL)
    with UnitOfWork(invited.engine) as uow:  # type: ignore[arg-type]
        uow.session.execute(update(UnitRow).where(UnitRow.id == mine.unit_id).values(email=None))
        uow.commit()
        outbox = uow.session.scalar(select(func.count()).select_from(OutboxRow))
    with login(invited, "camlo") as client:
        page = client.post(f"/tai-khoan/{mine.id}/cap-lai", data={"csrf": csrf_of(client)},
                           headers={"referer": f"{invited.url}/tai-khoan"})
        assert page.status_code == 200
        link = re.search(r'<code id="handed-link">([^<]+)</code>', page.text)
        assert link and "chưa có địa chỉ email" in page.text
        assert httpx.get(link[1]).status_code == 200  # the set-password form
    with UnitOfWork(invited.engine) as uow:  # type: ignore[arg-type]
        assert uow.session.scalar(select(func.count()).select_from(OutboxRow)) == outbox  # nothing queued
