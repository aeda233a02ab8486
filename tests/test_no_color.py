"""Colour on the terminal (issue 7, item 5): ``harness run`` colours its summary on a
terminal, and never when ``NO_COLOR`` is set (https://no-color.org) or the output is not a
terminal.  The runs below write to a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from collections.abc import Mapping

import pytest

ESCAPE = "\x1b["
RUN = [sys.executable, "-m", "harness", "run", "--target", "mock", "--quiet", "--max-examples", "1"]
RUN += ["--operation", "detective:StartMonitoringMember"]


def run_on_a_terminal(environ: Mapping[str, str]) -> tuple[int, str]:
    """Exit status and everything ``harness run`` wrote to its terminal."""
    main, secondary = pty.openpty()
    process = subprocess.Popen(RUN, stdin=secondary, stdout=secondary, stderr=secondary, env=dict(environ))
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the terminal's last writer has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def environ() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in ("NO_COLOR", "TERM")} | {
        "TERM": "xterm-256color"
    }


@pytest.mark.slow
def test_on_a_terminal_the_summary_is_coloured(environ: dict[str, str]) -> None:
    status, out = run_on_a_terminal(environ)
    assert status == 0
    assert f"{ESCAPE}1;32mCONFORMANT" in out


@pytest.mark.slow
def test_no_color_turns_colour_off_on_a_terminal(environ: dict[str, str]) -> None:
    status, out = run_on_a_terminal(environ | {"NO_COLOR": "1"})
    assert status == 0
    assert "CONFORMANT" in out
    assert ESCAPE not in out


@pytest.mark.slow
def test_output_that_is_not_a_terminal_is_never_coloured(environ: dict[str, str]) -> None:
    process = subprocess.run(RUN, env=environ, capture_output=True, text=True, timeout=120, check=False)
    assert process.returncode == 0
    assert "CONFORMANT" in process.stdout
    assert ESCAPE not in process.stdout + process.stderr
