"""`trienkhai doctor` against real parts: a SQLite file, a PostgreSQL database, an SMTP server, a Prefect address
where nothing listens; and `trienkhai status` telling the office the service's state before the rollout's."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from hierarchy.generate import small_quang_tri_2017
from monitoring import Check, prefect_api_url, run_checks
from monitoring.doctor import sending_cutoff
from monitoring.health import DEPLOYMENT, JOBS
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from settings import Settings
from storage import UnitOfWork, make_engine, open_database, upgrade
from storage.migrate import head_revision
from storage.models import OutboxRow
from storage.units import apply_hierarchy
from tests.monitoring.rows import add_run
from tests.notifications.smtp_sink import Sink, free_port, start

PLAN = Path(__file__).parents[2] / "examples" / "47-KH-TU.yaml"
FRIDAY_1405 = datetime(2026, 12, 4, 7, 5, tzinfo=UTC)  # 14h05 on Friday 4/12/2026 in Vietnam
MONDAY_0800 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # 8h00 on Monday 7/12/2026


def _trienkhai(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200", **env}
    for name in ("TRIENKHAI_DATABASE_URL", "TRIENKHAI_CONFIG", "PREFECT_API_URL"):
        environ.pop(name, None) if name not in env else None
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=environ, capture_output=True, text=True,
                          timeout=300)


def _lines(checks: list[Check]) -> dict[str, Check]:
    return {c.title: c for c in checks}


def _service_ran(engine: Engine, now: datetime) -> None:
    add_run(engine, "advance", now - timedelta(minutes=40))
    add_run(engine, "dispatch", now - timedelta(minutes=4))
    add_run(engine, "weekly", now - timedelta(days=4))


def _letter(engine: Engine, key: str, due: datetime) -> None:
    with UnitOfWork(engine) as uow:
        uow.session.add(OutboxRow(key=key, template="nhac_han", recipients={"to": ["cb01@example.vn"]}, context={},
                                  status="pending", attempts=0, next_attempt_at=due, created_at=due))
        uow.commit()


def test_doctor_on_a_working_database_and_mail_server_says_prefect_is_unreachable_and_fails(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'trienkhai.db'}")
    now = datetime.now(UTC)
    _service_ran(engine, now)
    _letter(engine, "nhac-han:1", now)  # due now: waiting its turn, not late
    engine.dispose()
    sink, smtp_port, prefect_port = Sink(), free_port(), free_port()
    smtp = start(smtp_port, sink)
    try:
        result = _trienkhai("doctor", "--api-url", f"http://127.0.0.1:{prefect_port}/api", home=tmp_path,
                            TRIENKHAI_SMTP_HOST="127.0.0.1", TRIENKHAI_SMTP_PORT=str(smtp_port))
    finally:
        smtp.stop()
    out = result.stdout
    assert result.returncode == 3, (out, result.stderr)
    assert "Traceback" not in result.stderr
    assert f"✓ Cơ sở dữ liệu: sqlite:///{tmp_path / 'trienkhai.db'} kết nối được, lược đồ ở phiên bản mới nhất" in out
    assert f"✓ Máy chủ thư: máy chủ thư 127.0.0.1:{smtp_port} trả lời" in out
    assert (f"✗ Máy chủ Prefect: máy chủ Prefect tại http://127.0.0.1:{prefect_port}/api không trả lời (không có "
            "dịch vụ nào nhận kết nối ở địa chỉ và cổng này): khởi động dịch vụ bằng `trienkhai serve`") in out
    assert "✗ Lịch chạy trên Prefect: chưa kiểm tra được vì máy chủ Prefect không trả lời." in out
    assert "✓ Hộp thư đi: không có thư tồn đọng (1 thư đang chờ đến lượt)." in out
    assert "✓ Điều phối: lần cuối" in out and "✓ Gửi thư: lần cuối" in out and "✓ Báo cáo tuần: lần cuối" in out
    assert "2/9 mục kiểm tra không đạt" in result.stderr
    assert sink.messages == []  # checking the mail server sends nothing


def test_doctor_on_an_old_database_and_a_dead_mail_server_says_what_to_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cu.db'}"
    old = make_engine(url)
    upgrade(old, "0005")
    old.dispose()
    smtp_port = free_port()
    checks = _lines(run_checks(lambda: Settings(home=tmp_path, database_url=url, smtp_host="127.0.0.1",
                                                smtp_port=smtp_port),
                               f"http://127.0.0.1:{free_port()}/api", FRIDAY_1405))
    assert checks["Cơ sở dữ liệu"].line == (
        f"✗ Cơ sở dữ liệu: {url} đang ở phiên bản 0005, cần {head_revision()}: chạy `trienkhai db upgrade`.")
    assert checks["Máy chủ thư"].line == (
        f"✗ Máy chủ thư: không kết nối được máy chủ thư 127.0.0.1:{smtp_port} (không có dịch vụ nào nhận kết nối ở "
        "địa chỉ và cổng này): kiểm tra smtp_host, smtp_port, smtp_tls và tường lửa.")
    assert not checks["Hộp thư đi và các lần chạy"].ok

    missing = tmp_path / "chua-co" / "trienkhai.db"
    checks = _lines(run_checks(lambda: Settings(home=tmp_path, database_url=f"sqlite:///{missing}"),
                               f"http://127.0.0.1:{free_port()}/api", FRIDAY_1405))
    assert checks["Cơ sở dữ liệu"].message == (
        f"chưa có tệp cơ sở dữ liệu {missing}: chạy `trienkhai db upgrade` để tạo.")
    assert not missing.exists()  # looking did not create it
    assert checks["Máy chủ thư"].line.startswith("✓ Máy chủ thư: chưa cấu hình máy chủ thư (smtp_host), thư được ghi "
                                                 "thành tệp .eml")


def test_doctor_counts_late_letters_and_names_the_failed_run(engine: Engine, db_url: str, tmp_path: Path) -> None:
    _service_ran(engine, FRIDAY_1405)
    add_run(engine, "dispatch", FRIDAY_1405 - timedelta(minutes=1), "failed", name="gui-thu-2026-12-04-1404",
            error="SMTPServerDisconnected: Connection unexpectedly closed")
    _letter(engine, "nhac-han:1", FRIDAY_1405 - timedelta(hours=3))
    _letter(engine, "nhac-han:2", FRIDAY_1405 - timedelta(hours=1, minutes=5))
    _letter(engine, "nhac-han:3", FRIDAY_1405 - timedelta(minutes=50))  # due less than an hour ago
    checks = _lines(run_checks(lambda: Settings(home=tmp_path, database_url=db_url), "http://127.0.0.1:1/api",
                               FRIDAY_1405))
    assert checks["Cơ sở dữ liệu"].ok
    assert checks["Hộp thư đi"].line == (
        "✗ Hộp thư đi: 2 thư đến lượt gửi đã hơn 1 giờ làm việc mà chưa đi (cũ nhất từ 11h05 ngày 4/12/2026): "
        "kiểm tra lịch gửi thư và máy chủ thư ở các dòng trên; `trienkhai notify list` để xem, "
        "`trienkhai notify dispatch` để gửi ngay một lượt.")
    assert checks["Gửi thư"].line == (
        "✗ Gửi thư: lần chạy lúc 14h04 ngày 4/12/2026 bị lỗi “SMTPServerDisconnected: Connection unexpectedly "
        "closed”; xem nhật ký lượt chạy “gui-thu-2026-12-04-1404” (máy may-chu-1) trong giao diện Prefect.")
    assert checks["Điều phối"].ok and checks["Báo cáo tuần"].ok


def test_doctor_on_a_database_the_service_never_ran_on_says_to_start_it(engine: Engine, db_url: str,
                                                                        tmp_path: Path) -> None:
    checks = _lines(run_checks(lambda: Settings(home=tmp_path, database_url=db_url), "http://127.0.0.1:1/api",
                               FRIDAY_1405))
    assert checks["Dịch vụ chạy định kỳ"].line == (
        "✗ Dịch vụ chạy định kỳ: chưa ghi nhận lần chạy nào trong cơ sở dữ liệu này: khởi động bằng `trienkhai "
        "serve` (hoặc `trienkhai deploy` và các máy chạy Prefect).")


def test_letters_queued_after_office_hours_are_not_late_until_an_hour_into_the_next_working_day() -> None:
    calendar = WorkingCalendar()
    assert sending_cutoff(FRIDAY_1405, calendar) == FRIDAY_1405 - timedelta(hours=1)
    friday_close = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # 17h00 local
    assert sending_cutoff(friday_close + timedelta(hours=3), calendar) == friday_close
    assert sending_cutoff(MONDAY_0800, calendar) == friday_close  # the weekend and 7h30–8h00 do not count
    assert sending_cutoff(MONDAY_0800 + timedelta(hours=1), calendar) == MONDAY_0800


def test_the_prefect_address_comes_from_the_option_then_the_environment_then_the_default() -> None:
    assert prefect_api_url("http://may-chu:4200/api/", {"PREFECT_API_URL": "http://khac/api"}) == "http://may-chu:4200/api"
    assert prefect_api_url(None, {"PREFECT_API_URL": "http://khac:4200/api"}) == "http://khac:4200/api"
    assert prefect_api_url(None, {}) == "http://127.0.0.1:4200/api"


def test_the_doctor_looks_for_the_deployments_the_service_declares() -> None:
    from flows.deploy import DEPLOYMENT as DECLARED, JOBS as DECLARED_JOBS

    assert DEPLOYMENT == DECLARED
    assert [job.flow for job in JOBS] == [flow.name for flow, *_ in DECLARED_JOBS]


def test_status_prints_the_service_and_its_alarm_before_the_rollout(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'trienkhai.db'}")
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, small_quang_tri_2017(), now=datetime(2017, 3, 1, tzinfo=UTC), actor="test")
        issue_plan(uow.session, PLAN, now=datetime(2017, 3, 22, tzinfo=UTC), actor="vp", calendar=WorkingCalendar())
        advance(uow.session, datetime(2017, 4, 3, 2, tzinfo=UTC))
        uow.commit()
    now = datetime.now(UTC)
    _service_ran(engine, now)
    add_run(engine, "weekly", now - timedelta(hours=2), "failed", error="OSError: [Errno 28] No space left on device")
    engine.dispose()
    result = _trienkhai("status", "47-KH/TU", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Điều phối: lần cuối ") and lines[1].startswith("Gửi thư: lần cuối ")
    assert lines[2].startswith("Báo cáo tuần: lần cuối ")
    assert lines[3] == "Dịch vụ định kỳ đang có sự cố:"
    assert lines[4].startswith("  Báo cáo tuần: lần chạy lúc ") and "No space left on device" in lines[4]
    assert lines[5] == "Hãy kiểm tra bằng lệnh `trienkhai doctor` trên máy chủ."
    assert "Tỉnh ủy Quảng Trị" in result.stdout.split(lines[5], 1)[1]  # the tree comes after
