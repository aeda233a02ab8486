"""Atomic file writing: a report is either the old file or the whole new one, never half."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from harness.errors import UsageError


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same directory and
    a rename, so a reader never sees a partial file.  The file gets the usual permissions
    (0666 less the umask), as ``open`` would give it.

    Raises :class:`~harness.errors.UsageError` (exit 2, one line) when the file cannot be
    written: a missing directory, no permission.
    """
    path = Path(path)
    data = text.encode("utf-8", errors="replace")
    directory = path.parent if str(path.parent) else Path(".")
    temporary = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
