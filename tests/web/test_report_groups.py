"""Reports handed in at the same moment are written together, and each keeps its own outcome: recorded, replayed
under its key, or refused, with counts, consolidations and the audit chain as if written one by one."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from errors import ConflictError, NotFound
from rollout import summary
from rollout.intake import HandedIn, Pending, check_report
from storage import UnitOfWork
from storage.audit import verify
from storage.groups import GroupCommit
from storage.models import (
    AccountRow,
    DirectiveRow,
    ObligationRow,
    RollupCountRow,
    RollupFigureRow,
    SubmissionRow,
    UnitRow,
)
from tests.web.conftest import Site
from web.report_queue import QueuedReport, write_reports

KEY = "bao-cao-chi-dao-diem"


def _answer(done: HandedIn) -> dict[str, Any]:
    return {"obligation": done.obligation.id, "status": done.obligation.status}


def _queued(site: Site, obligation_id: int, *, key: str | None = None, data: dict[str, Any] | None = None,
            digest: str = "same") -> QueuedReport:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        obligation = s.get_one(ObligationRow, obligation_id)
        report = check_report(s.get_one(DirectiveRow, obligation.directive_id), s.get_one(UnitRow, obligation.unit_id),
                              obligation, data=data or {"so_dien_dan": 1, "so_dang_vien_tham_du": 20}, document=None,
                              now=site.clock())
        account = s.scalar(select(AccountRow.id).where(AccountRow.username == "giolinh"))
    assert account is not None
    return QueuedReport(Pending(report, site.clock(), "api:giolinh"), account, key, digest, _answer)


def _pilot_cells(site: Site) -> list[int]:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        return list(uow.session.scalars(select(ObligationRow.id).where(
            ObligationRow.directive_id == site.directive_id, ObligationRow.key == KEY, ObligationRow.level == 3,
            ObligationRow.status == "overdue").order_by(ObligationRow.id)))


def _rollups(site: Site) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        counts = s.execute(select(RollupCountRow.unit_id, RollupCountRow.key, RollupCountRow.status,
                                  RollupCountRow.due_at, RollupCountRow.n).order_by(*RollupCountRow.__table__.c)).all()
        figures = s.execute(select(RollupFigureRow.unit_id, RollupFigureRow.key, RollupFigureRow.period,
                                   RollupFigureRow.field, RollupFigureRow.below)
                            .order_by(RollupFigureRow.unit_id, RollupFigureRow.field)).all()
        return [tuple(r) for r in counts], [tuple(r) for r in figures]


def test_a_group_records_each_report_once_and_refuses_or_replays_the_others_alone(site: Site, tmp_path: Path) -> None:
    cells = _pilot_cells(site)
    assert len(cells) >= 3
    first, second, third = cells[:3]
    group = [
        _queued(site, first, key="k-1"),
        _queued(site, second, data={"so_dien_dan": 2, "so_dang_vien_tham_du": 31}),
        _queued(site, first),  # the same item again, without a key: already handed in by the first
        _queued(site, first, key="k-1"),  # a retry of the first: its answer
        _queued(site, first, key="k-1", digest="other"),  # the first's key with another request: refused
        _queued(site, third, data={"so_dien_dan": 3, "so_dang_vien_tham_du": 12}, key="k-3"),
    ]
    write_reports(site.engine, tmp_path, group)  # type: ignore[arg-type]

    recorded, plain, twice, retry, misused, last = group
    assert recorded.outcome == {"obligation": first, "status": "done_late"} and recorded.replay is None
    assert plain.outcome == {"obligation": second, "status": "done_late"}
    assert isinstance(twice.outcome, ConflictError) and "hoàn thành quá hạn" in str(twice.outcome)
    assert retry.replay is not None and retry.replay.response == recorded.outcome and retry.outcome is None
    assert misused.replay is not None and misused.replay.request_hash != misused.digest
    assert last.outcome == {"obligation": third, "status": "done_late"}
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        assert s.scalar(select(func.count()).select_from(SubmissionRow)) == 3
        assert verify(s).broken_id is None and verify(s).count >= 3

    # What the group wrote at the units above equals counting and consolidating the directive again.
    written = _rollups(site)
    assert any(field == "so_dang_vien_tham_du" and below == 63.0 for *_, field, below in written[1])
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        summary.rebuild(uow.session, site.directive_id)
        uow.commit()
    assert _rollups(site) == written


def test_a_report_that_breaks_its_group_fails_alone_and_the_others_are_recorded(site: Site, tmp_path: Path) -> None:
    cells = _pilot_cells(site)
    good, broken, gone = _queued(site, cells[0]), _queued(site, cells[1]), _queued(site, cells[2])

    def fails(done: HandedIn) -> dict[str, Any]:
        raise RuntimeError("mất kết nối")

    broken.respond = fails
    # An item removed by an amendment of the plan after its checks passed.
    removed = ObligationRow(id=10**9, key=KEY)
    gone.pending = replace(gone.pending, report=replace(gone.pending.report, obligation=removed))
    write_reports(site.engine, tmp_path, [good, broken, gone])  # type: ignore[arg-type]
    assert good.outcome == {"obligation": cells[0], "status": "done_late"} and good.failure is None
    assert broken.outcome is None and isinstance(broken.failure, RuntimeError)
    assert isinstance(gone.outcome, NotFound) and "không còn nội dung" in str(gone.outcome)
    with UnitOfWork(site.engine) as uow:  # type: ignore[arg-type]
        s = uow.session
        assert s.scalar(select(func.count()).select_from(SubmissionRow)) == 1
        assert s.get_one(ObligationRow, cells[1]).status == "overdue"  # nothing of the broken one was kept


def test_jobs_queued_while_a_group_is_written_make_the_next_group() -> None:
    groups: list[list[int]] = []
    started, release = threading.Event(), threading.Event()

    def write(jobs: list[int]) -> None:
        groups.append(jobs)
        if len(groups) == 1:
            started.set()
            assert release.wait(5)
        if 99 in jobs:
            raise RuntimeError("disque plein")

    commit: GroupCommit[int] = GroupCommit(write)
    errors: dict[int, BaseException] = {}

    def hand_in(job: int) -> None:
        try:
            commit.run(job)
        except RuntimeError as exc:
            errors[job] = exc

    threads = [threading.Thread(target=hand_in, args=(0,))]
    threads[0].start()
    assert started.wait(5)
    threads += [threading.Thread(target=hand_in, args=(job,)) for job in (1, 2, 3, 99)]
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 5
    while len(commit._queue) < 4 and time.monotonic() < deadline:  # noqa: SLF001 - wait until all four queued
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(5)
    assert groups[0] == [0] and sorted(groups[1]) == [1, 2, 3, 99] and len(groups) == 2
    # An error of the write reaches every thread whose job it was writing, and no other.
    assert sorted(errors) == [1, 2, 3, 99]
