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
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from harness.errors import HarnessError

STARTUP_SECONDS = 30.0
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
    process = subprocess.Popen(
        [sys.executable, "-m", "harness.mock", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=environment,
        text=True,
    )
    try:
        url = _wait_for_url(process)
        drain = threading.Thread(target=_drain, args=(process,), daemon=True)
        drain.start()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    seen: list[str] = []
    timer = threading.Timer(STARTUP_SECONDS, process.kill)
    timer.start()
    try:
        for line in process.stdout:
            seen.append(line.rstrip())
            match = _LISTENING.search(line)
            if match:
                return match.group(1)
    finally:
        timer.cancel()
    output = "\n".join(seen[-10:]) or "(no output)"
    raise HarnessError(f"the bundled mock did not start:\n{output}")


def _drain(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    for _ in process.stdout:
        pass
