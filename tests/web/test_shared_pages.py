"""Pages read by many at once are rendered once and shared (web.readings): what each viewer must still get alone."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import httpx
import pytest

from rollout import summary
from storage import UnitOfWork
from storage.models import ObligationRow
from tests.web.conftest import NUMBER, Site, local, login
from web.readings import Readings

PAGE = f"/directives/{NUMBER}"


def _form_token(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_two_sessions_of_one_account_share_the_page_but_each_gets_its_own_form_token(site: Site) -> None:
    with login(site, "vp") as first, login(site, "vp") as second:
        page_1, page_2 = first.get(PAGE).text, second.get(PAGE).text
        token_1, token_2 = _form_token(page_1), _form_token(page_2)
        assert token_1 != token_2
        assert page_1.replace(token_1, "") == page_2.replace(token_2, "")  # the same page otherwise
        assert first.post("/logout", data={"csrf": token_1}).status_code == 303  # the token works for its session
        assert first.get(PAGE).status_code == 303  # signed out: to the login page
        assert second.post("/logout", data={"csrf": token_1}).status_code == 403  # not for another session
        assert second.get(PAGE).status_code == 200


def test_a_shared_page_never_shows_one_account_what_another_sees(site: Site) -> None:
    with login(site, "vp") as province, login(site, "camlo") as district:
        wide = province.get(PAGE).text
        narrow = district.get(PAGE).text
        wide_list = province.get(f"/list?directive={NUMBER}").text
        narrow_list = district.get(f"/list?directive={NUMBER}").text
    assert "QT-GIOLINH" in wide and "QT-GIOLINH" not in narrow
    assert "QT-GIOLINH" in wide_list and "QT-GIOLINH" not in narrow_list
    answers = {name: httpx.get(f"{site.url}/api{PAGE}", headers={"Authorization": f"Bearer {site.tokens[name]}"},
                               timeout=20).json() for name in ("vp", "camlo")}
    assert "QT-GIOLINH" in [c["code"] for c in answers["vp"]["children"]]
    assert answers["camlo"]["figures"]["unit"] == "QT-CAMLO"
    assert "QT-GIOLINH" not in str(answers["camlo"])


def test_moving_the_dashboards_clock_shows_at_once(site: Site) -> None:
    with login(site, "vp") as client:
        before = client.get(PAGE).text
        site.clock.now += timedelta(hours=2)  # the session lasts 8 hours
        after = client.get(PAGE).text
    assert "9h00 ngày 20/6/2017" in before and "11h00 ngày 20/6/2017" in after


def test_a_reading_past_its_time_is_read_again_by_one_request_while_the_others_keep_the_last() -> None:
    readings = Readings(ttl=0.05)
    assert readings.get("k", 1, lambda: "first") == "first"
    time.sleep(0.06)
    started, release = threading.Event(), threading.Event()

    def slow() -> str:
        started.set()
        release.wait(5)
        return "second"

    refresher = threading.Thread(target=lambda: readings.get("k", 1, slow))
    refresher.start()
    assert started.wait(5)
    assert readings.get("k", 1, lambda: "never read") == "first"  # did not wait for the slow reading
    release.set()
    refresher.join(5)
    assert readings.get("k", 1, lambda: "never read") == "second"


def test_a_newer_version_is_read_once_for_every_caller_and_nobody_gets_the_old_one() -> None:
    readings = Readings(ttl=60)
    readings.get("k", 1, lambda: "old")
    calls: list[int] = []
    answers: list[str] = []

    def read() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "new"

    threads = [threading.Thread(target=lambda: answers.append(readings.get("k", 2, read))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert answers == ["new"] * 8 and len(calls) == 1


def test_a_row_marked_overdue_before_its_deadline_comes_leaves_the_heat_map_within_100_percent(site: Site) -> None:
    # A dashboard pinned to an earlier day of a rehearsal's database sees rows marked overdue later on: here the
    # Gio Linh pilot chi bộ's report, overdue in the data, is due only on 25/6 as the page sees it on 20/6.
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        row = uow.session.get_one(ObligationRow, site.pilot_obligation)
        row.due_at = local(2017, 6, 25, 17)
        uow.session.flush()
        summary.rebuild(uow.session, site.directive_id)
        uow.commit()
    with login(site, "vp") as client:
        page = client.get(PAGE)
    assert page.status_code == 200, page.text[:300]
    heat = re.search(r'id="heatmap".*?</table>', page.text, re.S)
    assert heat is not None
    shares = [int(s) for s in re.findall(r">(\d+)%<", heat.group(0))]
    assert shares and max(shares) <= 100


def test_a_refused_reading_keeps_nothing_and_is_tried_again() -> None:
    readings = Readings()

    def refused() -> str:
        raise PermissionError("out of scope")

    for _ in range(3):
        with pytest.raises(PermissionError):
            readings.get(("page", "somebody", "/directives/x"), 1, refused)
    assert readings._items == {} and readings._reading == {}  # a stream of refused addresses leaves no trace
    assert readings.get(("page", "somebody", "/directives/x"), 1, lambda: "shown") == "shown"
