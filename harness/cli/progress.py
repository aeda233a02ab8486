"""Progress of a run on the terminal: a bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from harness.engine import Listener
from harness.result import CaseResult


@dataclass
class _Phase:
    name: str
    total: int
    done: int = 0


class Progress:
    """Feeds from the engine's listener callbacks; writes to ``stream`` (stderr).  The stateful
    phases of one operation may run beside the next one's cases: each result counts towards
    the phase of its own operation."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self._phases: dict[str, _Phase] = {}  # operation -> its phase now
        self.done = 0  # results on the bar's line
        self.failed = 0

    def listener(self) -> Listener:
        return Listener(on_phase=self.on_phase, on_result=self.on_result)

    def on_phase(self, operation: str, phase: str, total: int) -> None:
        self._finish_line()
        self._phases[operation] = _Phase(f"{operation}: {phase}", total)
        self.done = 0
        if not self.quiet and not self.tty:
            print(f"harness: {operation}: {phase} ({total})", file=self.stream, flush=True)

    def on_result(self, result: CaseResult) -> None:
        self.failed += result.failed
        phase = self._phases.setdefault(result.case.operation, _Phase(result.case.operation, 0))
        phase.done += 1
        self.done += 1
        if self.quiet or not self.tty:
            return
        width = 30
        filled = min(width, width * phase.done // max(phase.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {phase.done}/{phase.total} {phase.name[:60]}  failures: {self.failed}"
        self.stream.write(line[:120].ljust(120))
        self.stream.flush()

    def _finish_line(self) -> None:
        if self.tty and not self.quiet and self.done:
            self.stream.write("\n")

    def close(self) -> None:
        self._finish_line()
        self.done = 0
