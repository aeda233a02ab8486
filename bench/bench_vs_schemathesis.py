"""Benchmark: ``harness run`` against the Schemathesis CLI, on the same mock, in one run.

Run from the project root (about 2 to 4 minutes on the 2-core machine)::

    .venv/bin/python bench/bench_vs_schemathesis.py

Options: ``--max-examples N`` and ``--seed N`` (both tools; default 100 and 0), ``--repeat N``
(runs against the correct mock; the fastest of each tool is shown), ``--variants
NAME,...|all|none``, ``--keep DIR`` (keep the tools' reports).  Timing is never a pass/fail
test: this script only reports, and exits 0 whatever it measured.

What it does:

1. Serves the reference mock (``harness.mock.create_app`` with made-up credentials) with
   uvicorn in a thread (``harness.mock.server.serve_in_thread``), behind an ASGI middleware
   that counts every request reaching the server and the status of every answer: the
   request counts are the server's, not the tools' own.  Each tool run gets a fresh mock,
   so neither sees what the other created (scopes, idempotency tokens).
2. Runs Schemathesis once per file of ``contracts/`` (one operation each)::

       st run CONTRACT --url URL --phases examples,coverage,fuzzing,stateful --mode all
              --max-examples N --seed S --generation-database none --continue-on-failure

   with ``SCHEMATHESIS_HOOKS=bench/schemathesis_hooks.py``, which SigV4-signs the prepared
   request, i.e. the final serialized body.  The contracts have no examples and no links,
   so Schemathesis skips the examples and stateful phases itself; coverage and fuzzing run,
   positive and negative.  ``--continue-on-failure`` keeps a phase going after its first
   failure (it has one on the correct mock, see 5).
3. Runs ``harness run --target URL --provider-states URL/_harness/provider-states --quiet
   --max-examples N --seed S`` with ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``
   matching the mock's.
4. Prints, for the correct mock: requests (provider-state calls and 403 answers among them),
   wall seconds from process start to exit (two ``st`` processes, one ``harness``), requests/s,
   CPU seconds of the tool and of the mock, requests per CPU second (a figure the machine's
   other load does not distort), the run's own duration as each tool reports it, and the
   harness/Schemathesis ratios.
5. Runs both tools against faulty variants of the mock (:data:`VARIANTS`: contract copies
   given to ``create_app``, or ASGI middlewares around the correct app; one bug each) and
   prints whether each tool caught each one.  Schemathesis fails the correct mock already
   (it sends ``"tags": null`` and ``"clientToken": null`` as negative cases; SPEC section 2
   lets a ``null`` optional member count as absent), so its exit status says nothing about
   a variant: it is counted as catching one when it reports a failure it did not report
   against the correct mock.  The harness passes the correct mock, so its exit status 1 is
   its verdict.

Measured 2026-11-21 on the project's 2-core machine (load average 0.5 to 0.8 from other
jobs), Schemathesis 4.32.5, Hypothesis 6.170, ``--repeat 3`` (the fastest run of each tool)::

    tool          requests  states  403s  wall s  req/s  tool cpu s  mock cpu s  req/cpu s  engine s  req/engine s
    schemathesis  319       0       0     5.6     56.7   5.5         0.2         56.5       4.2       76.3
    harness       961       54      16    2.7     362.3  2.3         0.3         357.6      2.2       436.8

    ratio harness/schemathesis of req/s:         6.4x  (the issue asks for at least 5x)
    ratio harness/schemathesis of req/cpu s:     6.3x  (tool + mock CPU: blind to other load)
    ratio harness/schemathesis of req/engine s:  5.7x  (without start-up)

    mock                   schemathesis  verdict      harness  verdict
    correct mock           exit 1        false alarm  exit 0   pass
    targets-101            exit 1        missed       exit 1   CAUGHT
    python-re-accountid    exit 1        missed       exit 1   CAUGHT
    500-on-malformed-json  exit 1        CAUGHT       exit 1   CAUGHT
    unsigned-accepted      exit 1        missed       exit 1   CAUGHT
    wrong-error-name       exit 1        missed       exit 1   CAUGHT
    no-scopeArn            exit 1        CAUGHT       exit 1   CAUGHT
    variants caught                      2/6                   6/6

Without the 54 provider-state calls the harness' figure is 907 requests, 336 req/s, 5.9x.
Four runs of ``--repeat 3`` after the speed work gave 5.6x to 6.4x.
Earlier the same day the ratio was 4.1x: a profile (pyinstrument and py-spy, ``harness run``
against ``harness mock`` in another process) put two thirds of the harness' time in
Hypothesis, drawing a whole valid body before each random mutation and one Hypothesis run
per scenario body.  Random-invalid bodies now mutate valid bodies the run has already sent
(sampled), scenario bodies are valid bodies the target has already accepted, generated
bodies hold at most 5 array items or map entries, and the boundary probes cache their
simplest values and draw every quantifier variant of a pattern in one run.  What is left
(``engine s`` 2.1): the generated valid stream (Hypothesis, about 0.6 s), the random
mutations (0.5 s), the boundary probes (0.5 s, mostly ``hypothesis.find`` of the minimal
body) and sending, signing and judging (0.6 s); start-up (imports) is 0.4 s.

2026-12-01, issue 15 (the mock's verification, the transport on ``http.client``), ``--repeat
3`` at load average 4.6 to 4.9 from other jobs: harness 961 requests, tool CPU 2.0 s (2.1 s
before), 402 requests per CPU second against Schemathesis' 59: 6.8x of req/cpu s and of
req/s (6.3x and 6.4x the same morning, before).  Of the harness' 1.9 s of CPU (each part
timed with the thread's CPU clock): start-up 0.36 s, the generated streams (Hypothesis) 0.58 s,
the probes 0.40 s (``hypothesis.find`` of the minimal body 0.21 s), sending 0.45 s (transport
0.20 s, judging 0.18 s of which 0.12 s rebuilds an error body's validator on every error
answer, signing 0.12 s).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import importlib.metadata
import json
import logging
import os
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import aws
from harness.contract import Contract, load_contracts
from harness.mock import STATES_PATH, create_app
from harness.mock.server import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
HOOKS = Path(__file__).resolve().parent / "schemathesis_hooks.py"
REGION = "us-east-1"
#: No single tool run should take this long; it is ended (and reported) if it does.
RUN_TIMEOUT_SECONDS = 240.0
SCHEMATHESIS_PHASES = "examples,coverage,fuzzing,stateful"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BenchError(Exception):
    """The benchmark cannot run (missing tool, broken set-up)."""


# --------------------------------------------------------------------------- counting


class CountingApp:
    """Counts what reaches ``app``: requests (operations and provider-state calls apart) and
    the statuses of the answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests["states" if scope["path"] == STATES_PATH else "operations"] += 1

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.statuses[int(message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counting)


@dataclass
class Measured:
    """One tool run against one served app: what reached the server, and what it cost."""

    url: str
    counter: CountingApp
    seconds: float = 0.0
    tool_cpu: float = 0.0  # user + system time of the tool's processes
    mock_cpu: float = 0.0  # this process' CPU time meanwhile: the server thread's work


@contextlib.contextmanager
def measured(app: ASGIApp) -> Iterator[Measured]:
    """Serve ``app`` (with uvicorn in a thread, behind a counter) and time the block.

    The block runs the tool as a subprocess; while it waits, this process does nothing but
    serve, so its CPU time is the mock's.
    """
    counter = CountingApp(app)
    with serve_in_thread(counter) as url:
        result = Measured(url=url, counter=counter)
        wall, tool, own = time.perf_counter(), _children_cpu(), time.process_time()
        yield result
        result.seconds = time.perf_counter() - wall
        result.tool_cpu = _children_cpu() - tool
        result.mock_cpu = time.process_time() - own


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --------------------------------------------------------------------------- faulty variants


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str

    @classmethod
    def made_up(cls) -> Credentials:
        return cls("AKIABENCH" + secrets.token_hex(6).upper(), secrets.token_urlsafe(30))

    def pair(self) -> tuple[str, str]:
        return self.access_key, self.secret_key


def _patched(contracts: Mapping[str, Contract], pointer: str, change: Callable[[dict[str, Any]], None]) -> Contract:
    """A copy of the contract whose document has ``/components/schemas/...`` changed in place.

    ``pointer`` is ``OPERATION_ID#/components/schemas/Name/...``; the copy is what the faulty
    mock validates with (its own idea of the contract), the tools keep the real one.
    """
    operation, _, path = pointer.partition("#")
    contract = contracts[operation]
    document = copy.deepcopy(dict(contract.document))
    node: Any = document
    for part in path.strip("/").split("/"):
        node = node[part]
    change(node)
    return dataclasses.replace(contract, document=document)


async def _read_all(receive: Receive) -> bytes | None:
    """The whole request body; ``None`` when the client went away first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then whatever the real one gives."""
    given = False

    async def again() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_json(send: Send, status: int, document: Any, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _operation_paths(contracts: Mapping[str, Contract]) -> dict[str, Contract]:
    return {contract.path: contract for contract in contracts.values()}


def variant_off_by_one(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """CreateScope accepts 101 targets (``maxItems`` 101: an off-by-one limit)."""

    def change(targets: dict[str, Any]) -> None:
        targets["maxItems"] = 101

    patched = _patched(
        contracts, "networkflowmonitor:CreateScope#/components/schemas/CreateScopeRequest/properties/targets", change
    )
    return create_app(contracts={**contracts, patched.id: patched}, credentials=credentials.pair())


def variant_python_re(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """StartMonitoringMember checks ``AccountId`` with Python's ``re``: ``$`` matches before a
    final newline, so ``"44445555666\\n"`` (12 characters) passes ``^[0-9]+$``.

    The faulty contract's ECMA-262 pattern ``^[0-9]+\\n?$`` accepts exactly what Python's
    ``re.search(r"^[0-9]+$", value)`` accepts.
    """

    def change(account_id: dict[str, Any]) -> None:
        account_id["pattern"] = "^[0-9]+\\n?$"

    patched = _patched(
        contracts,
        "detective:StartMonitoringMember#/components/schemas/StartMonitoringMemberRequest/properties/AccountId",
        change,
    )
    return create_app(contracts={**contracts, patched.id: patched}, credentials=credentials.pair())


def variant_500_on_malformed_json(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """Malformed JSON crashes the parser: 500 ``InternalServerException`` instead of 400."""
    app = create_app(credentials=credentials.pair())
    paths = _operation_paths(contracts)

    async def faulty(scope: Scope, receive: Receive, send: Send) -> None:
        contract = paths.get(scope.get("path", "")) if scope["type"] == "http" else None
        if contract is None:
            await app(scope, receive, send)
            return
        body = await _read_all(receive)
        if body is None:
            return
        if body:
            try:
                json.loads(body)
            except ValueError:  # UnicodeDecodeError included
                member = contract.error_message_member
                await _send_json(
                    send,
                    500,
                    {member: "An internal error occurred."},
                    [(b"x-amzn-errortype", b"InternalServerException")],
                )
                return
        await app(scope, _replay(body, receive), send)

    return faulty


def variant_unsigned_accepted(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """A request with no ``Authorization`` header is served as if it were signed.

    (The middleware signs it, with the mock's own credentials, before the mock sees it.)
    """
    app = create_app(credentials=credentials.pair())
    paths = _operation_paths(contracts)

    async def faulty(scope: Scope, receive: Receive, send: Send) -> None:
        contract = paths.get(scope.get("path", "")) if scope["type"] == "http" else None
        if contract is None or _header(scope, b"authorization") is not None:
            await app(scope, receive, send)
            return
        body = await _read_all(receive)
        if body is None:
            return
        host = _header(scope, b"host") or "{}:{}".format(*scope["server"])
        raw_path = bytes(scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        content_type = _header(scope, b"content-type")
        signed = aws.sign(
            key=aws.SigningKey(credentials.access_key, credentials.secret_key, REGION),
            service=contract.signing_name,
            method=scope["method"],
            url=f"http://{host}{raw_path}",
            headers={"Content-Type": content_type} if content_type is not None else {},
            body=body,
        )
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in (b"authorization", b"x-amz-date")]
        headers.append((b"authorization", signed["Authorization"].encode()))
        headers.append((b"x-amz-date", signed["X-Amz-Date"].encode()))
        await app({**scope, "headers": headers}, _replay(body, receive), send)

    return faulty


def variant_wrong_error_name(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """A 400 for an invalid body is named ``InvalidParameterException``, which neither
    operation declares (the status is right; only the name is wrong)."""
    app = create_app(credentials=credentials.pair())

    async def faulty(scope: Scope, receive: Receive, send: Send) -> None:
        async def renaming(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        (k, b"InvalidParameterException" if v == b"ValidationException" else v)
                        if k.lower() == b"x-amzn-errortype"
                        else (k, v)
                        for k, v in message["headers"]
                    ],
                }
            await send(message)

        await app(scope, receive, renaming)

    return faulty


def variant_no_scope_arn(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """CreateScope's 200 body lacks the required ``scopeArn`` (a response-schema bug, the
    kind Schemathesis' own checks look for)."""
    app = create_app(credentials=credentials.pair())
    scopes = contracts["networkflowmonitor:CreateScope"].path

    async def faulty(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != scopes:
            await app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def trimming(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(bytes(message.get("body", b"")))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            if start["status"] == 200:
                document = json.loads(body)
                document.pop("scopeArn", None)
                body = json.dumps(document).encode()
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, trimming)

    return faulty


def correct(contracts: Mapping[str, Contract], credentials: Credentials) -> ASGIApp:
    """The reference mock as it is."""
    return create_app(credentials=credentials.pair())


VariantFactory = Callable[[Mapping[str, Contract], Credentials], ASGIApp]

VARIANTS: dict[str, VariantFactory] = {
    "targets-101": variant_off_by_one,
    "python-re-accountid": variant_python_re,
    "500-on-malformed-json": variant_500_on_malformed_json,
    "unsigned-accepted": variant_unsigned_accepted,
    "wrong-error-name": variant_wrong_error_name,
    "no-scopeArn": variant_no_scope_arn,
}


# --------------------------------------------------------------------------- running the tools


@dataclass
class Run:
    tool: str
    variant: str
    exit_codes: list[int]
    measure: Measured
    findings: list[str] = field(default_factory=list)
    note: str = ""
    #: The run's own duration as the tool reports it: without process start-up and loading.
    engine_seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.measure.counter.requests.values())

    @property
    def seconds(self) -> float:
        return self.measure.seconds

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        """Requests per CPU second of tool and mock together: what the machine's load hides."""
        cpu = self.measure.tool_cpu + self.measure.mock_cpu
        return self.requests / cpu if cpu else 0.0

    @property
    def exit_code(self) -> int:
        return max(self.exit_codes, default=0)


def tool_environment(credentials: Credentials) -> dict[str, str]:
    """The environment of a tool run: the mock's credentials, and no colour or hooks of the caller's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AWS_") and k not in ("SCHEMATHESIS_HOOKS", "PYTHONBREAKPOINT")
    }
    env.update(
        AWS_ACCESS_KEY_ID=credentials.access_key,
        AWS_SECRET_ACCESS_KEY=credentials.secret_key,
        AWS_REGION=REGION,
        NO_COLOR="1",
    )
    return env


def execute(
    command: list[str], *, env: Mapping[str, str], cwd: Path, timeout: float = RUN_TIMEOUT_SECONDS
) -> tuple[int, str]:
    """Exit status and the tail of the output; a run past the time limit is killed (status -1)."""
    try:
        done = subprocess.run(
            command,
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        return -1, f"killed after {timeout:g} s"
    return done.returncode, (done.stdout + done.stderr)[-2000:]


def st_command() -> list[str]:
    """The Schemathesis CLI of this environment, or a clear error."""
    try:
        version = importlib.metadata.version("schemathesis")
    except importlib.metadata.PackageNotFoundError:
        raise BenchError(
            "Schemathesis is not installed in this environment. Install the development extras "
            "(bash scripts/setup, or .venv/bin/pip install 'schemathesis>=4') and run again."
        ) from None
    if int(version.split(".", 1)[0]) < 4:
        raise BenchError(f"Schemathesis {version} is installed; the bench needs 4.x: pip install 'schemathesis>=4'.")
    script = Path(sys.executable).with_name("st")
    if script.exists():
        return [str(script)]
    found = shutil.which("st")
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def st_run_command(contract: Path, *, url: str, max_examples: int, seed: int, report: Path) -> list[str]:
    """``st run`` of one contract file: all phases, positive and negative, an NDJSON report."""
    return [
        *st_command(),
        "run",
        str(contract),
        "--url",
        url,
        "--phases",
        SCHEMATHESIS_PHASES,
        "--mode",
        "all",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # Each run starts afresh: no failures replayed from an earlier run's database.
        "--generation-database",
        "none",
        # Do not stop a phase at its first failure (it has one on the correct mock).
        "--continue-on-failure",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
    ]


def run_schemathesis(
    variant: str,
    app: ASGIApp,
    *,
    credentials: Credentials,
    contract_files: list[Path],
    max_examples: int,
    seed: int,
    workdir: Path,
) -> Run:
    """``st run`` once per contract file (all phases, positive and negative) against ``app``."""
    env = {**tool_environment(credentials), "SCHEMATHESIS_HOOKS": str(HOOKS)}
    codes: list[int] = []
    findings: list[str] = []
    notes: list[str] = []
    engine = 0.0
    with measured(app) as measure:
        for file in contract_files:
            report = workdir / f"st-{variant}-{file.stem}.ndjson"
            command = st_run_command(file, url=measure.url, max_examples=max_examples, seed=seed, report=report)
            code, output = execute(command, env=env, cwd=workdir)
            codes.append(code)
            engine += schemathesis_engine_seconds(report)
            found = schemathesis_findings(report)
            findings += found
            if code not in (0, 1) or (code == 1 and not found):
                notes.append(f"{file.name}: exit {code}: {output.strip().splitlines()[-1:]}")
    return Run("schemathesis", variant, codes, measure, sorted(set(findings)), "; ".join(notes), engine)


def schemathesis_engine_seconds(report: Path) -> float:
    """The engine's running time in a Schemathesis NDJSON report (0 when it has none)."""
    if not report.exists():
        return 0.0
    for line in report.read_text(encoding="utf-8").splitlines():
        finished = json.loads(line).get("EngineFinished")
        if finished:
            return float(finished.get("running_time") or 0.0)
    return 0.0


def schemathesis_findings(report: Path) -> list[str]:
    """One line per failed check in a Schemathesis NDJSON report: operation, title, what was wrong."""
    found: list[str] = []
    if not report.exists():
        return found
    for line in report.read_text(encoding="utf-8").splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        for checks in finished.get("recorder", {}).get("checks", {}).values():
            for check in checks:
                failure = (check.get("failure_info") or {}).get("failure")
                if check.get("status") != "failure" or not failure:
                    continue
                lines = [x.strip() for x in str(failure.get("message", "")).splitlines() if x.strip()]
                detail = next((x for x in lines if x.startswith("Invalid component")), lines[0] if lines else "")
                title = f"{failure.get('operation', '')}: {failure.get('title', '')}"
                found.append(f"{title} ({detail})" if detail else title)
    return found


def harness_run_command(*, url: str, max_examples: int, seed: int, results: Path) -> list[str]:
    """``harness run`` against ``url`` with its provider states, writing the results document."""
    return [
        sys.executable,
        "-m",
        "harness",
        "run",
        "--target",
        url,
        "--provider-states",
        f"{url}{STATES_PATH}",
        "--quiet",
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--json",
        str(results),
    ]


def run_harness(
    variant: str, app: ASGIApp, *, credentials: Credentials, max_examples: int, seed: int, workdir: Path
) -> Run:
    """``harness run --target URL --provider-states URL/_harness/provider-states`` against ``app``."""
    results = workdir / f"harness-{variant}.json"
    results.unlink(missing_ok=True)
    with measured(app) as measure:
        command = harness_run_command(url=measure.url, max_examples=max_examples, seed=seed, results=results)
        code, output = execute(command, env=tool_environment(credentials), cwd=workdir)
    findings: list[str] = []
    engine = 0.0
    if results.exists():
        document = json.loads(results.read_text(encoding="utf-8"))
        engine = float(document.get("duration_s") or 0.0)
        for operation in document["operations"]:
            for group in operation["failures"]:
                rule = f" [{group['rule']}]" if group.get("rule") else ""
                findings.append(f"{operation['id'].split(':')[-1]}: {group['check']}{rule} x{group['count']}")
    note = "" if code in (0, 1) else f"exit {code}: {output.strip().splitlines()[-1:]}"
    return Run("harness", variant, [code], measure, findings, note, engine)


# --------------------------------------------------------------------------- tables


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(out)


def speed_table(st_run: Run, harness_run: Run) -> str:
    header = ["tool", "requests", "states", "403s", "wall s", "req/s", "tool cpu s", "mock cpu s", "req/cpu s"]
    header += ["engine s", "req/engine s"]
    rows = [
        [
            run.tool,
            str(run.requests),
            str(run.measure.counter.requests["states"]),
            str(run.measure.counter.statuses[403]),
            f"{run.seconds:.1f}",
            f"{run.rate:.1f}",
            f"{run.measure.tool_cpu:.1f}",
            f"{run.measure.mock_cpu:.1f}",
            f"{run.cpu_rate:.1f}",
            f"{run.engine_seconds:.1f}",
            f"{run.requests / run.engine_seconds:.1f}" if run.engine_seconds else "-",
        ]
        for run in (st_run, harness_run)
    ]
    wall = harness_run.rate / st_run.rate if st_run.rate else float("inf")
    cpu = harness_run.cpu_rate / st_run.cpu_rate if st_run.cpu_rate else float("inf")
    lines = [
        table(header, rows),
        "",
        "requests: counted by the server (states: provider-state calls among them; 403s: answers 403);",
        "wall s: process start to exit; cpu s: user + system; engine s: the run's duration as the tool reports it.",
        "",
        f"ratio harness/schemathesis of req/s:         {wall:.1f}x  (the issue asks for at least 5x)",
        f"ratio harness/schemathesis of req/cpu s:     {cpu:.1f}x  (tool + mock CPU: blind to other load)",
    ]
    if st_run.engine_seconds and harness_run.engine_seconds:
        engine = (harness_run.requests / harness_run.engine_seconds) / (st_run.requests / st_run.engine_seconds)
        lines.append(f"ratio harness/schemathesis of req/engine s:  {engine:.1f}x  (without start-up)")
    return "\n".join(lines)


def detection_table(baseline: list[dict[str, Run]], variants: dict[str, dict[str, Run]]) -> tuple[str, list[str]]:
    """The variant table, and the lines explaining each verdict."""
    known = {finding for runs in baseline for finding in runs["schemathesis"].findings}
    st_flagged = max(runs["schemathesis"].exit_code for runs in baseline)
    harness_flagged = max(runs["harness"].exit_code for runs in baseline)
    rows = [
        [
            "correct mock",
            f"exit {st_flagged}",
            "false alarm" if st_flagged else "pass",
            f"exit {harness_flagged}",
            "false alarm" if harness_flagged else "pass",
        ]
    ]
    details: list[str] = []
    for name, runs in variants.items():
        st_run, harness_run = runs["schemathesis"], runs["harness"]
        new = [f for f in st_run.findings if f not in known]
        rows.append(
            [
                name,
                f"exit {st_run.exit_code}",
                "CAUGHT" if new else "missed",
                f"exit {harness_run.exit_code}",
                {0: "missed", 1: "CAUGHT"}.get(harness_run.exit_code, "could not run"),
            ]
        )
        details.append(f"{name}: {_summary(VARIANTS[name])}")
        details += [f"    schemathesis, new: {f}" for f in new[:4]]
        details += [f"    harness: {f}" for f in harness_run.findings[:4]]
        details += [f"    note: {run.tool}: {run.note}" for run in (st_run, harness_run) if run.note]
    caught = {
        tool: sum(1 for runs in variants.values() if _caught(runs[tool], known)) for tool in ("schemathesis", "harness")
    }
    rows.append(
        ["variants caught", "", f"{caught['schemathesis']}/{len(variants)}", "", f"{caught['harness']}/{len(variants)}"]
    )
    return table(["mock", "schemathesis", "verdict", "harness", "verdict"], rows), details


def _summary(factory: VariantFactory) -> str:
    """The first paragraph of the variant's docstring, on one line."""
    return " ".join((factory.__doc__ or "").split("\n\n", 1)[0].split())


def _caught(run: Run, known: set[str]) -> bool:
    if run.tool == "harness":
        return run.exit_code == 1
    return any(f not in known for f in run.findings)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="harness run against st run on the same mock: requests/s, and faulty variants caught.",
    )
    parser.add_argument("--max-examples", type=int, default=100, help="for both tools (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="for both tools (default 0)")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of both tools against the correct mock; the fastest of each is shown (default 1)",
    )
    parser.add_argument(
        "--variants",
        default="all",
        help=f"comma-separated faulty variants to try, 'all' or 'none' (known: {', '.join(VARIANTS)})",
    )
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the tools' reports in DIR")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.max_examples < 1:
        parser.error("--repeat and --max-examples must be at least 1")
    if args.variants == "all":
        args.variants = list(VARIANTS)
    elif args.variants == "none":
        args.variants = []
    else:
        args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
        unknown = [v for v in args.variants if v not in VARIANTS]
        if unknown:
            parser.error(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        st_command()
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    # Schemathesis probes the server with deliberately broken requests, which uvicorn logs as
    # warnings ("Invalid HTTP request received."); uvicorn resets the logger's level, so filter.
    logging.getLogger("uvicorn.error").addFilter(lambda record: record.levelno >= logging.ERROR)
    contracts = load_contracts()
    contract_files = sorted(contract.file for contract in contracts.values())
    credentials = Credentials.made_up()
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            workdir = args.keep.resolve()
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-st-")))

        def both(name: str, factory: VariantFactory) -> dict[str, Run]:
            print(f"... {name}", file=sys.stderr, flush=True)
            runs = {
                "schemathesis": run_schemathesis(
                    name,
                    factory(contracts, credentials),
                    credentials=credentials,
                    contract_files=contract_files,
                    max_examples=args.max_examples,
                    seed=args.seed,
                    workdir=workdir,
                ),
                "harness": run_harness(
                    name,
                    factory(contracts, credentials),
                    credentials=credentials,
                    max_examples=args.max_examples,
                    seed=args.seed,
                    workdir=workdir,
                ),
            }
            for run in runs.values():
                print(
                    f"    {run.tool}: {run.requests} requests in {run.seconds:.1f} s, exit {run.exit_code}",
                    file=sys.stderr,
                    flush=True,
                )
            return runs

        baseline = [both("correct", correct) for _ in range(args.repeat)]
        variants = {name: both(name, VARIANTS[name]) for name in args.variants}

    fastest = {
        tool: min((runs[tool] for runs in baseline), key=lambda r: r.seconds) for tool in ("schemathesis", "harness")
    }
    print(
        f"\nSpeed against the correct mock (--max-examples {args.max_examples}, --seed {args.seed}"
        + (f", fastest of {args.repeat} runs" if args.repeat > 1 else "")
        + f"; load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end):\n"
    )
    print(speed_table(fastest["schemathesis"], fastest["harness"]))
    st_run = fastest["schemathesis"]
    if st_run.measure.counter.statuses[403] > st_run.requests // 2:
        print("\nWARNING: most of Schemathesis' requests got 403: is bench/schemathesis_hooks.py signing them?")
    for run in fastest.values():
        if run.note:
            print(f"note: {run.tool}: {run.note}")
    known = sorted({finding for runs in baseline for finding in runs["schemathesis"].findings})
    if known:
        print("\nSchemathesis against the correct mock reported:")
        print("\n".join(f"    {finding}" for finding in known))
    if variants:
        rendered, details = detection_table(baseline, variants)
        print("\nFaulty variants (Schemathesis' verdict: CAUGHT when it reports a failure it did not report")
        print("against the correct mock; the harness': its exit status):\n")
        print(rendered)
        print()
        print("\n".join(details))
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
