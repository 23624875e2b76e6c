"""Running `trienkhai` as office staff do, under a time and memory bound, and reading what it says."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from errors import InputError

ROOT = Path(__file__).resolve().parents[2]
# A hostile file must be refused within these bounds (the command itself starts in about 3 s and 200 MB).
SECONDS = 60
MEMORY_BYTES = 1_500_000_000


@dataclass(frozen=True)
class Run:
    """What one command did: exit code, output, error output on one line, and the time it took."""

    code: int
    out: str
    err: str
    seconds: float

    @property
    def said(self) -> str:
        """Error output with the terminal's line wrapping undone, so that a message reads as one line."""
        return " ".join(self.err.split())


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))


def trienkhai(*args: str, home: Path) -> Run:
    """Run `python -m cli.main ARGS` in its own data folder, with no more than SECONDS and MEMORY_BYTES."""
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "COLUMNS": "200"}
    env.pop("TRIENKHAI_DATABASE_URL", None)
    env.pop("TRIENKHAI_CONFIG", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=SECONDS, preexec_fn=_bounded)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def refused(run: Run, error: type[InputError], *fragments: str) -> None:
    """The command refused its input: the exit code of `error`, each fragment said, no traceback, in time."""
    assert "Traceback" not in run.err and "Traceback" not in run.out, run.err[-3000:]
    assert run.code == error.exit_code, (run.code, run.err[-3000:])
    for fragment in fragments:
        assert fragment in run.said, (fragment, run.said[-3000:])
    assert run.seconds < SECONDS
