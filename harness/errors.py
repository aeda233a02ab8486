"""The one exception tree of the harness.

    HarnessError                 anything the harness reports as "could not run" (exit 2)
    ├── UsageError               bad command-line arguments or configuration
    ├── ContractError            a contract file that cannot be used (file + JSON pointer)
    ├── TargetUnreachable        the target refused or never answered the first request
    └── CassetteError            a cassette that is missing, broken or of another version

Every message says what is wrong and, where it can, what to do next; the command line
prints it without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class HarnessError(Exception):
    """Base class of every error the harness raises on purpose."""


class UsageError(HarnessError):
    """The command line or configuration asks for something that cannot be done."""


class ContractError(HarnessError):
    """A contract file is not usable: not JSON, not a valid schema, a dangling reference."""

    def __init__(self, *, file: Path | str, pointer: str, message: str) -> None:
        self.file = str(file)
        self.pointer = pointer
        self.message = message
        where = f"{self.file} at {pointer}" if pointer else self.file
        super().__init__(f"broken contract {where}: {message}")


class TargetUnreachable(HarnessError):
    """The target could not be reached at all."""


class CassetteError(HarnessError):
    """A cassette cannot be replayed."""
