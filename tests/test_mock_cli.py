"""``harness mock``: prints where it listens, serves until Ctrl-C or SIGTERM, then stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager

import boto3
import pytest
from mock_server import CREDENTIALS, TARGET

from harness.cli import main


@contextmanager
def harness_mock(*args: str, environ: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """``harness mock`` in a child process; yields it once it printed its URL, and its lines so far."""
    command = [sys.executable, "-m", "harness", "mock", "--port", "0", *args]
    with subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        assert child.stdout is not None
        lines: list[str] = []
        try:
            for line in child.stdout:
                lines.append(line)
                if "Ctrl-C" in line:
                    break
            yield child, lines
        finally:
            if child.poll() is None:
                child.kill()


def base_environment(**extra: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {**environ, "AWS_EC2_METADATA_DISABLED": "true", **extra}


def url_in(lines: list[str]) -> str:
    found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", "".join(lines))
    assert found, lines
    return found[1]


def create_scope(url: str, access_key: str, secret_key: str) -> int:
    client = boto3.client(
        "networkflowmonitor",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
    )
    with closing(client):
        status: int = client.create_scope(targets=[TARGET])["ResponseMetadata"]["HTTPStatusCode"]
    return status


def test_help_shows_the_options_and_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["mock", "--help"])
    assert exited.value.code == 0
    text = capsys.readouterr().out
    for expected in ("--host", "--port", "Example:", "AWS_ACCESS_KEY_ID", "provider-states"):
        assert expected in text


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_it_serves_the_environments_credentials_until_a_signal_stops_it(stop: signal.Signals) -> None:
    environ = base_environment(AWS_ACCESS_KEY_ID=CREDENTIALS[0], AWS_SECRET_ACCESS_KEY=CREDENTIALS[1])
    with harness_mock(environ=environ) as (child, lines):
        url = url_in(lines)
        assert f"provider states at {url}/_harness/provider-states" in "".join(lines)
        assert create_scope(url, *CREDENTIALS) == 200
        child.send_signal(stop)
        rest, _ = child.communicate(timeout=15)
    assert child.returncode == 0, [*lines, rest]
    assert "harness mock: stopped" in rest


def test_without_credentials_it_makes_up_a_pair_and_prints_it() -> None:
    with harness_mock(environ=base_environment()) as (child, lines):
        text = "".join(lines)
        made_up = re.search(r"export AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)", text)
        assert made_up, text
        assert create_scope(url_in(lines), made_up[1], made_up[2]) == 200
        child.send_signal(signal.SIGTERM)
        child.communicate(timeout=15)
    assert child.returncode == 0


def test_half_set_credentials_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"AWS_ACCESS_KEY_ID": CREDENTIALS[0]}
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
        for name, value in environ.items():
            patch.setenv(name, value)
        assert main(["mock", "--port", "0"]) == 2
    assert "AWS_SECRET_ACCESS_KEY" in capsys.readouterr().err
