"""Generation ahead: some operations' cases drawn in a process of their own, on another core.

Drawing (Hypothesis' valid and invalid streams, the boundary probes) is most of the CPU a run
spends on a local target: measured on loopback against the bundled mock, 1.1 s of a 1.7 s
engine run, against 0.6 s to send and judge 1,032 requests.  What an operation draws before
any answer (its valid stream; for a curated contract its probes and invalid stream too, which
start from the minimal valid body, not from an input the target accepted) is the same in any
process for the same seed, so a helper forked at the start of the run draws every other
operation's while this process draws the rest and sends.  The helper sends each operation's
draws back through a pipe as it finishes them (pickled: bodies, probes), and a thread here
reads them as they come, so that the helper never waits for the engine.

The helper is forked only on Linux and only when this process runs no other thread (a fork
copies just the thread that calls it: a lock another thread held would never be released in
the child).  Where it cannot be forked, or dies, or sends what cannot be read, the engine draws
those operations itself: the results are the same.  It is stopped by its process id when the
run ends.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, BinaryIO

from harness.engine.baton import Baton
from harness.engine.operation import Drawn, OperationRun

#: What the helper draws for one operation after its valid stream.
Draw = Callable[[OperationRun], Drawn]
#: How the helper draws an operation's valid stream.
Stream = Callable[[OperationRun], list[Any]]


class DrawnAhead:
    def __init__(self, pid: int, pipe: BinaryIO, theirs: Sequence[str], baton: Baton) -> None:
        self._pid = pid
        self._parent = os.getpid()
        self._theirs = set(theirs)
        self._baton = baton
        self._arrivals: dict[tuple[str, str], Any] = {}  # (operation, "valid" or "drawn") -> what came
        self._ended = False  # the helper has sent all it will send
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(pipe,), name="harness-drawn-ahead", daemon=True)
        self._reader.start()

    @classmethod
    def start(cls, ops: Sequence[OperationRun], *, stream: Stream, draw: Draw, baton: Baton) -> DrawnAhead | None:
        """A helper drawing every other operation of ``ops`` (the second, the fourth, ...), or
        ``None`` where none can be forked (or there is nothing to give it)."""
        theirs = list(ops[1::2])
        if not theirs or sys.platform != "linux" or threading.active_count() > 1:
            return None
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            os.close(read_end)
            _helper(theirs, stream, draw, write_end)
        os.close(write_end)
        return cls(pid, os.fdopen(read_end, "rb"), [op.id for op in theirs], baton)

    def valid(self, operation: str) -> list[Any] | None:
        """The valid stream the helper drew for ``operation``, once it has (``None``: the engine
        draws it)."""
        got: list[Any] | None = self._arrival(operation, "valid")
        return got

    def drawn(self, operation: str) -> Drawn | None:
        """The rest the helper drew for ``operation``, once it has (``None``: the engine draws it)."""
        got: Drawn | None = self._arrival(operation, "drawn")
        return got

    def _arrival(self, operation: str, kind: str) -> Any:
        if operation not in self._theirs or os.getpid() != self._parent:
            return None  # not the helper's, or asked in the helper itself
        key = (operation, kind)
        with self._baton.waiting(), self._arrived:
            self._arrived.wait_for(lambda: key in self._arrivals or self._ended)
            return self._arrivals.pop(key, None)

    def close(self) -> None:
        """The helper stopped (by its process id) and reaped."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGTERM)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        self._reader.join(timeout=10)

    def _read(self, pipe: BinaryIO) -> None:
        with pipe:
            while True:
                try:
                    operation, kind, drawn = pickle.load(pipe)
                except Exception:  # the end of the pipe, or a helper that died halfway
                    break
                with self._arrived:
                    self._arrivals[(operation, kind)] = drawn
                    self._arrived.notify_all()
        with self._arrived:
            self._ended = True
            self._arrived.notify_all()


def _helper(ops: Sequence[OperationRun], stream: Stream, draw: Draw, write_end: int) -> Any:
    """The forked process: first the valid streams of the operations with scenarios (the run's
    first phase, isolation, reads them all), then each operation's valid stream and the rest,
    in the run's order; then gone without running anything of the parent's (no exit handlers,
    no buffers flushed twice)."""
    status = 0
    try:
        with os.fdopen(write_end, "wb") as out:

            def send(op: OperationRun, kind: str, drawn: Any) -> None:
                pickle.dump((op.id, kind, drawn), out, protocol=pickle.HIGHEST_PROTOCOL)
                out.flush()

            early = {op.id for op in ops if op.contract.scenarios}
            for op in ops:
                if op.id in early:
                    send(op, "valid", stream(op))
            for op in ops:
                if op.id not in early:
                    send(op, "valid", stream(op))
                send(op, "drawn", draw(op))
    except BaseException:  # whatever it is, the engine draws what is missing
        status = 1
    finally:
        os._exit(status)
