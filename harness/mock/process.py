"""``--target mock``: the reference mock in a process of its own.

In the harness' own process the mock's event loop would compete with generation for the
GIL (measured: a run of 2,000 cases took 65 s with the mock in a thread, 18 s with it in
a process), and a separate process is what a real target is.  The process is ``python -m
harness.mock``, which imports the mock alone (see ``harness/mock/__main__.py``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from harness.errors import HarnessError

STARTUP_SECONDS = 30.0
POLL_SECONDS = 0.01
_LISTENING = re.compile(r"listening on (http://\S+)")


@contextmanager
def mock_process(*, credentials: tuple[str, str]) -> Iterator[str]:
    """Start ``harness mock`` on a free loopback port; yield its URL; stop it at the end."""
    environment = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": credentials[0],
        "AWS_SECRET_ACCESS_KEY": credentials[1],
        "PYTHONUNBUFFERED": "1",
    }
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "harness.mock", "--host", "127.0.0.1", "--port", "0"],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
        )
        try:
            yield _wait_for_url(process, output)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_url(process: subprocess.Popen[bytes], output: IO[str]) -> str:
    """The URL the mock prints once it listens; a :class:`HarnessError` with its last lines
    when it exits first or says nothing of the kind within :data:`STARTUP_SECONDS`."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        output.seek(0)
        text = output.read()
        match = _LISTENING.search(text)
        if match:
            return match.group(1)
        if process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(POLL_SECONDS)
    process.kill()
    lines = text.splitlines()[-10:]
    raise HarnessError("the bundled mock did not start:\n" + ("\n".join(lines) or "(no output)"))
