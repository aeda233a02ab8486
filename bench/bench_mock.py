"""Load benchmark of the reference mock: wrk, 64 connections, every request SigV4-verified.

Starts ``harness mock`` on 127.0.0.1 (a child process, as users run it), sets up what the
chosen requests need, signs them with botocore (``harness.aws.sign``) and has wrk replay
them.  SigV4 signatures carry their date, and the mock accepts one for 15 minutes either
side of its clock, so one signed request stays valid for the whole run; the mock still
recomputes and compares its signature on every request (the run first checks that a copy
with a wrong signature is refused).

In the same run, and with the same wrk script, it loads a do-nothing ASGI app served by the
same uvicorn set-up (``bench/asgi_baseline.py``, also a child process): the ceiling of any
app under this server on this machine.  Baseline and mock take turns (``--repeat`` rounds),
so a change in the machine's other load touches both alike; the ratio mock / baseline of
requests/s is the figure to compare across changes (issue 15 asks for at least 25%).  Each
server's CPU time during its turn (``/proc``) gives CPU microseconds per request, which the
machine's other load does not distort the way it distorts requests/s.

Requests (``--requests``):

- ``create-scope``: CreateScope replaying one ``clientToken`` (each gets the recorded 200);
- ``start-monitoring-member``: StartMonitoringMember for an ``ENABLED`` member (200);
- ``mixed`` (default): both, alternating.

Run it from the repository root (``apt-get install wrk`` first)::

    .venv/bin/python bench/bench_mock.py --duration 10 --repeat 3 --connections 64 --threads 2

It prints wrk's report of the mock's last round, then per round requests/s of both, the
ratio and CPU per request, then the medians; it exits 1 when the mock answered anything
but 200 (or a socket failed).  Timing is never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.aws import SigningKey, sign

CREDENTIALS = ("AKIDBENCHMARK0000001", "benchmark-secret-key")
GRAPH_ARN = "arn:aws:detective:us-east-1:111122223333:graph:027c7c4610ea4aacaf0b883093cab899"
MEMBER = "444455556666"
TARGET = {
    "region": "us-east-1",
    "targetIdentifier": {"targetId": {"accountId": "123456789012"}, "targetType": "ACCOUNT"},
}
MAX_DURATION_SECONDS = 14 * 60  # a signature is accepted for 15 minutes
BASELINE = Path(__file__).resolve().parent / "asgi_baseline.py"


@dataclass(frozen=True)
class Signed:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def signed(url: str, service: str, path: str, document: object) -> Signed:
    body = json.dumps(document).encode()
    key = SigningKey(access_key=CREDENTIALS[0], secret_key=CREDENTIALS[1], region="us-east-1")
    headers = sign(
        key=key,
        service=service,
        method="POST",
        url=url + path,
        headers={"Content-Type": "application/json"},
        body=body,
    )
    # wrk sends the headers given here; Host is among the signed ones, so it is given too.
    return Signed("POST", path, {"Host": url.split("://", 1)[1], **headers}, body)


def requests_for(kind: str, url: str) -> list[Signed]:
    scope = signed(url, "networkflowmonitor", "/scopes", {"targets": [TARGET], "clientToken": str(uuid.uuid4())})
    member = signed(url, "detective", "/graph/member/monitoringstate", {"GraphArn": GRAPH_ARN, "AccountId": MEMBER})
    return {"create-scope": [scope], "start-monitoring-member": [member], "mixed": [scope, member]}[kind]


def lua_string(value: str | bytes) -> str:
    text = value.decode() if isinstance(value, bytes) else value
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal for this ASCII text


def wrk_script(requests: list[Signed]) -> str:
    """A wrk script that sends the pre-signed requests in turn on each connection."""
    lines = ["local requests = {}"]
    for index, request in enumerate(requests, start=1):
        headers = ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in request.headers.items())
        lines.append(
            f"requests[{index}] = wrk.format({lua_string(request.method)}, {lua_string(request.path)}, "
            f"{{{headers}}}, {lua_string(request.body)})"
        )
    lines += [
        "local next_request = 0",
        "function request()",
        "  next_request = next_request % #requests + 1",
        "  return requests[next_request]",
        "end",
    ]
    return "\n".join(lines) + "\n"


def post(url: str, request: Signed) -> int:
    outgoing = urllib.request.Request(url + request.path, data=request.body, headers=request.headers, method="POST")
    try:
        with urllib.request.urlopen(outgoing, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


@contextmanager
def child_server(command: list[str], *, environ: dict[str, str]) -> Iterator[tuple[str, int]]:
    """A server started as ``command`` that prints ``listening on URL``: yields the URL and its pid."""
    with subprocess.Popen(command, env=environ, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        url = None
        for line in child.stdout:
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                url = found[1]
                break
        try:
            if url is None:
                raise SystemExit(f"{' '.join(command)} did not start")
            yield url, child.pid
        finally:
            child.terminate()
            child.communicate(timeout=30)


def harness_mock() -> contextlib.AbstractContextManager[tuple[str, int]]:
    environ = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}
    command = [sys.executable, "-m", "harness", "mock", "--host", "127.0.0.1", "--port", "0"]
    return child_server(command, environ=environ)


def asgi_baseline() -> contextlib.AbstractContextManager[tuple[str, int]]:
    return child_server([sys.executable, str(BASELINE), "--port", "0"], environ=dict(os.environ))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux's ``/proc``), else None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def prepare(url: str) -> None:
    """The provider state StartMonitoringMember needs to answer 200."""
    state = {
        "action": "setup",
        "state": "graph has member",
        "params": {"GraphArn": GRAPH_ARN, "AccountId": MEMBER, "Status": "ENABLED"},
    }
    outgoing = urllib.request.Request(url + "/_harness/provider-states", data=json.dumps(state).encode(), method="POST")
    with urllib.request.urlopen(outgoing, timeout=10) as response:
        assert response.status == 200


def check_verification(url: str, requests: list[Signed]) -> None:
    """Each request is answered 200, and the same request with a wrong signature 403."""
    for request in requests:
        assert post(url, request) == 200, f"{request.path} was not answered 200"
        authorization = request.headers["Authorization"]
        forged = authorization[:-1] + ("0" if authorization[-1] != "0" else "1")
        tampered = Signed(request.method, request.path, {**request.headers, "Authorization": forged}, request.body)
        assert post(url, tampered) == 403, f"{request.path} with a wrong signature was not refused"


def parse_wrk(output: str) -> tuple[float, int, int]:
    """Requests/s, requests completed, errors (socket errors plus non-2xx/3xx answers)."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    total = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx[1])
    return rate, total, errors


@dataclass(frozen=True)
class Turn:
    """One wrk run against one server."""

    rate: float
    total: int
    errors: int
    cpu: float | None  # the server's CPU seconds during the run
    output: str

    @property
    def cpu_per_request_us(self) -> float | None:
        return None if self.cpu is None or not self.total else 1e6 * self.cpu / self.total


def load(wrk: list[str], url: str, pid: int) -> Turn:
    before = cpu_seconds(pid)
    output = subprocess.run([*wrk, url], check=True, capture_output=True, text=True).stdout
    after = cpu_seconds(pid)
    rate, total, errors = parse_wrk(output)
    cpu = None if before is None or after is None else after - before
    return Turn(rate, total, errors, cpu, output)


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per turn (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of baseline then mock (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=64, help="(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: %(default)s)")
    parser.add_argument("--requests", choices=["mixed", "create-scope", "start-monitoring-member"], default="mixed")
    args = parser.parse_args()
    if args.repeat < 1 or not 1 <= args.duration * args.repeat * 2 <= MAX_DURATION_SECONDS:
        parser.error(
            f"--repeat must be at least 1 and 2 x --duration x --repeat at most {MAX_DURATION_SECONDS} "
            "seconds: the signatures are dated"
        )
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    load_before = os.getloadavg()
    rounds: list[tuple[Turn, Turn]] = []
    servers = contextlib.ExitStack()
    with servers, tempfile.TemporaryDirectory() as scratch:
        url, mock_pid = servers.enter_context(harness_mock())
        baseline_url, baseline_pid = servers.enter_context(asgi_baseline())
        prepare(url)
        requests = requests_for(args.requests, url)
        check_verification(url, requests)
        script = Path(scratch) / "signed.lua"
        script.write_text(wrk_script(requests))
        command = [
            wrk,
            f"--threads={args.threads}",
            f"--connections={args.connections}",
            f"--duration={args.duration}s",
            "--latency",
            f"--script={script}",
        ]
        print("$", " ".join(command), "URL", flush=True)
        for number in range(1, args.repeat + 1):
            baseline = load(command, baseline_url, baseline_pid)
            mock = load(command, url, mock_pid)
            rounds.append((baseline, mock))
            print(
                f"round {number}: baseline {baseline.rate:.0f} req/s, mock {mock.rate:.0f} req/s "
                f"({100 * mock.rate / baseline.rate:.1f}%)",
                file=sys.stderr,
                flush=True,
            )
    print(rounds[-1][1].output)
    print(f"requests: {args.requests}, every one SigV4-signed and verified by the mock; the baseline gets the same")
    print()
    header = ["round", "baseline req/s", "mock req/s", "mock/baseline", "baseline cpu us/req", "mock cpu us/req"]
    print("  ".join(header))
    for number, (baseline, mock) in enumerate(rounds, start=1):
        cells = [
            str(number),
            f"{baseline.rate:.0f}",
            f"{mock.rate:.0f}",
            f"{100 * mock.rate / baseline.rate:.1f}%",
            _us(baseline.cpu_per_request_us),
            _us(mock.cpu_per_request_us),
        ]
        print("  ".join(cell.rjust(len(name)) for cell, name in zip(cells, header, strict=True)))
    ratio = statistics.median(mock.rate / baseline.rate for baseline, mock in rounds)
    print(
        f"\nmedian mock/baseline of requests/s: {100 * ratio:.1f}%  (issue 15 asks for at least 25%)"
        f"\nmedian requests/s: baseline {statistics.median(b.rate for b, _ in rounds):.0f}, "
        f"mock {statistics.median(m.rate for _, m in rounds):.0f}"
    )
    mock_cpu = [m.cpu_per_request_us for _, m in rounds if m.cpu_per_request_us is not None]
    baseline_cpu = [b.cpu_per_request_us for b, _ in rounds if b.cpu_per_request_us is not None]
    if mock_cpu and baseline_cpu:
        print(
            f"median server CPU per request: baseline {statistics.median(baseline_cpu):.0f} us, "
            f"mock {statistics.median(mock_cpu):.0f} us"
        )
    errors = sum(mock.errors for _, mock in rounds)
    print(f"mock errors (socket errors and answers other than 200): {errors}")
    load_after = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} CPUs (wrk shares them); load average "
        f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} at the start, "
        f"{load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f} at the end"
    )
    print(
        "reproduce: .venv/bin/python bench/bench_mock.py "
        f"--duration {args.duration} --repeat {args.repeat} --connections {args.connections} "
        f"--threads {args.threads} --requests {args.requests}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
