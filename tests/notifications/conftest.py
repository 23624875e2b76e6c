"""Every notification test runs against its own data folder, so no province override leaks in."""

from __future__ import annotations

from pathlib import Path

import pytest

from settings import get_settings


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("TRIENKHAI_HOME", str(folder))
    monkeypatch.setenv("TRIENKHAI_CONFIG", str(folder / "trienkhai.toml"))
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_TLS", "MAIL_FROM"):
        monkeypatch.delenv(f"TRIENKHAI_{name}", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()
