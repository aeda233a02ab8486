"""The phases of several operations, side by side or one after another.

An operation's stateful phases (idempotency retries, its provider-state scenarios) are a chain:
each request waits for the one before, so at a distance the chain is as long as its round
trips.  A state concerns its own operation only (SPEC 5), and the isolation phase has shown,
before any chain starts, whether this target keeps to that; where it does, each operation's
phases (its stateless cases, then its chain) run in a thread of their own, beside the other
operations' cases and chains.  Where it does not (or one request at a time was asked for),
each operation runs in its turn, in the engine's thread, so that the results are the same.

Every thread runs engine code only while it holds the run's :class:`~harness.engine.baton.Baton`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from harness.engine.baton import Baton


class Chains:
    def __init__(self, baton: Baton, *, side_by_side: int) -> None:
        """``side_by_side``: how many chains may run at once (1: each in its turn, now)."""
        self._baton = baton
        self._pool = ThreadPoolExecutor(side_by_side, "harness-chain") if side_by_side > 1 else None
        self._running: list[Future[None]] = []

    def start(self, chain: Callable[[], None]) -> None:
        """``chain`` run, in a thread of its own (it takes the baton there) or at once."""
        if self._pool is None:
            chain()
            return
        self._running.append(self._pool.submit(self._held, chain))

    def _held(self, chain: Callable[[], None]) -> None:
        with self._baton.held():
            chain()

    def __enter__(self) -> Chains:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Every chain started has ended (its error, if it had one, is raised here)."""
        if self._pool is None:
            return
        with self._baton.waiting():
            try:
                for future in self._running:
                    future.result()
            finally:
                self._pool.shutdown(wait=True)
