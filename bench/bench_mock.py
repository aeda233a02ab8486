"""Load benchmark of the reference mock: wrk, 64 connections, every request SigV4-verified.

Starts ``harness mock`` on 127.0.0.1 (a child process, as users run it), sets up what the
chosen requests need, signs them with botocore (``harness.aws.sign``) and has wrk replay
them.  SigV4 signatures carry their date, and the mock accepts one for 15 minutes either
side of its clock, so one signed request stays valid for the whole run; the mock still
recomputes and compares its signature on every request (the run first checks that a copy
with a wrong signature is refused).

Requests (``--requests``):

- ``create-scope``: CreateScope replaying one ``clientToken`` (each gets the recorded 200);
- ``start-monitoring-member``: StartMonitoringMember for an ``ENABLED`` member (200);
- ``mixed`` (default): both, alternating.

Run it from the repository root (``apt-get install wrk`` first)::

    .venv/bin/python bench/bench_mock.py --duration 20 --connections 64 --threads 2

It prints wrk's report, then requests/s and errors (socket errors plus answers other than
200), and exits 1 when there was any error.  Timing is never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
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
def harness_mock() -> Iterator[str]:
    environ = {**os.environ, "AWS_ACCESS_KEY_ID": CREDENTIALS[0], "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1]}
    command = [sys.executable, "-m", "harness", "mock", "--host", "127.0.0.1", "--port", "0"]
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
                raise SystemExit("harness mock did not start")
            yield url
        finally:
            child.terminate()
            child.communicate(timeout=30)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load (default: %(default)s)")
    parser.add_argument("--connections", type=int, default=64, help="(default: %(default)s)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default: %(default)s)")
    parser.add_argument("--requests", choices=["mixed", "create-scope", "start-monitoring-member"], default="mixed")
    args = parser.parse_args()
    if not 1 <= args.duration <= MAX_DURATION_SECONDS:
        parser.error(f"--duration must be 1 to {MAX_DURATION_SECONDS} seconds: the signatures are dated")
    wrk = shutil.which("wrk")
    if wrk is None:
        parser.error("wrk is not installed (Debian: apt-get install wrk)")
    with harness_mock() as url, tempfile.TemporaryDirectory() as scratch:
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
            url,
        ]
        print("$", " ".join(command), flush=True)
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    print(output)
    rate, total, errors = parse_wrk(output)
    print(f"requests: {args.requests}, every one SigV4-signed and verified by the mock")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end (wrk shares them)")
    print(f"requests/s: {rate:.0f}   completed: {total}   errors: {errors}")
    print(
        "reproduce: .venv/bin/python bench/bench_mock.py "
        f"--duration {args.duration} --connections {args.connections} --threads {args.threads} "
        f"--requests {args.requests}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
