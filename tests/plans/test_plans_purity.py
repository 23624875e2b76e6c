"""The plan language is pure: importing it loads neither the database, Prefect nor templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_importing_plans_loads_no_sqlalchemy_prefect_or_jinja2() -> None:
    code = ("import sys, plans, plans.source, plans.schema, plans.compiled, plans.compiler, plans.document, "
            "plans.selection, plans.quotas, hierarchy\n"
            "print(sorted(m for m in ('sqlalchemy', 'prefect', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "[]"
