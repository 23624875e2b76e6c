"""Benchmark: import the generated national hierarchy into SQLite, then count a province's subtree.

Targets (issue 2, this 2-core machine): import of ~300,000 units ≤ 10 s with peak memory ≤ 1 GB;
subtree counts for one province ≤ 20 ms median. Run: .venv/bin/python bench/hierarchy_import.py
"""

from __future__ import annotations

import gc
from datetime import UTC, datetime

from _common import fresh_sqlite, line, peak_rss_mb, repeat, timed
from sqlalchemy import select

from hierarchy.generate import generate_national
from storage import UnitOfWork
from storage.models import UnitRow
from storage.units import apply_hierarchy, counts_by_kind, subtree_units

NOW = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def main() -> None:
    engine, path = fresh_sqlite("national")
    base_mb = peak_rss_mb()
    gen_s, units = timed(generate_national)
    line("generate national hierarchy (units)", f"{len(units):,}")  # type: ignore[arg-type]
    line("generate: seconds", f"{gen_s:.2f}")

    def do_import() -> object:
        with UnitOfWork(engine) as uow:
            result = apply_hierarchy(uow.session, units, now=NOW, actor="bench")  # type: ignore[arg-type]
            uow.commit()
        return result

    import_s, _ = timed(do_import)
    line("import into SQLite (validate + diff + insert): seconds", f"{import_s:.2f}", "target ≤ 10 s")
    line("peak memory of the process: MB", f"{peak_rss_mb():.0f}", f"target ≤ 1024 MB (≈{base_mb:.0f} MB before)")
    reimport_s, _ = timed(do_import)
    line("re-import of the same units (no change): seconds", f"{reimport_s:.2f}")
    units.clear()  # type: ignore[attr-defined]  # timed() returns object; the units' memory is freed here
    gc.collect()

    with UnitOfWork(engine) as uow:
        provinces = list(
            uow.session.scalars(select(UnitRow.code).where(UnitRow.kind == "tinh_uy").order_by(UnitRow.code))
        )
        biggest = max(provinces, key=lambda c: len(subtree_units(uow.session, c)))
        size = len(subtree_units(uow.session, biggest))

        median, p95 = repeat(lambda: counts_by_kind(uow.session, biggest), 50)
        line(f"subtree counts per kind, largest province ({size:,} units): ms", f"{median * 1000:.1f}",
             "target ≤ 20 ms median")
        line("  p95: ms", f"{p95 * 1000:.1f}")
        median, _ = repeat(lambda: subtree_units(uow.session, biggest, kinds=["chi_bo"]), 10)
        line("all chi bộ of that province as rows: ms (median)", f"{median * 1000:.1f}")
    line("database file: MB", f"{path.stat().st_size / 1e6:.0f}")


if __name__ == "__main__":
    main()
