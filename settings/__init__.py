"""One settings object, read from TRIENKHAI_* environment variables and an optional TOML file."""

from __future__ import annotations

import os
from datetime import time
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = ["Settings", "get_settings"]

TIMEZONE = "Asia/Ho_Chi_Minh"


def _default_home() -> Path:
    return Path(os.environ.get("TRIENKHAI_HOME") or Path.home() / ".trienkhai")


def _config_file() -> Path:
    # TRIENKHAI_CONFIG names the TOML file; by default it lives in the data folder.
    explicit = os.environ.get("TRIENKHAI_CONFIG")
    return Path(explicit) if explicit else _default_home() / "trienkhai.toml"


class Settings(BaseSettings):
    """Settings in force; environment variables win over the TOML file, which wins over defaults."""

    model_config = SettingsConfigDict(env_prefix="TRIENKHAI_", extra="forbid")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None
    # Working calendar: a province's own days off / extra working days (ISO dates).
    extra_days_off: list[str] = []
    extra_working_days: list[str] = []
    office_hours_end: time = time(17, 0)
    office_hours_start: time = time(7, 30)
    # Notifications: "outbox" writes .eml files under home/outbox; "smtp" sends.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    # Conversations with the mail server a dispatcher holds at once: more send faster, but a province's server
    # may refuse many at a time from one sender.
    smtp_connections: int = Field(default=4, ge=1, le=32)
    mail_from: str = "trienkhai@localhost"
    # Where units open their personal report links (e.g. https://trienkhai.quangtri.dcs.vn); None: letters say
    # where to report instead of carrying a link.
    public_url: str | None = None
    report_link_days: int = 60
    # Key that signs calendar feed links (.ics); None: one kept in home/calendar-secret. Several machines
    # serving the dashboard must share it.
    calendar_secret: str | None = None
    # An invitation's set-password link is valid this many days (a reset by an administrator makes a new one).
    password_link_days: int = 14
    # Zalo OA (ZNS template messages): app id and secret key from Zalo for Developers, the OA's first refresh
    # token, and for each message template the id of its approved ZNS template (e.g. {"nhac_han": "123456"}).
    zalo_app_id: str | None = None
    zalo_secret_key: str | None = None
    zalo_refresh_token: str | None = None
    zalo_access_token: str | None = None
    zalo_templates: dict[str, str] = {}
    # Documents units hand in: a folder, by default home/files.
    files_dir: Path | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)

    @property
    def effective_files_dir(self) -> Path:
        """The folder of the documents units hand in: the configured one, or `files` in the data folder."""
        return self.files_dir or self.home / "files"

    @property
    def effective_database_url(self) -> str:
        """The database URL: the configured one, or a SQLite file in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'trienkhai.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process (tests clear the cache after changing the environment)."""
    return Settings()
