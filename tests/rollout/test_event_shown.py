"""The event of a plan (the Trà Vinh dialogue conference, 14h00 27/6/2024) as people see it: in `plan show`, on
the directive page, in the announcement and in the reminders of the work that prepares it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from icalendar import Calendar
from sqlalchemy import select

from bootstrap import Services
from hierarchy.files import read_units
from hierarchy.model import Contacts
from notifications.compose import compose
from rollout.calendar_feed import unit_feed
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import OutboxRow, UnitRow
from storage.units import apply_hierarchy
from tests.web.conftest import Clock, login, serve
from web.accounts import create_account
from web.app import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"
NUMBER = "412-CV/TĐTN-PT"
CAL = WorkingCalendar()
TITLE = "Hội nghị đối thoại giữa lãnh đạo tỉnh với đoàn viên, thanh niên năm 2024"
PLACE = "Hội trường Tỉnh đoàn Trà Vinh"
# Thành đoàn Trà Vinh: Đoàn phường 1 (64 đoàn viên, above 50) 3, Đoàn phường 7 (42) 2, the chi đoàn cơ sở 1.
CITY_DELEGATES = 6


def local(y: int, m: int, d: int, h: int = 8) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC) - timedelta(hours=7)


@pytest.fixture
def issued(engine, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The dialogue plan with a report after the conference; every unit has an address to be written to."""
    plan = yaml.safe_load((EXAMPLES / "doi-thoai-thanh-nien-2024.yaml").read_text(encoding="utf-8"))
    hierarchy = EXAMPLES / plan["hierarchy"]["file"]
    plan["hierarchy"]["file"] = str(hierarchy)
    plan["obligations"].append({"key": "ket-qua", "kind": "report", "units": {"kinds": ["huyen_doan"]},
                                "title": "Báo cáo kết quả trả lời kiến nghị sau Hội nghị",
                                "due": "16h00 ngày 5/7/2024"})
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    units = [replace(u, contacts=Contacts(email=u.contacts.email or f"{u.code.lower()}@travinh.vn"))
             for u in read_units(hierarchy)[0]]
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=local(2024, 6, 1), actor="test")
        issue_plan(uow.session, path, now=local(2024, 6, 5, 9), actor="vp", calendar=CAL)
        uow.commit()
    return engine


def _message(engine, template: str, code: str, now: datetime):  # type: ignore[no-untyped-def]
    with UnitOfWork(engine) as uow:
        row = uow.session.scalar(select(OutboxRow).join(UnitRow, UnitRow.id == OutboxRow.unit_id)
                                 .where(OutboxRow.template == template, UnitRow.code == code)
                                 .order_by(OutboxRow.id.desc()))
        assert row is not None, f"no {template} for {code}"
        composed = compose(uow.session, row, now, CAL)
        uow.commit()
    assert composed.envelope is not None
    return composed.envelope


def test_plan_show_tells_the_event_and_the_quotas(issued, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "TRIENKHAI_HOME": str(tmp_path), "TRIENKHAI_DATABASE_URL": db_url, "COLUMNS": "200"}
    shown = subprocess.run([sys.executable, "-m", "cli.main", "plan", "show", NUMBER], env=env, capture_output=True,
                           text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert f"Sự kiện: {TITLE}" in out
    assert "Thời gian: 14h00 ngày 27/6/2024" in out
    assert f"Địa điểm: {PLACE}" in out
    assert "Đơn vị tổ chức: Tỉnh đoàn Trà Vinh" in out
    assert "Thành phần: Thường trực Tỉnh ủy, lãnh đạo Ủy ban nhân dân tỉnh; Lãnh đạo các sở, ngành liên quan;" in out
    assert "Chỉ tiêu phân bổ (tổng các đơn vị):" in out
    assert "Đại biểu đoàn viên, thanh niên dự Hội nghị:" in out and "đại biểu" in out


def test_the_announcement_recalls_the_event_and_the_units_quota(issued) -> None:  # type: ignore[no-untyped-def]
    envelope = _message(issued, "thong_bao_trien_khai", "TD-TV-TP", local(2024, 6, 5, 10))
    text = envelope.text
    assert f"Sự kiện: {TITLE}\n- Thời gian: 14h00 ngày 27/6/2024\n- Địa điểm: {PLACE}\n" in text
    assert "- Đơn vị tổ chức: Tỉnh đoàn Trà Vinh\n" in text
    assert "- Thành phần: Thường trực Tỉnh ủy, lãnh đạo Ủy ban nhân dân tỉnh; " in text
    assert ("Chỉ tiêu phân bổ cho Thành đoàn Trà Vinh (gồm cả các đơn vị trực thuộc):\n"
            f"- Đại biểu đoàn viên, thanh niên dự Hội nghị: {CITY_DELEGATES} đại biểu") in text
    assert "<li>Thời gian: 14h00 ngày 27/6/2024</li>" in envelope.html
    assert f"<li>Đại biểu đoàn viên, thanh niên dự Hội nghị: {CITY_DELEGATES} đại biểu</li>" in envelope.html


def test_a_reminder_recalls_the_event_only_for_work_that_prepares_it(issued) -> None:  # type: ignore[no-untyped-def]
    # 14/6/2024 (Friday): the grassroots Đoàn owe their questions at 17h00 on 18/6, a day before the Thành đoàn.
    with UnitOfWork(issued) as uow:
        advance(uow.session, local(2024, 6, 14), calendar=CAL)
        uow.commit()
    before = _message(issued, "nhac_han", "TD-TV-TP-P1", local(2024, 6, 14))
    assert "Hạn: 17 giờ 00, thứ Ba, ngày 18/6/2024" in before.text  # one working day before the Thành đoàn's
    assert (f"Nội dung trên chuẩn bị cho {TITLE}, tổ chức lúc 14h00 ngày 27/6/2024 tại {PLACE}."
            in before.text)
    assert "tổ chức lúc 14h00 ngày 27/6/2024" in before.html
    # 2/7/2024: three working days before the report on the answers, due after the conference.
    with UnitOfWork(issued) as uow:
        advance(uow.session, local(2024, 7, 2), calendar=CAL)
        uow.commit()
    after = _message(issued, "nhac_han", "TD-TV-CL", local(2024, 7, 2))
    assert "Báo cáo kết quả trả lời kiến nghị sau Hội nghị" in after.text
    assert "chuẩn bị cho" not in after.text


def test_the_directive_page_shows_the_event_on_its_timeline(issued) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(issued) as uow:
        create_account(uow.session, "vp", "mat-khau-thu-nghiem", "admin", "TD-TV", now=local(2024, 6, 1), actor="t")
        uow.commit()
    with serve(create_app(Services.over(issued, Clock(local(2024, 6, 24, 9))))) as url, login(url, "vp") as client:
        page = client.get(f"/directives/{NUMBER}").text
        assert f"<h3>Sự kiện: {TITLE}</h3>" in page
        assert "<dt>Thời gian</dt><dd>14h00 ngày 27/6/2024</dd>" in page
        assert f"<dt>Địa điểm</dt><dd>{PLACE}</dd>" in page
        assert 'id="timeline-event"' in page and f"<title>{TITLE}: 14h00 ngày 27/6/2024, {PLACE}</title>" in page
        # Every preparation was due by 21/6; on Monday 24/6 what comes next is the conference itself.
        assert f'<span class="value small">{TITLE}</span>' in page
        city = client.get(f"/directives/{NUMBER}?unit=TD-TV-TP").text
        assert "Chỉ tiêu phân bổ của Thành đoàn Trà Vinh (gồm cả các đơn vị trực thuộc)" in city
        assert f"<li>Đại biểu đoàn viên, thanh niên dự Hội nghị: {CITY_DELEGATES} đại biểu</li>" in city


def test_the_units_calendar_feed_holds_the_event_at_its_time_and_place(issued) -> None:  # type: ignore[no-untyped-def]
    with UnitOfWork(issued) as uow:
        feed = Calendar.from_ical(unit_feed(uow.session, "TD-TV-TP", now=local(2024, 6, 10)))
    event = next(e for e in feed.walk("VEVENT") if str(e["UID"]).startswith("su-kien-"))
    assert str(event["SUMMARY"]) == f"{TITLE} ({NUMBER})"
    assert str(event["LOCATION"]) == PLACE
    assert event.decoded("DTSTART") == local(2024, 6, 27, 14)
    assert "Thời gian: 14h00 ngày 27/6/2024." in str(event["DESCRIPTION"])
