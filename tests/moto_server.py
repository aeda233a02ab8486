"""moto's server as the tests, ``bench/bench_moto.py`` and ``bench/report_moto.py`` run it.

- :func:`moto_server` starts ``moto_server -H 127.0.0.1 -p PORT`` (moto 5.2.5, the pin of the
  dev extra) on a free loopback port as a process of its own, waits until it answers, and
  stops it by its process id.
- :data:`OPERATIONS`: the operations the moto tests, the published report (``reports/moto/``)
  and the benchmark run, across restJson1 (members in the URI path, the query string, headers
  and a payload), awsJson1.0 and awsJson1.1.
- :func:`client`: a botocore client pointed at the server with parameter validation off, for
  the hand-built requests that confirm what a run reports.
- :func:`timed_run`: ``harness run`` over operations against a server of its own, as a user
  runs it (a process), timed: its progress lines with their times, and the requests moto
  served (its log has a line for each).
- moto checks no signature, so a run against it leaves out ``unauthenticated_rejected``
  (:data:`LEFT_OUT_CHECKS`); its credentials are made up (:data:`CREDENTIALS`).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MOTO_VERSION = "5.2.5"
#: made up: moto accepts any key and checks no signature
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIAMOTOTESTING00000", "AWS_SECRET_ACCESS_KEY": "moto-made-up-secret"}
LEFT_OUT_CHECKS = ("unauthenticated_rejected",)
START_TIMEOUT_S = 60.0

#: (operation id, what it exercises); restJson1 first, then awsJson 1.0 and 1.1
OPERATIONS: tuple[tuple[str, str], ...] = (
    ("scheduler:CreateSchedule", "restJson1: a URI label, an idempotency token"),
    ("scheduler:ListSchedules", "restJson1: query members"),
    ("iot:CreateThing", "restJson1: a URI label"),
    ("iot:ListThings", "restJson1: query members"),
    ("iot-data:Publish", "restJson1: label, query, headers (one a JSON value) and a blob payload"),
    ("apigatewayv2:CreateApi", "restJson1: renamed body members, status 201"),
    ("apigatewayv2:GetApis", "restJson1: query members"),
    ("lambda:CreateFunction", "restJson1: a large nested body, status 201"),
    ("lambda:ListFunctions", "restJson1: query members"),
    ("glacier:CreateVault", "restJson1: two URI labels, status 201"),
    ("glacier:UploadArchive", "restJson1: labels, headers and a blob payload"),
    ("backup:CreateBackupVault", "restJson1: a URI label, an idempotency token"),
    ("dynamodb:CreateTable", "awsJson1.0"),
    ("sqs:CreateQueue", "awsJson1.0"),
    ("stepfunctions:CreateStateMachine", "awsJson1.0: a definition the model cannot judge"),
    ("timestream-write:CreateDatabase", "awsJson1.0"),
    ("kms:CreateKey", "awsJson1.1: examples"),
    ("ecs:CreateCluster", "awsJson1.1"),
    ("glue:CreateDatabase", "awsJson1.1"),
    ("ssm:PutParameter", "awsJson1.1"),
    ("ecr:CreateRepository", "awsJson1.1"),
    ("logs:CreateLogGroup", "awsJson1.1: an empty success body"),
    ("events:CreateEventBus", "awsJson1.1"),
)
OPERATION_IDS: tuple[str, ...] = tuple(operation for operation, _ in OPERATIONS)


def moto_executable() -> str:
    """``moto_server`` of the interpreter's environment (``.venv/bin``), else of ``PATH``."""
    beside = Path(sys.executable).with_name("moto_server")
    if beside.exists():
        return str(beside)
    return "moto_server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_server(*, log: Path | None = None) -> Iterator[str]:
    """The URL of a moto server started for the block on a free loopback port, and stopped
    by its process id after it; its log (one line per request) goes to ``log``, else nowhere."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [moto_executable(), "-H", "127.0.0.1", "-p", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},  # every request's log line is written as it is served
        start_new_session=True,  # its own process group: a Ctrl-C of the caller does not reach it first
    )
    try:
        _wait_until_answering(url, process)
        yield url
    finally:
        _stop(process.pid, process)
        if log is not None:
            out.close()  # type: ignore[union-attr]


def _wait_until_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with status {process.returncode} before answering on {url}")
        try:
            with urllib.request.urlopen(url + "/moto-api/data.json", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url} within {START_TIMEOUT_S:g} s")


def _stop(pid: int, process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process id, SIGKILL if it is still there after 10 s."""
    if process.poll() is not None:
        return
    os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)


def reset(url: str) -> None:
    """Forget every resource moto holds (its ``/moto-api/reset``)."""
    request = urllib.request.Request(url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=10):
        pass


def client(service: str, url: str) -> Any:
    """A botocore client of ``service`` at ``url``: no parameter validation (so it sends what the
    model forbids), no retries, moto's made-up credentials."""
    import botocore.session
    from botocore.config import Config

    session = botocore.session.get_session()
    return session.create_client(
        service,
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(parameter_validation=False, retries={"max_attempts": 1}, inject_host_prefix=False),
    )


#: a request in moto's log: ``127.0.0.1 - - [01/Dec/2026 12:32:02] "POST / HTTP/1.1" 200 -``
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours the request line of an error
_LOGGED_REQUEST = re.compile(r'"[A-Z]+ (?!/moto-api/)\S* HTTP/1\.[01]" \d{3} ')


@dataclass(frozen=True)
class TimedRun:
    code: int  # harness run's exit status
    seconds: float  # from the start of harness run to its exit
    cpu_seconds: float  # harness run's own CPU time (user and system), moto's apart
    requests: int  # requests moto served
    progress: list[tuple[float, str]]  # each line harness run wrote to standard error, with its time
    output: str  # what harness run wrote to standard output


def timed_run(operations: Iterable[str], *, arguments: Iterable[str] = (), moto_log: Path) -> TimedRun:
    """``harness run --target MOTO`` over ``operations`` with moto's made-up credentials and
    :data:`LEFT_OUT_CHECKS`, and ``arguments`` (``--json FILE``, ``--max-examples N``...)."""
    command = [sys.executable, "-m", "harness", "run", "--exclude-checks", ",".join(LEFT_OUT_CHECKS)]
    for operation in operations:
        command += ["--operation", operation]
    command += list(arguments)
    environment = {**os.environ, **CREDENTIALS}
    printed = moto_log.with_name(moto_log.name + ".harness-stdout")  # a file: a full pipe would stall the run
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with moto_server(log=moto_log) as url, open(printed, "w+", encoding="utf-8") as stdout:
        started = time.monotonic()
        process = subprocess.Popen(
            [*command, "--target", url], stdout=stdout, stderr=subprocess.PIPE, text=True, env=environment
        )
        assert process.stderr is not None
        progress = [(time.monotonic() - started, line.rstrip("\n")) for line in process.stderr]
        code = process.wait()
        seconds = time.monotonic() - started
        used = resource.getrusage(resource.RUSAGE_CHILDREN)  # moto is still running: not counted yet
        stdout.seek(0)
        output = stdout.read()
    logged = _COLOUR.sub("", moto_log.read_text("utf-8", "replace")).splitlines()
    requests = sum(1 for line in logged if _LOGGED_REQUEST.search(line))
    cpu = used.ru_utime + used.ru_stime - before.ru_utime - before.ru_stime
    return TimedRun(code=code, seconds=seconds, cpu_seconds=cpu, requests=requests, progress=progress, output=output)
