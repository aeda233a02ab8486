"""An audit hook that keeps a virtual environment's Python processes out of one folder.

``tests/test_packaging.py`` copies this file into the site-packages of the environment where
it installed the wheel, with a ``.pth`` line that imports it, so it runs first in every Python
process started from that environment: the harness and the mock process it starts alike.

With ``CHECKOUT_GUARD_ROOT`` (the folder to keep out of) and ``CHECKOUT_GUARD_LOG`` (a file)
in the environment, every file opened (imports included) and every folder listed is written
to the log as ``pid<TAB>event<TAB>path``; one inside the folder is written with the event
``refused`` and its opening fails with PermissionError. Without them it does nothing.
"""

from __future__ import annotations

import os
import sys

_WATCHED = frozenset({"open", "os.listdir", "os.scandir", "os.chdir"})


def _install() -> None:
    root = os.environ.get("CHECKOUT_GUARD_ROOT")
    log = os.environ.get("CHECKOUT_GUARD_LOG")
    if not root or not log:
        return
    forbidden = os.path.realpath(root)
    # opened before the hook is added, so writing to it raises no event of its own
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    pid = os.getpid()

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event not in _WATCHED or not args:
            return
        target = args[0]
        if not isinstance(target, str | bytes | os.PathLike):
            return  # a file descriptor, or scandir of the current folder
        path = os.path.realpath(os.fsdecode(target))
        inside = path == forbidden or path.startswith(forbidden + os.sep)
        os.write(descriptor, os.fsencode(f"{pid}\t{'refused' if inside else event}\t{path}\n"))
        if inside:
            raise PermissionError(f"checkout guard: {path} is inside {forbidden}")

    sys.addaudithook(hook)


_install()
