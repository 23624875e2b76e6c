"""Benchmark: the weekly compliance run for one directive issued to the whole country, with all its outputs.

Setup as issue_national.py: the national hierarchy, one directive to every province, opened; 90% of the
obligations handed in, the rest overdue. Measured: the run end to end (snapshot, per-directive report as
.docx, .xlsx, .html, chart, and the workbook, stored in the database), and the snapshot alone.
Target (issue 17): ≤ 60 s end to end, on SQLite and PostgreSQL. The process's CPU seconds are printed beside the
wall-clock ones, since the machine is shared. `--postgres URL` (a server) runs it on a new database there.
Run: .venv/bin/python bench/weekly_national.py [--postgres URL]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _common import fresh_sqlite, line, timed
from api_submissions import fresh_postgres
from issue_national import PLAN
from sqlalchemy import update

from compliance.run import run_compliance_detailed
from hierarchy.generate import generate_national
from rollout.reconcile import advance
from rollout.service import issue_plan
from schedules import WorkingCalendar
from storage import UnitOfWork
from storage.models import ObligationRow
from storage.units import apply_hierarchy

CAL = WorkingCalendar()


def main() -> None:
    server = sys.argv[sys.argv.index("--postgres") + 1] if "--postgres" in sys.argv else None
    engine = fresh_postgres(server)[0] if server else fresh_sqlite("weekly")[0]
    backend = "PostgreSQL" if server else "SQLite"
    units = generate_national()
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=datetime(2026, 1, 2, tzinfo=UTC), actor="bench")
        uow.commit()
    roots = sorted(u.code for u in units if u.kind.value == "tinh_uy")
    del units
    plan_path = Path(tempfile.mkdtemp()) / "bench.yaml"
    plan_path.write_text(PLAN.format(issuer=roots[0], roots=", ".join(roots)), encoding="utf-8")
    with UnitOfWork(engine) as uow:
        result = issue_plan(uow.session, plan_path, now=datetime(2026, 1, 5, 2, tzinfo=UTC), actor="bench",
                            calendar=CAL)[1]
        uow.commit()
    with UnitOfWork(engine) as uow:
        advance(uow.session, datetime(2026, 2, 2, 3, tzinfo=UTC))
        uow.commit()
    with engine.begin() as conn:  # 90% handed in on time, the rest left to fall overdue
        conn.execute(update(ObligationRow).where(ObligationRow.id % 10 != 0).values(status="done_on_time"))
    with UnitOfWork(engine) as uow:
        advance(uow.session, datetime(2026, 7, 6, 3, tzinfo=UTC))
        uow.commit()
    line("units reached / obligations", f"{result.units:,} / {result.obligations:,}")
    cpu = time.process_time()
    seconds, run = timed(lambda: run_compliance_detailed(engine, datetime(2026, 7, 6, 0, tzinfo=UTC), calendar=CAL))
    cpu = time.process_time() - cpu
    line(f"weekly run, national directive, all outputs ({backend}): seconds", f"{seconds:.1f}", "target ≤ 60 s")
    line("  of which CPU seconds of this process", f"{cpu:.1f}")
    size = sum(len(n) for n in run.names)
    line("files stored", f"{len(run.names)}", f"({size} characters of names)")
    again, _ = timed(lambda: run_compliance_detailed(engine, datetime(2026, 7, 6, 1, tzinfo=UTC), calendar=CAL))
    line("the same week again (replaces the snapshot): seconds", f"{again:.1f}")


if __name__ == "__main__":
    main()
