"""The pure schedules code must not pull in the database, Prefect or templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_schedules_loads_no_sqlalchemy_prefect_or_jinja2() -> None:
    code = (
        "import sys, schedules, schedules.calendar, schedules.expressions, schedules.cascade, "
        "schedules.recurrence, schedules.render\n"
        "print(sorted(m for m in ('sqlalchemy', 'prefect', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "[]"
