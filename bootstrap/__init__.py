"""What a process of trienkhai works with, wired once: settings, database, working calendar, channels, clock.

The CLI, the web app and the flows take their dependencies from `services()`; tests build `Services` for
their own database and clock. Nothing here is a framework: a frozen record, built from the settings in force,
whose database and calendar are made on first use (a command that needs neither never creates a database).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from notifications.channels import OutboxFolderChannel, SmtpChannel
    from notifications.zalo import ZaloRoute
    from schedules import WorkingCalendar

__all__ = ["Clock", "Services", "services", "wall_clock"]

Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    """The current instant, aware, in UTC: the one reading of the real clock in the whole program."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """The dependencies of one process; `database` is an engine already open (tests, a rehearsal), otherwise
    the settings' database is opened, and the embedded SQLite file created and migrated, on first use."""

    settings: Settings
    clock: Clock = wall_clock
    database: Engine | None = field(default=None, repr=False)

    @classmethod
    def over(cls, database: Engine | str, clock: Clock = wall_clock) -> Services:
        """Services over a given database (an open engine, or a URL opened on first use) and clock, with the
        settings in force otherwise: for tests, rehearsals and a dashboard pinned to a simulated day."""
        if isinstance(database, str):
            return cls(get_settings().model_copy(update={"database_url": database}), clock)
        return cls(get_settings(), clock, database)

    @cached_property
    def engine(self) -> Engine:
        """The database of record, one engine per process."""
        if self.database is not None:
            return self.database
        from storage import open_database

        return open_database(self.settings.effective_database_url)

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """The working calendar of the settings: the State's days off, the province's own, office hours."""
        from schedules import WorkingCalendar

        return WorkingCalendar.from_settings(self.settings)

    def now(self) -> datetime:
        """The current instant by this process's clock (tests and rehearsals pin it)."""
        return self.clock()

    def channel(self) -> SmtpChannel | OutboxFolderChannel:
        """A fresh mail channel for one dispatcher pass: SMTP when configured, else .eml files in the outbox."""
        from notifications.channels import channel_from_settings

        return channel_from_settings(self.settings)

    def zalo(self) -> ZaloRoute | None:
        """The Zalo route when the OA is configured (its tokens are re-read from the data folder each pass)."""
        from notifications.zalo import zalo_from_settings

        return zalo_from_settings(self.settings)


_current: Services | None = None


def services() -> Services:
    """The process's services, built once from the settings in force (again only after tests re-read them)."""
    global _current
    settings = get_settings()
    if _current is None or _current.settings is not settings:
        _current = Services(settings)
    return _current
