"""Benchmark: the window of at-least-once delivery, from the mail server's acceptance of a message to the commit
that records it as sent.

A dispatcher that dies inside this window has handed the message over but not recorded it: the next pass sends
it again, with the same Message-ID (notifications/dispatch.py). The SMTP server on loopback runs in its own
process and notes the instant it accepts each message (just before its 250 reply to DATA); the dispatcher notes
the instant the transaction that marks the row sent has committed. Both read the system-wide monotonic clock.
Run: .venv/bin/python bench/delivery_window.py [--plans 1] [--connections 4] [--url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from _common import line
from notifications_dispatch import outbox

sys.path.insert(0, str(Path(__file__).parents[1]))

import notifications.dispatch as dispatching  # noqa: E402
from notifications.channels import SmtpChannel  # noqa: E402
from schedules import WorkingCalendar  # noqa: E402
from settings import Settings  # noqa: E402
from tests.notifications.smtp_sink import Sink, free_port, start  # noqa: E402
from tests.notifications.test_delivery import REMIND_AT  # noqa: E402


class AcceptingSink(Sink):
    """Keeps each message and the instant the server accepted it (its 250 reply to DATA)."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted: dict[str, float] = {}

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]
        reply = await super().handle_DATA(server, session, envelope)
        with self.lock:
            self.accepted[str(self.messages[-1][1]["Message-ID"])] = time.monotonic()
        return reply


def serve(port: int, ready, stop, out) -> None:  # type: ignore[no-untyped-def]
    """The SMTP server process: receive until told to stop, then report when each Message-ID was accepted."""
    sink = AcceptingSink()
    controller = start(port, sink)
    ready.set()
    stop.wait()
    controller.stop()
    out.put(sink.accepted)


def recording_commits(committed: dict[str, float]):  # type: ignore[no-untyped-def]
    """The dispatcher's own record step, noting when the commit marking a message sent has returned."""
    record = dispatching._record

    def timed_record(engine, me, row_id, outcome) -> bool:  # type: ignore[no-untyped-def]
        done = record(engine, me, row_id, outcome)
        if done and outcome.counter == "sent":
            committed[str(outcome.values["message_id"])] = time.monotonic()
        return done

    return timed_record


def percentile(samples: list[float], share: float) -> float:
    return sorted(samples)[max(0, round(share * len(samples)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plans", type=int, default=1, help="plans whose reminders fill the outbox (1,660 each)")
    parser.add_argument("--connections", type=int, default=Settings.model_fields["smtp_connections"].default)
    parser.add_argument("--url", help="an empty database to use instead of a fresh SQLite file")
    args = parser.parse_args()
    engine, messages = outbox(args.plans, args.url)
    port = free_port()
    ready, stop, out = multiprocessing.Event(), multiprocessing.Event(), multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(port, ready, stop, out))
    server.start()
    ready.wait(30)
    committed: dict[str, float] = {}
    dispatching._record = recording_commits(committed)  # type: ignore[assignment]
    channel = SmtpChannel("127.0.0.1", port, connections=args.connections)
    result = dispatching.dispatch(engine, REMIND_AT, channel=channel, calendar=WorkingCalendar())  # type: ignore[arg-type]
    stop.set()
    accepted: dict[str, Any] = out.get(timeout=60)
    server.join()
    windows = [(committed[mid] - at) * 1000 for mid, at in accepted.items() if mid in committed]
    backend = "PostgreSQL" if args.url and args.url.startswith("postgresql") else "SQLite"
    where = f"{backend}, {args.connections} connections"
    line(f"messages sent and timed ({where})", f"{len(windows):,} of {messages:,}",
         f"sent {result.sent:,}, received {len(accepted):,}")
    line("window 250 → commit of 'sent': median ms", f"{statistics.median(windows):.1f}")
    line("window 250 → commit of 'sent': p95 ms", f"{percentile(windows, 0.95):.1f}")
    line("window 250 → commit of 'sent': max ms", f"{max(windows):.1f}")


if __name__ == "__main__":
    main()
