"""Benchmark: how long `trienkhai --help` and `trienkhai --version` take, start-up included (median of 10).

Target (issue 17): `trienkhai --help` ≤ 0.5 s. The floor is a bare `python -c pass` in the same run.
Run: .venv/bin/python bench/startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import line

RUNS = 10


def median_seconds(args: list[str]) -> float:
    """Median wall time of RUNS runs of a command (the first run, which warms the file cache, not counted)."""
    samples = []
    for _ in range(RUNS + 1):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples[1:])


def main() -> None:
    script = Path(sys.executable).with_name("trienkhai")  # the console script the office runs
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]
    floor = median_seconds([sys.executable, "-c", "pass"])
    line("floor: python -c pass: seconds", f"{floor:.2f}")
    line("trienkhai --help: seconds (median of 10)", f"{median_seconds([*cli, '--help']):.2f}", "target ≤ 0.5 s")
    line("trienkhai --version: seconds (median of 10)", f"{median_seconds([*cli, '--version']):.2f}")


if __name__ == "__main__":
    main()
