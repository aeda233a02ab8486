"""Progress of a run on the terminal: a bar on a TTY, plain lines otherwise."""

from __future__ import annotations

import sys
from typing import TextIO

from harness.engine import Listener
from harness.result import CaseResult


class Progress:
    """Feeds from the engine's listener callbacks; writes to ``stream`` (stderr)."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.quiet = quiet
        self.phase = ""
        self.total = 0
        self.done = 0
        self.failed = 0

    def listener(self) -> Listener:
        return Listener(on_phase=self.on_phase, on_result=self.on_result)

    def on_phase(self, operation: str, phase: str, total: int) -> None:
        self._finish_line()
        self.phase = f"{operation}: {phase}"
        self.total = total
        self.done = 0
        if not self.quiet and not self.tty:
            print(f"harness: {self.phase} ({total})", file=self.stream, flush=True)

    def on_result(self, result: CaseResult) -> None:
        self.done += 1
        self.failed += result.failed
        if self.quiet or not self.tty:
            return
        width = 30
        filled = min(width, width * self.done // max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {self.done}/{self.total} {self.phase[:60]}  failures: {self.failed}"
        self.stream.write(line[:120].ljust(120))
        self.stream.flush()

    def _finish_line(self) -> None:
        if self.tty and not self.quiet and self.done:
            self.stream.write("\n")

    def close(self) -> None:
        self._finish_line()
        self.done = 0
