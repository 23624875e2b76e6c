"""A national issue killed with SIGKILL at points spread over its run leaves the whole directive or nothing,
and issuing again afterwards works (the `plan issue` command as the office runs it, on a real SQLite file)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hierarchy.generate import generate_national
from storage import UnitOfWork, make_engine, upgrade
from storage.units import apply_hierarchy

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 10
PLAN = """
directive:
  number: "77-KH/TW"
  kind: KH
  issuer: {issuer}
  issued_on: 2026-01-05
  title: Kế hoạch tổng kết toàn quốc
  signers: [{{form: T/M, body: Ban Bí thư, title: Thường trực, name: Nguyễn Văn A}}]
hierarchy: {{generator: generate_national}}
targets: {{roots: [{roots}]}}
phases:
  - {{name: rollout, opens: "từ tháng 2/2026"}}
obligations:
  - {{key: bao-cao, kind: report, title: Báo cáo kết quả, phase: rollout, due: "trước ngày 30/6/2026",
     units: {{kinds: [dang_uy_xa, dang_uy_truc_thuoc, dang_bo_co_so, chi_bo, chi_bo_co_so]}}}}
"""


def _issue(database: Path, plan: Path, home: Path, output: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRIENKHAI_HOME": str(home), "TRIENKHAI_DATABASE_URL": f"sqlite:///{database}"}
    env.pop("TRIENKHAI_CONFIG", None)
    return subprocess.Popen([sys.executable, "-m", "cli.main", "plan", "issue", str(plan)], env=env, cwd=ROOT,
                            stdout=output, stderr=subprocess.STDOUT)


def _wal_bytes(database: Path) -> int:
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def _stored(database: Path) -> tuple[int, int, str]:
    """Directives and obligations stored, and SQLite's own integrity verdict."""
    with sqlite3.connect(database) as con:
        directives = con.execute("SELECT count(*) FROM directives").fetchone()[0]
        obligations = con.execute("SELECT count(*) FROM obligations").fetchone()[0]
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
    return directives, obligations, verdict


@pytest.mark.slow
def test_a_killed_national_issue_leaves_all_or_nothing_and_can_be_issued_again(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    engine = make_engine(f"sqlite:///{base}")
    upgrade(engine)
    units = generate_national()
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="test")
        uow.commit()
    engine.dispose()
    roots = sorted(u.code for u in units if u.kind.value == "tinh_uy")
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.format(issuer=roots[0], roots=", ".join(roots)), encoding="utf-8")

    # One uninterrupted run: what a complete issue stores, and how far its write-ahead log grows before the commit.
    whole = tmp_path / "whole.db"
    shutil.copy(base, whole)
    process = _issue(whole, plan, tmp_path / "home-whole", output=subprocess.PIPE)
    wal_peak = 0
    while process.poll() is None:
        wal_peak = max(wal_peak, _wal_bytes(whole))
        time.sleep(0.01)
    output = process.communicate()[0].decode()
    assert process.returncode == 0, output
    complete = _stored(whole)
    assert complete[0] == 1 and complete[1] > 100_000 and complete[2] == "ok"
    assert wal_peak > 1_000_000, wal_peak  # the inserts went through the log, so it marks how far issuing got

    # Kill points spread over the run, synchronised on its progress (the log's size), not on the clock: the first
    # while the command starts and compiles, the others at 10% … 90% of the inserts.
    outcomes = []
    for trial in range(TRIALS):
        database = tmp_path / f"trial-{trial}.db"
        shutil.copy(base, database)
        process = _issue(database, plan, tmp_path / f"home-{trial}")
        threshold = wal_peak * trial / TRIALS
        while process.poll() is None and _wal_bytes(database) < max(threshold, 1):
            time.sleep(0.005)
            if trial == 0 and _wal_bytes(database) == 0:
                time.sleep(1.0)  # well inside start-up and compiling
                break
        killed = process.poll() is None
        if killed:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        stored = _stored(database)
        assert stored in ((0, 0, "ok"), complete), (trial, stored)
        outcomes.append((killed, stored[0]))
    assert sum(killed for killed, _ in outcomes) >= TRIALS - 1, outcomes  # every kill point was reached in time

    # Issuing again where a kill left nothing completes the directive.
    empty = next(i for i, (killed, directives) in enumerate(outcomes) if killed and directives == 0)
    again = _issue(tmp_path / f"trial-{empty}.db", plan, tmp_path / "home-again", output=subprocess.PIPE)
    output = again.communicate(timeout=600)[0].decode()
    assert again.returncode == 0, output
    assert _stored(tmp_path / f"trial-{empty}.db") == complete
