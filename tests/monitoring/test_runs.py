"""A run records itself: 'running' as soon as it starts, then completed with its counts, or failed with its error."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from monitoring import recorded_run
from storage import UnitOfWork
from storage.service_models import ServiceRunRow


def _runs(engine: Engine) -> list[ServiceRunRow]:
    with UnitOfWork(engine) as uow:
        return list(uow.session.scalars(select(ServiceRunRow).order_by(ServiceRunRow.id)))


def test_a_run_is_visible_while_it_works_then_completed_with_its_counts(engine: Engine) -> None:
    before = datetime.now(UTC)
    with recorded_run(engine, "dispatch", name="gui-thu-2026-12-04-2230", flow_run_id="0b6f-run") as counts:
        # Another connection (the dashboard) already sees the run while it works.
        (seen,) = _runs(engine)
        assert (seen.job, seen.outcome, seen.finished_at) == ("dispatch", "running", None)
        counts.update(sent=12, retried=1, quiet=False)
    (run,) = _runs(engine)
    assert run.outcome == "completed" and run.error is None
    assert run.counts == {"sent": 12, "retried": 1, "quiet": False}
    assert run.name == "gui-thu-2026-12-04-2230" and run.flow_run_id == "0b6f-run"
    assert run.host == socket.gethostname()
    # The wall clock, in UTC, whatever day the flow simulates.
    assert before <= run.started_at <= run.finished_at <= datetime.now(UTC)
    assert run.started_at.tzinfo is not None


def test_a_failing_run_is_recorded_failed_with_its_error_and_the_error_goes_on(engine: Engine) -> None:
    with pytest.raises(ConnectionRefusedError), recorded_run(engine, "advance", name="dieu-phoi") as counts:
        counts["opened"] = 40
        raise ConnectionRefusedError("[Errno 111] Connection refused\n  while sending")
    (run,) = _runs(engine)
    assert run.outcome == "failed" and run.finished_at is not None
    assert run.error == "ConnectionRefusedError: [Errno 111] Connection refused while sending"
    assert run.counts == {"opened": 40}  # what it did before failing is kept


def test_the_record_survives_the_callers_rolled_back_work(engine: Engine) -> None:
    with (
        pytest.raises(RuntimeError),
        recorded_run(engine, "weekly", name="bao-cao-tuan"),
        UnitOfWork(engine) as uow,
    ):
        uow.session.execute(text("UPDATE service_runs SET name = 'ghi-de'"))
        raise RuntimeError("báo cáo hỏng giữa chừng")
    (run,) = _runs(engine)
    assert (run.name, run.outcome, run.error) == ("bao-cao-tuan", "failed", "RuntimeError: báo cáo hỏng giữa chừng")


def test_counts_that_are_not_plain_json_still_complete_the_run(engine: Engine) -> None:
    with recorded_run(engine, "weekly", name="bao-cao-tuan") as counts:
        counts["week"] = datetime(2026, 11, 30, tzinfo=UTC)
        counts["took"] = timedelta(seconds=3)
    (run,) = _runs(engine)
    assert run.outcome == "completed"
    assert run.counts == {"week": "2026-11-30 00:00:00+00:00", "took": "0:00:03"}


def test_an_unknown_job_is_refused_before_anything_is_written(engine: Engine) -> None:
    with pytest.raises(ValueError, match="unknown service job"), recorded_run(engine, "gui-thu", name="x"):
        pass
    assert _runs(engine) == []
