"""`trienkhai doctor`: check what the service needs, one verdict per check, each saying what to do when it fails.

Every check is a function that returns what it found, or raises a project error whose message says what is
wrong and what to do; `run_checks` turns each into a line. A check that depends on one that failed (the
outbox needs the database) says it could not be made instead of adding a second, confusing error.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

import httpx
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

import formats
from errors import ConfigError, StorageError, TrienkhaiError
from monitoring.health import DEPLOYMENT, JOBS, ServiceHealth, service_health
from rollout.escalate import next_office_instant
from schedules import WorkingCalendar
from schedules.render import format_short, to_local
from settings import Settings
from storage import UnitOfWork, make_engine, translate_errors
from storage.migrate import current_revision, head_revision
from storage.models import OutboxRow

__all__ = ["DEFAULT_PREFECT_API", "Check", "prefect_api_url", "run_checks", "sending_cutoff"]

DEFAULT_PREFECT_API = "http://127.0.0.1:4200/api"
NETWORK_TIMEOUT = 10.0
OUTBOX_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Check:
    """One verdict: what was checked, whether it passed, and what was found or what to do."""

    title: str
    ok: bool
    message: str

    @property
    def line(self) -> str:
        """The line the command prints: "✓ Cơ sở dữ liệu: …" or "✗ …"."""
        return f"{'✓' if self.ok else '✗'} {self.title}: {self.message}"


def _checked(title: str, check: Callable[[], str]) -> Check:
    try:
        return Check(title, True, check())
    except TrienkhaiError as exc:
        return Check(title, False, str(exc))


def _reason(exc: BaseException) -> str:
    """Why a connection failed, in words a clerk can read (the system's text only when nothing better fits)."""
    seen: BaseException | None = exc
    for _ in range(10):  # the chain of causes is short; a cycle in it must not hang the check
        if seen is None:
            break
        if isinstance(seen, ConnectionRefusedError):
            return "không có dịch vụ nào nhận kết nối ở địa chỉ và cổng này"
        if isinstance(seen, socket.gaierror):
            return "không tìm thấy tên máy"
        if isinstance(seen, (TimeoutError, httpx.TimeoutException)):
            return f"không trả lời sau {NETWORK_TIMEOUT:.0f} giây"
        if isinstance(seen, ssl.SSLError):
            return f"lỗi mã hóa TLS ({seen.reason or seen})"
        seen = seen.__cause__ or seen.__context__
    return f"lỗi “{type(exc).__name__}: {exc}”"


# -- configuration and database ----------------------------------------------------------------------------


def _database(url: str, opened: list[Engine]) -> str:
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        # Opening would create an empty file; a check must not change what it looks at.
        raise StorageError(f"chưa có tệp cơ sở dữ liệu {parsed.database}: chạy `trienkhai db upgrade` để tạo.")
    engine = make_engine(url)
    opened.append(engine)
    with translate_errors(url):
        current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise StorageError(f"{shown} đang ở phiên bản {current or 'trống'}, cần {head}: chạy `trienkhai db upgrade`.")
    return f"{shown} kết nối được, lược đồ ở phiên bản mới nhất ({head})."


def _mail(settings: Settings) -> str:
    if not settings.smtp_host:
        return (f"chưa cấu hình máy chủ thư (smtp_host), thư được ghi thành tệp .eml trong thư mục "
                f"{settings.home / 'outbox'}.")
    host, port = settings.smtp_host, settings.smtp_port
    context = ssl.create_default_context()
    try:
        if settings.smtp_tls and port == 465:
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=NETWORK_TIMEOUT, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=NETWORK_TIMEOUT)
        with client:
            code, reply = client.ehlo()
            if code != 250:
                raise ConfigError(
                    f"máy chủ thư {host}:{port} trả lời EHLO bằng mã {code}: kiểm tra smtp_host, smtp_port."
                )
            if settings.smtp_tls and port != 465:
                client.starttls(context=context)
                client.ehlo()
            if settings.smtp_user:
                client.login(settings.smtp_user, settings.smtp_password or "")
    except smtplib.SMTPAuthenticationError:
        raise ConfigError(f"máy chủ thư {host}:{port} từ chối tên đăng nhập hoặc mật khẩu: kiểm tra smtp_user, "
                          "smtp_password.") from None
    except smtplib.SMTPNotSupportedError:
        raise ConfigError(f"máy chủ thư {host}:{port} không hỗ trợ mã hóa hoặc đăng nhập: kiểm tra smtp_tls, "
                          "smtp_port.") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise ConfigError(f"không kết nối được máy chủ thư {host}:{port} ({_reason(exc)}): kiểm tra smtp_host, "
                          "smtp_port, smtp_tls và tường lửa.") from exc
    server = reply.decode("utf-8", "replace").splitlines()[0] if reply else host
    return f"máy chủ thư {host}:{port} trả lời ({server}); thư được gửi qua máy chủ này."


# -- Prefect ------------------------------------------------------------------------------------------------


def prefect_api_url(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The Prefect API to check: `--api-url`, else PREFECT_API_URL from the environment, else the local default."""
    env = os.environ if environ is None else environ
    return (explicit or env.get("PREFECT_API_URL") or DEFAULT_PREFECT_API).rstrip("/")


def _prefect_client(url: str) -> httpx.Client:
    headers = {}
    if key := os.environ.get("PREFECT_API_KEY"):
        headers["Authorization"] = f"Bearer {key}"
    # A self-hosted server behind basic authentication: "user:password".
    user, colon, password = os.environ.get("PREFECT_API_AUTH_STRING", "").partition(":")
    return httpx.Client(base_url=url, headers=headers, timeout=NETWORK_TIMEOUT,
                        auth=(user, password) if colon else None)


def _prefect(url: str) -> str:
    try:
        with _prefect_client(url) as client:
            response = client.get("/health")
    except httpx.HTTPError as exc:
        raise ConfigError(f"máy chủ Prefect tại {url} không trả lời ({_reason(exc)}): khởi động dịch vụ bằng "
                          "`trienkhai serve`, hoặc chỉ đúng địa chỉ bằng `--api-url` hay biến môi trường "
                          "PREFECT_API_URL.") from exc
    if response.status_code != 200:
        raise ConfigError(f"{url}/health trả về mã {response.status_code}: địa chỉ này không phải API của "
                          "máy chủ Prefect (thường kết thúc bằng /api).")
    return f"máy chủ Prefect tại {url} trả lời."


def _deployment(url: str, flow: str) -> str:
    name = f"{flow}/{DEPLOYMENT}"
    try:
        with _prefect_client(url) as client:
            response = client.get(f"/deployments/name/{flow}/{DEPLOYMENT}")
    except httpx.HTTPError as exc:
        raise ConfigError(f"không đọc được {name} từ máy chủ Prefect ({_reason(exc)}).") from exc
    if response.status_code == 404:
        raise ConfigError(f"chưa có {name} trên máy chủ Prefect: chạy `trienkhai deploy --api-url {url}` "
                          "hoặc `trienkhai serve`.")
    if response.status_code != 200:
        raise ConfigError(f"máy chủ Prefect trả về mã {response.status_code} khi đọc {name}.")
    found = response.json()
    if found.get("paused"):
        raise ConfigError(f"{name} đang tạm dừng: bật lại trong giao diện Prefect (mục Deployments).")
    if not any(s.get("active") for s in found.get("schedules") or []):
        raise ConfigError(f"{name} không có lịch nào đang bật: bật lịch trong giao diện Prefect.")
    if found.get("status") != "READY":
        raise ConfigError(f"{name} chưa có máy chạy nào nhận việc: chạy `prefect worker start --pool "
                          f"{found.get('work_pool_name') or 'trienkhai'}` hoặc `trienkhai serve`.")
    return f"{name} đang bật, có máy chạy nhận việc."


# -- outbox and service runs ---------------------------------------------------------------------------------


def sending_cutoff(now: datetime, calendar: WorkingCalendar, grace: timedelta = OUTBOX_GRACE) -> datetime:
    """A pending letter is late when it has waited more than `grace` of office hours (nothing is sent in quiet
    hours): late when due before the instant returned."""
    mark = now - grace
    if next_office_instant(mark, calendar) == mark:
        return mark
    day = to_local(mark).date()
    if calendar.is_working_day(day) and mark >= calendar.end_of_office_hours(day):
        return calendar.end_of_office_hours(day)
    return calendar.end_of_office_hours(calendar.previous_working_day(day))


def _outbox(engine: Engine, now: datetime, calendar: WorkingCalendar) -> str:
    cutoff = sending_cutoff(now, calendar)
    with UnitOfWork(engine) as uow:
        pending = OutboxRow.status == "pending"
        waiting = uow.session.scalar(select(func.count()).where(pending)) or 0
        late, oldest = uow.session.execute(
            select(func.count(), func.min(OutboxRow.next_attempt_at)).where(pending, OutboxRow.next_attempt_at < cutoff)
        ).one()
    if late:
        raise ConfigError(
            f"{formats.number(late)} thư đến lượt gửi đã hơn 1 giờ làm việc mà chưa đi "
            f"(cũ nhất từ {format_short(oldest)}): "
            "kiểm tra lịch gửi thư và máy chủ thư ở các dòng trên; `trienkhai notify list` để xem, "
            "`trienkhai notify dispatch` để gửi ngay một lượt."
        )
    return f"không có thư tồn đọng ({formats.number(waiting)} thư đang chờ đến lượt)."


def _service_checks(health: ServiceHealth) -> list[Check]:
    if not health.ever_ran:
        return [Check("Dịch vụ chạy định kỳ", False, "chưa ghi nhận lần chạy nào trong cơ sở dữ liệu này: khởi "
                      "động bằng `trienkhai serve` (hoặc `trienkhai deploy` và các máy chạy Prefect).")]
    checks = []
    for job in health.jobs:
        if job.alarm is None:
            checks.append(Check(job.job.label, True, f"{job.last_seen}."))
        elif job.failed_run is not None:
            run = job.failed_run
            checks.append(Check(job.job.label, False, f"{job.alarm}; xem nhật ký lượt chạy “{run.name}” (máy "
                                                      f"{run.host}) trong giao diện Prefect."))
        else:
            checks.append(Check(job.job.label, False, f"{job.alarm}; kiểm tra lịch chạy và máy chạy ở các dòng trên."))
    return checks


def run_checks(settings: Callable[[], Settings], api_url: str, now: datetime) -> list[Check]:
    """Every check in order: settings, database, mail, Prefect and its deployments, outbox, the service's runs."""
    checks: list[Check] = []
    loaded: Settings | None = None
    try:
        loaded = settings()
        checks.append(Check("Cấu hình", True, f"đọc được (thư mục dữ liệu {loaded.home})."))
    except ValueError as exc:  # pydantic's ValidationError, a broken TOML file: both are ValueErrors
        checks.append(Check("Cấu hình", False, f"không đọc được ({exc}): sửa tệp cấu hình hoặc biến môi trường "
                                               "TRIENKHAI_… rồi chạy lại."))
    engines: list[Engine] = []
    try:
        database = None
        if loaded is not None:
            settings_in_force = loaded
            database = _checked("Cơ sở dữ liệu", lambda: _database(settings_in_force.effective_database_url, engines))
            checks += [database, _checked("Máy chủ thư", lambda: _mail(settings_in_force))]
        prefect = _checked("Máy chủ Prefect", lambda: _prefect(api_url))
        checks.append(prefect)
        if prefect.ok:
            checks += [_checked(f"Lịch {job.label.lower()}", partial(_deployment, api_url, job.flow))
                       for job in JOBS]
        else:
            checks.append(Check("Lịch chạy trên Prefect", False,
                                "chưa kiểm tra được vì máy chủ Prefect không trả lời."))
        if loaded is None or database is None or not database.ok:
            checks.append(Check("Hộp thư đi và các lần chạy", False,
                                "chưa kiểm tra được vì chưa đọc được cơ sở dữ liệu."))
            return checks
        engine, calendar = engines[0], WorkingCalendar.from_settings(loaded)
        checks.append(_checked("Hộp thư đi", lambda: _outbox(engine, now, calendar)))
        with UnitOfWork(engine) as uow:
            checks += _service_checks(service_health(uow.session, now))
        return checks
    finally:
        for engine in engines:
            engine.dispose()
