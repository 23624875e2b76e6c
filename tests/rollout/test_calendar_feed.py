"""Calendar feeds as a unit subscribes to them: a signed link, no login; an amended deadline moves, same UID."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
from icalendar import Calendar

from bootstrap import Services
from rollout.calendar_feed import calendar_secret
from storage import open_database
from tests.web.conftest import serve
from web.app import create_app

EXAMPLES = Path(__file__).parents[2] / "examples"


def trienkhai(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "300"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    return result


def _events(body: bytes) -> dict[str, Calendar]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_a_subscribed_unit_calendar_sees_an_amended_deadline_move_with_the_same_uid(tmp_path: Path) -> None:
    trienkhai("hierarchy", "generate", "--quang-tri-2017", home=tmp_path)
    trienkhai("plan", "issue", str(EXAMPLES / "47-KH-TU.yaml"), home=tmp_path)
    link = trienkhai("calendar", "link", "--unit", "QT-CAMLO", home=tmp_path).stdout.strip()
    path = link.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/lich/") and path.endswith(".ics")

    engine = open_database(f"sqlite:///{tmp_path / 'trienkhai.db'}")
    app = create_app(Services.over(engine, lambda: datetime(2017, 4, 10, 2, tzinfo=UTC)))
    app.state.calendar_secret = calendar_secret(None, tmp_path)
    with serve(app) as base, httpx.Client(base_url=base) as client:
        _subscribe_and_amend(client, path, tmp_path)


def _subscribe_and_amend(client: httpx.Client, path: str, tmp_path: Path) -> None:

    first = client.get(path)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/calendar")
    before = _events(first.content)
    uid = next(u for u, e in before.items() if "bao-cao-chi-dao-diem" in u)
    assert before[uid].decoded("dtstart") == datetime(2017, 6, 29, 10, tzinfo=UTC)  # 17h00 ngày 29/6/2017
    assert int(before[uid]["sequence"]) == 0
    alarms = before[uid].walk("VALARM")
    assert len(alarms) == 2 and {str(a["action"]) for a in alarms} == {"DISPLAY"}
    assert any(u.startswith("giai-doan-47-KH-TU-pilot") for u in before)

    amended = tmp_path / "47-KH-TU-sua.yaml"
    amended.write_text((EXAMPLES / "47-KH-TU.yaml").read_text(encoding="utf-8")
                       .replace('due: "trước ngày 30/6/2017"', 'due: "trước ngày 14/7/2017"'), encoding="utf-8")
    trienkhai("plan", "amend", str(amended), "--reason", "Lùi hạn báo cáo", home=tmp_path)

    after = _events(client.get(path).content)
    assert set(after) == set(before)  # the same events, none added beside the old ones
    assert after[uid].decoded("dtstart") == datetime(2017, 7, 13, 10, tzinfo=UTC)  # 17h00 ngày 13/7/2017
    assert int(after[uid]["sequence"]) == 1

    whole = _events(client.get(trienkhai("calendar", "link", "--directive", "47-KH/TU", home=tmp_path)
                               .stdout.strip().removeprefix("http://127.0.0.1:8000")).content)
    assert any("bao-cao-chi-dao-diem" in u for u in whole)

    forged = path.replace("/lich/", "/lich/x")
    refused = client.get(forged)
    assert refused.status_code == 404 and "không hợp lệ" in refused.text
