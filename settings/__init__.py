"""One settings object, read from TRIENKHAI_* environment variables and an optional TOML file."""

from __future__ import annotations

import os
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings.exceptions import SettingsError

from errors import ConfigError

__all__ = ["Settings", "get_settings"]

TIMEZONE = "Asia/Ho_Chi_Minh"


def _default_home() -> Path:
    return Path(os.environ.get("TRIENKHAI_HOME") or Path.home() / ".trienkhai")


def _config_file() -> Path:
    # TRIENKHAI_CONFIG names the TOML file; by default it lives in the data folder.
    explicit = os.environ.get("TRIENKHAI_CONFIG")
    return Path(explicit) if explicit else _default_home() / "trienkhai.toml"


def _days(value: Any) -> Any:
    """Days may be listed in an environment variable separated by commas ("2025-02-08,2025-04-26") or as JSON."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            import json

            try:
                return json.loads(text)
            except ValueError:
                return [text]
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


Days = Annotated[list[str], NoDecode, BeforeValidator(_days)]
# Each setting a person may get wrong, with an example of a valid value for the one-line message.
EXAMPLES = {
    "extra_days_off": "TRIENKHAI_EXTRA_DAYS_OFF=2025-02-10,2025-02-11",
    "extra_working_days": "TRIENKHAI_EXTRA_WORKING_DAYS=2025-02-08",
    "calendar_file": "TRIENKHAI_CALENDAR_FILE=/etc/trienkhai/lich-quang-tri.yaml",
    "office_hours_end": "TRIENKHAI_OFFICE_HOURS_END=17:00",
    "office_hours_start": "TRIENKHAI_OFFICE_HOURS_START=07:30",
    "smtp_port": "TRIENKHAI_SMTP_PORT=587",
    "smtp_connections": "TRIENKHAI_SMTP_CONNECTIONS=4",
    "report_link_days": "TRIENKHAI_REPORT_LINK_DAYS=60",
    "zalo_daily_quota": "TRIENKHAI_ZALO_DAILY_QUOTA=500",
}


_WHY = {
    "int_parsing": "phải là một số nguyên", "float_parsing": "phải là một số",
    "time_parsing": "phải là giờ:phút", "time_type": "phải là giờ:phút",
    "bool_parsing": "phải là true hoặc false", "extra_forbidden": "không có thiết lập này",
    "greater_than_equal": "nhỏ hơn mức cho phép", "less_than_equal": "lớn hơn mức cho phép",
    "path_type": "phải là một đường dẫn tệp",
}


class Settings(BaseSettings):
    """Settings in force; environment variables win over the TOML file, which wins over defaults."""

    model_config = SettingsConfigDict(env_prefix="TRIENKHAI_", extra="forbid")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None
    # Working calendar: a province's own days off / extra working days (ISO dates).
    extra_days_off: Days = []
    extra_working_days: Days = []
    # A province's own calendar file (same form as schedules/data/vn_calendar.yaml), over the national one.
    calendar_file: Path | None = None
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
    # Zalo messages sent a day at most (the OA's ZNS daily quota, or less to keep some for other uses); once
    # reached, that day's messages go by e-mail instead. None: no limit of ours.
    zalo_daily_quota: int | None = Field(default=None, ge=0)
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
    """Settings read once per process (tests clear the cache after changing the environment); a wrong value is
    one Vietnamese line naming the setting and a valid example, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        raise _wrong(name, str(error.get("input")), _WHY.get(error["type"], "giá trị không đọc được")) from None
    except SettingsError as exc:
        name = str(exc).partition('field "')[2].partition('"')[0]
        raise _wrong(name, "", "không đọc được giá trị") from None


def _wrong(name: str, value: str, why: str) -> ConfigError:
    example = EXAMPLES.get(name, f"TRIENKHAI_{name.upper()}=…")
    where = f"TRIENKHAI_{name.upper()} (hoặc “{name}” trong {_config_file()})"
    shown = f" = {value}" if value else ""
    return ConfigError(f"Thiết lập {where}{shown} không hợp lệ ({why}); ví dụ: {example}")
