"""`trienkhai serve` and `trienkhai deploy`: the engine as a service on Prefect's own machinery.

`serve` on one machine: a Prefect server (unless `--api-url` names one), the deployments declared on the
`trienkhai` process work pool, and one process worker that runs them. More machines: `trienkhai deploy`
once, then `prefect worker start --pool trienkhai` on each (README, "Running it as a service").
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import typer

from bootstrap import services
from cli.common import console
from errors import ConfigError

PREFECT_QUIET = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}


def _wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 90) -> None:
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


def start_prefect_server(port: int, host: str = "127.0.0.1") -> tuple[subprocess.Popen[bytes], str]:
    """Start `prefect server start` on host:port with its database in the data folder and its UI calling that
    same address; return the process and its API URL."""
    home = services().settings.home / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    # The UI asks the server which API URL to call; without this it calls 127.0.0.1:4200 whatever the port.
    shown = socket.gethostname() if host == "0.0.0.0" else host
    url = f"http://{shown}:{port}/api"
    env = {**os.environ, **PREFECT_QUIET, "PREFECT_HOME": str(home), "PREFECT_UI_API_URL": url,
           "PREFECT_SERVER_API_HOST": host, "PREFECT_SERVER_API_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL)
    local = f"http://127.0.0.1:{port}/api" if host in ("0.0.0.0", "127.0.0.1") else url
    try:
        _wait_healthy(local, server)
    except BaseException:
        server.terminate()
        raise
    return server, local


def start_worker(api_url: str) -> subprocess.Popen[bytes]:
    """Start one Prefect process worker on the `trienkhai` pool, named after this machine."""
    from flows.deploy import POOL

    env = {**os.environ, **PREFECT_QUIET, "PREFECT_API_URL": api_url, "PREFECT_WORKER_QUERY_SECONDS": "5"}
    return subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process",
                             "--name", f"{socket.gethostname()}-{os.getpid()}"], env=env)


def _declare(api_url: str) -> list[str]:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deploy import declare

    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            return declare()
    except httpx.HTTPError as exc:
        raise ConfigError(f"Không kết nối được máy chủ Prefect tại {api_url}: {exc}") from exc


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def deploy_cmd(
    api_url: str = typer.Option(None, "--api-url", envvar="PREFECT_API_URL",
                                help="Địa chỉ API của máy chủ Prefect, ví dụ http://may-chu:4200/api"),
) -> None:
    """Khai báo ba lịch chạy của dịch vụ trên nhóm máy trienkhai (giữ nguyên lịch đã tạm dừng)."""
    if not api_url:
        raise ConfigError("Chưa có địa chỉ máy chủ Prefect: dùng --api-url hoặc biến môi trường PREFECT_API_URL.")
    for name in _declare(api_url):
        console.print(f"✓ {name}")
    console.print("Trên mỗi máy chạy: prefect worker start --pool trienkhai")


def serve_cmd(
    port: int = typer.Option(4200, "--port", help="Cổng của máy chủ Prefect (giao diện tại http://HOST:PORT)"),
    host: str = typer.Option("127.0.0.1", "--host", help="Địa chỉ lắng nghe; 0.0.0.0 để máy khác kết nối"),
    api_url: str = typer.Option(None, "--api-url", help="Dùng máy chủ Prefect có sẵn thay vì tự khởi động"),
) -> None:
    """Chạy dịch vụ: điều phối hằng giờ, gửi thông báo 5 phút một lần, báo cáo tuần thứ Hai 7h00 (Ctrl-C để dừng)."""
    server = worker = None
    try:
        if api_url is None:
            console.print(f"Đang khởi động máy chủ Prefect trên {host}:{port}…")
            server, api_url = start_prefect_server(port, host)
            console.print(f"Giao diện Prefect: http://{host}:{port}")
        _declare(api_url)
        console.print("Đã khai báo ba lịch chạy; máy chạy đang nhận việc (Ctrl-C để dừng).")
        worker = start_worker(api_url)
        worker.wait()
        if worker.returncode:
            raise ConfigError(f"Máy chạy Prefect dừng với mã {worker.returncode}; xem nhật ký ở trên.")
    except KeyboardInterrupt:
        console.print("Đã dừng dịch vụ.")
    finally:
        _stop(worker)
        _stop(server)
