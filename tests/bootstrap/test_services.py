"""The services of a process: built once from the settings in force, the database opened only when needed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bootstrap import Services, services
from errors import StorageError
from settings import get_settings
from storage import make_engine, upgrade
from storage.migrate import current_revision, head_revision


def test_built_once_and_the_database_only_when_needed(tmp_path: Path) -> None:
    """A command that needs no database (a calendar question, `plan check`) leaves no database file behind."""
    first = services()
    assert services() is first
    assert first.calendar is first.calendar
    database = Path(get_settings().home) / "trienkhai.db"
    assert first.calendar.is_working_day(date(2025, 4, 30)) is False  # Ngày Giải phóng miền Nam
    assert not database.exists()
    assert current_revision(first.engine) == head_revision()  # the embedded file, created and migrated
    assert database.exists()
    assert first.engine is services().engine


def test_settings_read_again_give_new_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """A province's own day off, set in the environment, is in the calendar every entry point takes."""
    before = services()
    assert before.calendar.is_working_day(date(2025, 2, 10))
    monkeypatch.setenv("TRIENKHAI_EXTRA_DAYS_OFF", "2025-02-10")
    get_settings.cache_clear()
    after = services()
    assert after is not before
    assert not after.calendar.is_working_day(date(2025, 2, 10))


def test_services_over_a_database_and_a_clock(db_url: str) -> None:
    """Tests and rehearsals pin the clock and name the database; everything else comes from the settings."""
    pinned = datetime(2017, 6, 20, 2, tzinfo=UTC)
    wired = Services.over(db_url, lambda: pinned)
    assert wired.now() == pinned
    assert wired.settings.effective_database_url == db_url
    if db_url.startswith("postgresql"):
        # A server database is never migrated behind the operator's back: the message says what to run.
        with pytest.raises(StorageError, match="trienkhai db upgrade"):
            _ = wired.engine
        migrating = make_engine(db_url)
        upgrade(migrating)
        migrating.dispose()
        wired = Services.over(db_url, lambda: pinned)
    try:
        assert "obligations" in inspect(wired.engine).get_table_names()
        assert Services.over(wired.engine).engine is wired.engine
    finally:
        wired.engine.dispose()
