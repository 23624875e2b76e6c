"""`trienkhai --help` comes back at once: it lists every command without importing Prefect, the database layer or
the document writers, and the summaries it shows are those of the real commands."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest

from cli.lazy import load
from cli.main import COMMANDS

HEAVY = ("prefect", "matplotlib", "docx", "openpyxl", "sqlalchemy", "jinja2", "networkx")

_PROBE = """
import json, sys
sys.argv = ["trienkhai", *sys.argv[1:]]
from cli.main import run
try:
    run()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["--version"], []], ids=["help", "version", "no-arguments"])
def test_the_help_and_the_version_import_no_heavy_library(args: list[str]) -> None:
    result = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stderr.splitlines()[-1]))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    if args != ["--version"]:
        assert "compliance" in result.stdout and "Báo cáo tổng hợp tình hình triển khai hằng tuần." in result.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_listed_summary_is_the_first_paragraph_of_the_real_help(name: str) -> None:
    entry = COMMANDS[name]
    real = load(name, entry)
    text = inspect.cleandoc(real.short_help or real.help or "").split("\n\n")[0].replace("\n", " ").strip()
    assert entry.summary == text
