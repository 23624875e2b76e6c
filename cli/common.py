"""What every command shares: the console, the database of the settings in force (from `bootstrap`), the clock."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from sqlalchemy import Engine

from bootstrap import services
from storage import UnitOfWork

console = Console(highlight=False)


def database() -> Engine:
    """The configured database, created and migrated on first use when it is the embedded SQLite file."""
    return services().engine


def unit_of_work(*, writer: bool = False) -> UnitOfWork:
    """A unit of work on the configured database; `writer` for a command that writes (it appends to the audit
    log, whose chain needs the database's write lock from the start on SQLite)."""
    return UnitOfWork(database(), writer=writer)


def now_utc() -> datetime:
    """The current instant; the only place the CLI reads the clock (the domain never does)."""
    return services().now()


def actor() -> str:
    """Who is acting, for the audit log: the operating-system user of the CLI."""
    import getpass

    return f"cli:{getpass.getuser()}"


def instant(text: str | None) -> datetime:
    """An ISO instant typed at the command line; without an offset it is Vietnam's wall-clock time, as an
    office reads it. Empty: now."""
    from errors import InputError, Problem
    from schedules.render import LOCAL_TZ

    if not text:
        return now_utc()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(
            f"“{text}” không phải thời điểm hợp lệ; hãy viết theo ISO, ví dụ 2017-06-26T09:00 (giờ Việt Nam) "
            "hoặc 2017-06-26T02:00+00:00", field="--now",
        )]) from None
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
