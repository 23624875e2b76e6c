"""Shared helpers of the benchmark scripts: timing, peak memory, a fresh SQLite database."""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from storage import make_engine, upgrade


def fresh_sqlite(name: str) -> tuple[Engine, Path]:
    """A migrated SQLite file in a new temporary folder."""
    path = Path(tempfile.mkdtemp(prefix="trienkhai-bench-")) / f"{name}.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine, path


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by one call, and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def repeat(fn: Callable[[], object], n: int) -> tuple[float, float]:
    """Median and 95th percentile (seconds) of n calls."""
    samples = sorted(timed(fn)[0] for _ in range(n))
    return statistics.median(samples), samples[max(0, int(round(0.95 * n)) - 1)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, value: str, target: str = "") -> None:
    """Print one figure, with its target when there is one; bench/all.py also collects it (TRIENKHAI_BENCH_RECORD)."""
    print(f"{label:<58} {value:>14}   {target}", flush=True)
    record = os.environ.get("TRIENKHAI_BENCH_RECORD")
    if record:
        script = Path(sys.argv[0]).stem
        with open(record, "a", encoding="utf-8") as out:
            out.write(json.dumps({"script": script, "label": label, "value": value, "target": target},
                                 ensure_ascii=False) + "\n")
