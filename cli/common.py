"""What every command shares: the console, the database of the settings in force, the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from sqlalchemy import Engine

from settings import get_settings
from storage import UnitOfWork, open_database

console = Console(highlight=False)


def database() -> Engine:
    """The configured database, created and migrated on first use when it is the embedded SQLite file."""
    return open_database(get_settings().effective_database_url)


def unit_of_work() -> UnitOfWork:
    """A unit of work on the configured database."""
    return UnitOfWork(database())


def now_utc() -> datetime:
    """The current instant; the only place the CLI reads the clock (the domain never does)."""
    return datetime.now(UTC)


def actor() -> str:
    """Who is acting, for the audit log: the operating-system user of the CLI."""
    import getpass

    return f"cli:{getpass.getuser()}"
