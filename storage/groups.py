"""Group commit: what the threads of a process hand in at the same moment is written by one of them, at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["GroupCommit"]

J = TypeVar("J")


@dataclass
class _Entry(Generic[J]):
    job: J
    done: bool = False
    error: BaseException | None = None


class GroupCommit(Generic[J]):
    """Threads call `run(job)`; the thread whose turn comes takes `turn` (shared with other processes), then writes
    every job queued by then (at most `limit`) with `write`, which gives each job its outcome; the threads queued
    behind it find theirs written. Why: with many clients, a transaction per request spent more time taking turns
    for the database's single writer (and for the interpreter, at every statement) than writing; a group pays for
    the turn, the statements its jobs share and the commit once."""

    def __init__(self, write: Callable[[list[J]], None], *, limit: int = 64,
                 turn: Callable[[], AbstractContextManager[object]] = nullcontext) -> None:
        self._write = write
        self._outer_turn = turn
        self._limit = limit
        self._queue: list[_Entry[J]] = []
        self._queued = threading.Lock()
        self._turn = threading.Lock()

    def run(self, job: J) -> None:
        """Return once `job` has been written, by this thread or by another one; an error of `write` is raised in
        every thread whose job it was writing."""
        entry = _Entry(job)
        with self._queued:
            self._queue.append(entry)
        with self._turn:
            while not entry.done:
                with self._outer_turn():  # what queues while waiting for it joins this group
                    with self._queued:
                        group, self._queue = self._queue[:self._limit], self._queue[self._limit:]
                    try:
                        self._write([queued.job for queued in group])
                    except BaseException as exc:  # noqa: BLE001 - handed to every thread of the group, then raised
                        for queued in group:
                            queued.error = exc
                    finally:
                        for queued in group:
                            queued.done = True
        if entry.error is not None:
            raise entry.error
