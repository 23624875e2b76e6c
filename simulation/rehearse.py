"""A rehearsal: a scratch database with the hierarchy, the plan issued, a simulated period, the reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from sqlalchemy import Engine, func, select

from compliance.run import run_compliance_detailed
from hierarchy import Unit
from notifications.channels import OutboxFolderChannel
from rollout.service import issue_plan
from schedules import WorkingCalendar
from schedules.render import local_datetime
from simulation.simulate import Behaviour, SimulationResult, simulate
from storage import UnitOfWork, make_engine, upgrade
from storage.files import list_folders
from storage.models import OutboxRow
from storage.units import apply_hierarchy

__all__ = ["Rehearsal", "rehearse"]


@dataclass
class Rehearsal:
    """The outcome: the scratch database, what the simulation did, the files it produced (the report folders kept in
    the database, newest first, and the copy of the last one on disk)."""

    engine: Engine
    number: str
    result: SimulationResult
    reports: list[Path]
    outbox: Path
    messages_by_template: dict[str, int]
    report_folders: list[str] = field(default_factory=list)


def rehearse(plan: Path, units: list[Unit], start: date, until: date, *, seed: int, out: Path,
             calendar: WorkingCalendar, sender: str, on_day: Callable[[date], None] | None = None) -> Rehearsal:
    """Import `units` into a fresh database under `out`, issue `plan` before `start`, simulate, report."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "trienkhai.db"
    for stale in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        stale.unlink(missing_ok=True)  # a rehearsal always starts from nothing, so a seed gives the same year
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    issued = local_datetime(min(start, _issue_day(plan)), time(8, 0))
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, units, now=issued, actor="mô phỏng")
        prepared, _ = issue_plan(uow.session, plan, actor="mô phỏng", calendar=calendar, now=issued)
        uow.commit()
    outbox = out / "outbox"
    result = simulate(engine, start, until, seed=seed, calendar=calendar, behaviour=Behaviour(),
                      channel=OutboxFolderChannel(outbox, sender), on_day=on_day)
    reports = run_compliance_detailed(engine, local_datetime(until, time(17, 0)), out / "reports",
                                      calendar=calendar).paths
    with UnitOfWork(engine) as uow:
        counts = dict(uow.session.execute(
            select(OutboxRow.template, func.count()).where(OutboxRow.status == "sent").group_by(OutboxRow.template)
        ).all())
        folders = [folder for folder, _ in list_folders(uow.session, "reports/")]
    return Rehearsal(engine, prepared.compiled.directive.number, result, reports, outbox, counts, folders)


def _issue_day(plan: Path) -> date:
    from plans.document import load_plan

    return load_plan(plan).directive.issued_on
