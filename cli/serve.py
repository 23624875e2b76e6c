"""`trienkhai serve`: the engine as a service — a local Prefect server, the deployments and their schedules."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import typer

from cli.common import console
from errors import ConfigError
from settings import get_settings


def _wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ConfigError(f"Máy chủ Prefect dừng ngay khi khởi động (mã {server.returncode}); xem nhật ký ở trên.")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise ConfigError(f"Máy chủ Prefect không sẵn sàng sau {timeout:.0f} giây tại {url}.")


def start_prefect_server(port: int) -> tuple[subprocess.Popen, str]:
    """Start `prefect server start` on loopback with its database in the data folder; return it and its API URL."""
    home = get_settings().home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_LOGGING_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, server)
    except BaseException:
        server.terminate()
        raise
    return server, url


def serve_cmd(
    port: int = typer.Option(4200, "--port", help="Cổng của máy chủ Prefect (giao diện tại http://127.0.0.1:PORT)"),
    api_url: str = typer.Option(None, "--api-url", help="Dùng máy chủ Prefect có sẵn thay vì tự khởi động"),
) -> None:
    """Chạy dịch vụ: điều phối hằng giờ, gửi thông báo 5 phút một lần, báo cáo tuần thứ Hai 7h00 (Ctrl-C để dừng)."""
    server = None
    if api_url is None:
        console.print("Đang khởi động máy chủ Prefect trên 127.0.0.1…")
        server, api_url = start_prefect_server(port)
        console.print(f"Giao diện Prefect: http://127.0.0.1:{port}")
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.deploy import serve_all

    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            serve_all()
    except KeyboardInterrupt:
        console.print("Đã dừng dịch vụ.")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
