"""Benchmark: dispatch ~10,000 notifications to a real SMTP server on loopback (in its own process).

Target (issue 17): at least 300 messages per second over several connections in parallel, with zero lost and
zero duplicated, counted on the server side. Six plans ask every chi bộ of Quảng Trị 2017 (1,660) for an
activity; the reminders of all six are sent. The floor printed beside it is the same dispatch over one connection.
The server keeps each message's headers (bodies are not parsed, as a mail server that stores them does not) and
counts by Message-ID; the CPU each side spends per message is printed, since both share the machine's two cores.
Run: .venv/bin/python bench/notifications_dispatch.py [--connections 4] [--plans 6] [--no-floor]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from _common import line, timed

sys.path.insert(0, str(Path(__file__).parents[1]))

from hierarchy.generate import generate_quang_tri_2017  # noqa: E402
from notifications.channels import SmtpChannel  # noqa: E402
from notifications.dispatch import dispatch  # noqa: E402
from rollout.reconcile import advance  # noqa: E402
from rollout.service import issue_plan  # noqa: E402
from schedules import WorkingCalendar  # noqa: E402
from settings import Settings  # noqa: E402
from storage import UnitOfWork, make_engine, upgrade  # noqa: E402
from storage.units import apply_hierarchy  # noqa: E402
from tests.notifications.smtp_sink import Sink, free_port, start  # noqa: E402
from tests.notifications.test_delivery import PLAN, REMIND_AT  # noqa: E402

CAL = WorkingCalendar()


def serve(port: int, ready, stop, out) -> None:  # type: ignore[no-untyped-def]
    """The SMTP server process: receive until told to stop, then report every Message-ID received and the CPU
    seconds the server used (it shares the machine's two cores with the dispatcher)."""
    sink = Sink(headers_only=True)
    controller = start(port, sink)
    ready.set()
    stop.wait()
    controller.stop()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out.put((sink.ids(), usage.ru_utime + usage.ru_stime))


def outbox(plans: int, url: str | None = None) -> tuple[object, int]:
    """A fresh database (SQLite unless `url` names an empty one) whose outbox holds the reminders of `plans` plans
    to every chi bộ."""
    folder = Path(tempfile.mkdtemp(prefix="trienkhai-bench-"))
    engine = make_engine(url or f"sqlite:///{folder / 'dispatch.db'}")
    upgrade(engine)
    with UnitOfWork(engine) as uow:
        apply_hierarchy(uow.session, generate_quang_tri_2017(), now=datetime(2017, 8, 1, tzinfo=UTC), actor="bench")
        for n in range(plans):
            plan = folder / f"plan{n}.yaml"
            plan.write_text(PLAN.replace("21-KH/TU", f"{21 + n}-KH/TU"), encoding="utf-8")
            issue_plan(uow.session, plan, now=datetime(2017, 9, 1, 2, tzinfo=UTC), actor="bench", calendar=CAL)
        advance(uow.session, datetime(2017, 9, 5, 1, tzinfo=UTC), calendar=CAL)
        messages = advance(uow.session, REMIND_AT, calendar=CAL).messages
        uow.commit()
    return engine, messages


class Measured(NamedTuple):
    messages: int  # in the outbox
    seconds: float  # to dispatch them
    rate: float  # messages sent per second
    received: Counter[str]  # Message-IDs the server received, with how many times
    cpu_ms: float  # CPU of the dispatching process per message sent
    server_cpu_ms: float  # CPU of the SMTP server per message sent


def measure(plans: int, connections: int) -> Measured:
    """Dispatch the outbox of `plans` plans over `connections` connections to a server in its own process."""
    engine, messages = outbox(plans)
    port = free_port()
    ready, stop, out = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(port, ready, stop, out))
    server.start()
    ready.wait(30)
    channel = SmtpChannel("127.0.0.1", port, connections=connections)
    cpu = time.process_time()
    seconds, result = timed(lambda: dispatch(engine, REMIND_AT, channel=channel, calendar=CAL))  # type: ignore[arg-type]
    cpu = time.process_time() - cpu
    stop.set()
    received, server_cpu = out.get(timeout=60)
    server.join()
    sent = max(1, result.sent)  # type: ignore[attr-defined]
    return Measured(messages, seconds, sent / seconds, Counter(received), cpu / sent * 1000, server_cpu / sent * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=Settings.model_fields["smtp_connections"].default)
    parser.add_argument("--plans", type=int, default=6, help="plans whose reminders fill the outbox (1,660 each)")
    parser.add_argument("--no-floor", action="store_true", help="skip the one-connection run")
    args = parser.parse_args()
    floor = None if args.no_floor else measure(args.plans, 1)
    run = measure(args.plans, args.connections)
    line("notifications in the outbox", f"{run.messages:,}")
    line("dispatched: seconds", f"{run.seconds:.1f}")
    line(f"messages per second, {args.connections} connections", f"{run.rate:,.0f}",
         f"target ≥ 300: {'met' if run.rate >= 300 else f'missed by {300 - run.rate:,.0f}'}")
    if floor is not None:
        line("messages per second, one connection (floor)", f"{floor.rate:,.0f}",
             f"{run.rate / floor.rate:.1f}× the floor with {args.connections}")
    line("  dispatcher CPU per message: ms", f"{run.cpu_ms:.2f}", "≤ 3.3 ms leaves room for 300/s on one core")
    line("  SMTP server CPU per message: ms", f"{run.server_cpu_ms:.2f}", "headers kept, bodies not parsed")
    line("received by the server (distinct Message-IDs)", f"{len(run.received):,}")
    line("lost (sent − distinct received)", f"{run.messages - len(run.received):,}", "target 0")
    line("duplicated (received more than once)", f"{sum(c - 1 for c in run.received.values()):,}", "target 0")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

if __name__ == "__main__":
    main()
