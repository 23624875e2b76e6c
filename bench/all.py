"""Run every benchmark in sequence and write one table of figures beside their targets (docs/bench.md).

Each script prints its figures through _common.line, which also records them when TRIENKHAI_BENCH_RECORD
names a file; this collects those records into a markdown table with the run's date, commit and machine.
A script that fails is named in the table and the run goes on. Takes about 10 minutes on 2 cores.
Run: .venv/bin/python bench/all.py [--only NAME ...] [--out docs/bench.md]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# (script, arguments): the order puts the cheap ones first, so a late failure still leaves figures.
SCRIPTS: list[tuple[str, list[str]]] = [
    ("startup", []),
    ("hierarchy_import", []),
    ("issue_national", ["--skip-prefect"]),
    ("weekly_national", []),
    ("notifications_dispatch", []),
    ("delivery_window", []),
    ("web_load", []),
    ("api_submissions", []),
    ("service", []),
]


def _machine() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} at the end"


def _commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


def run(names: list[str]) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Run the named scripts; return their figures and, per script, how it ended (seconds or the failure)."""
    record = Path(tempfile.mkdtemp(prefix="trienkhai-bench-")) / "figures.jsonl"
    ended: dict[str, str] = {}
    for name, args in SCRIPTS:
        if names and name not in names:
            continue
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *args], cwd=ROOT,
                              env={**os.environ, "TRIENKHAI_BENCH_RECORD": str(record)})
        seconds = time.perf_counter() - start
        ended[name] = f"{seconds:.0f} s" if done.returncode == 0 else f"failed (exit {done.returncode})"
    figures = [json.loads(x) for x in record.read_text(encoding="utf-8").splitlines()] if record.exists() else []
    return figures, ended


def table(figures: list[dict[str, str]], ended: dict[str, str]) -> str:
    """The markdown page: one row per figure, grouped by script, with how each script ended."""
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit {_commit()}, {_machine()}. "
        "Made by `bench/all.py`; each figure is printed by the script named beside it. The machine is shared, "
        "so compare medians and ratios, not single runs.",
        "",
        "| script | figure | value | target / floor |",
        "|---|---|---|---|",
    ]
    for f in figures:
        cells = [f["script"], f["label"].strip(), f["value"].strip(), f["target"].strip()]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "| script | ended |", "|---|---|"]
    lines += [f"| {name} | {how} |" for name, how in ended.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=[], help="names of the scripts to run (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench.md")
    options = parser.parse_args()
    figures, ended = run(options.only)
    text = table(figures, ended)
    options.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
