"""Writers of a SQLite file wait their turn in the kernel, across processes: the next goes as soon as one is done."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from sqlalchemy import create_engine

from storage import make_engine
from storage.db import writer_turn

HOLD = 0.5


def _hold_turn(url: str, held: multiprocessing.synchronize.Event) -> None:
    with writer_turn(make_engine(url)):
        held.set()
        time.sleep(HOLD)


def test_a_writer_in_another_process_waits_for_the_turn_and_goes_at_once_when_it_is_free(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    other = context.Process(target=_hold_turn, args=(url, held))
    other.start()
    try:
        assert held.wait(60), "the other process never took its turn"
        asked = time.monotonic()
        with writer_turn(make_engine(url)):
            waited = time.monotonic() - asked
    finally:
        other.join(30)
    assert other.exitcode == 0
    # It waited for the other's turn to end (about HOLD, less what passed before asking), then no polling delay.
    assert 0.2 < waited < HOLD + 0.2, waited


def test_postgresql_and_memory_databases_take_no_turn() -> None:
    for url in ("sqlite://", "postgresql+psycopg://nobody@127.0.0.1:1/none"):  # never connected to
        engine = create_engine(url)
        with writer_turn(engine), writer_turn(engine):  # a turn taken twice would wait forever
            pass
