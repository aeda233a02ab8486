"""One thread at a time runs the engine; any number wait on the network.

The stateful phases of several operations run side by side (:mod:`harness.engine.chains`),
each in a thread of its own, beside the thread that sends the stateless cases.  What they share
(Hypothesis, the run's records, the listener that draws progress, the exchange's numbering) was
written for one thread, so a thread runs engine code only while it holds the baton, and hands
it on only while it waits for an answer: the time a round trip takes is shared, the CPU is not.
Python's threads would not run that CPU work at once anyway.

A thread that :meth:`Baton.keeps` the baton holds it through its waits too: Hypothesis, while
it shrinks a failure, asks for answers from inside a test function of its own, and no other
thread may draw then.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Baton:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._kept = 0  # depth of keeps() by the holder

    @contextmanager
    def held(self) -> Iterator[None]:
        """Inside the block this thread runs engine code (it waits for the baton first)."""
        self._lock.acquire()
        self._holder = threading.get_ident()
        try:
            yield
        finally:
            self._holder = None
            self._lock.release()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Inside the block this thread waits (for an answer) and another may run: the baton is
        handed on, and taken back after.  A thread that does not hold it (one of the exchange's
        senders) or keeps it goes through unchanged."""
        if self._holder != threading.get_ident() or self._kept:
            yield
            return
        self._holder = None
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._holder = threading.get_ident()

    @contextmanager
    def keeps(self) -> Iterator[None]:
        """Inside the block the holder keeps the baton while it waits."""
        self._kept += self._holder == threading.get_ident()
        try:
            yield
        finally:
            self._kept -= self._holder == threading.get_ident()
