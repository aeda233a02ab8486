"""Benchmark: ``harness run`` and the Schemathesis CLI against the same mock, 0 to 100 ms away.

Issue 15, item 4.  Run from the project root (6 to 8 minutes on the 2-core machine while the
harness sends one request at a time; most of it is waiting at 100 ms)::

    .venv/bin/python bench/bench_remote.py

Options: ``--rtts 0,10,50,100`` (round trips in milliseconds; 0 is bare loopback, no proxy),
``--tools harness,schemathesis``, ``--max-examples N`` and ``--seed N`` (both tools; default
100 and 0), ``--concurrency N`` (given to ``harness run`` when it has the option; by default 0, which
leaves the harness's own default), ``--st-workers N`` (Schemathesis' ``--workers``; default
1, its own default), ``--keep DIR``.  Timing is never a pass/fail test: this script only
reports, and exits 0 whatever it measured (2 when it cannot run).

For each round trip and each tool, in one run:

1. A fresh reference mock (``harness.mock.create_app``, made-up credentials) is served with
   uvicorn in a thread of this process, behind a counter of the requests reaching it
   (``bench_vs_schemathesis.CountingApp``): request counts are the server's, not the tools'.
2. Unless the round trip is 0, ``bench/latency_proxy.py`` (a child process) stands in
   front of it on 127.0.0.1 and delays every byte by half the round trip each way, and a new
   connection by one round trip, as a link to a target in another region would.
3. The tool runs against the proxy's URL, exactly as ``bench/bench_vs_schemathesis.py`` runs
   it: ``st run CONTRACT ...`` once per contract (all phases, positive and negative, SigV4
   through ``bench/schemathesis_hooks.py``), ``harness run --target URL --provider-states
   URL/_harness/provider-states`` (its provider-state calls also cross the proxy), plus
   ``--concurrency N`` when ``harness run --help`` offers it.

Before any of it, each tool runs once unmeasured (``--max-examples 1``, no proxy) in the same
work directory, so that Hypothesis' caches there (its Unicode tables, about a second of CPU
where there are none) are filled before the first measured run, whichever tool that is.

It prints, per round trip and tool: requests, wall seconds (process start to exit),
requests/s, CPU seconds of the tool, the mock and the proxy, the run's own duration as the
tool reports it, and exit status; then, per round trip, the harness/Schemathesis ratio of
requests/s and each tool's wall time against its own loopback time.  Issue 15's goals: at
50 ms a full harness run takes at most 2x its loopback time, with at least 10x the
Schemathesis CLI's requests/s at that distance.

Measured 2026-12-01 on the project's 2-core machine (load average 1.9 to 4 from other jobs),
Schemathesis 4.32.5, before ``harness run`` had ``--concurrency`` (one request at a time)::

    rtt ms  tool          requests  states  wall s  req/s  tool cpu s  mock cpu s  proxy cpu s  engine s
    0       schemathesis  319       0       13.6    23.5   5.5         0.2         -            10.6
    0       harness       961       54      5.3     182.8  2.1         0.4         -            4.2
    10      schemathesis  319       0       16.8    18.9   5.5         0.2         0.1          13.3
    10      harness       961       54      14.9    64.6   2.3         0.5         0.5          14.1
    50      schemathesis  319       0       25.2    12.6   5.5         0.3         0.2          23.3
    50      harness       961       54      53.3    18.0   2.5         0.7         0.5          52.6
    100     schemathesis  319       0       43.1    7.4    6.0         0.4         0.2          41.4
    100     harness       961       54      101.8   9.4    3.0         1.0         0.7          101.1

    rtt ms  harness/st req/s  harness wall / loopback  st wall / loopback
    0       7.8x              1.0x                     1.0x
    10      3.4x              2.8x                     1.2x
    50      1.4x              10.1x                    1.9x
    100     1.3x              19.4x                    3.2x

Sent one at a time, each of the harness' requests waits a whole round trip: at 50 ms the run
is ten times its loopback time and its lead over Schemathesis (whose generation, not the
wire, bounds it) is gone.  The load distorts the walls of the first rows (Schemathesis took
5 to 10 s at 0 ms in quieter minutes); the CPU columns are steadier.

Measured again 2026-12-01 (load average 0.6), after issue 15's second round: 128 requests in
flight, the isolation phase first and batched, each operation's phases beside the others',
scenarios on other resources together, case phases streamed, and a forked helper drawing
every other operation's cases (``harness.engine.ahead``)::

    rtt ms  tool          requests  states  wall s  req/s  tool cpu s  mock cpu s  proxy cpu s  engine s
    0       schemathesis  319       0       5.3     59.7   5.2         0.2         -            4.0
    0       harness       1032      68      1.6     652.9  2.1         0.3         -            1.1
    10      schemathesis  319       0       9.0     35.6   5.3         0.2         0.1          7.6
    10      harness       1032      68      1.9     541.1  2.1         0.3         0.2          1.4
    50      schemathesis  319       0       22.7    14.0   5.8         0.3         0.2          21.4
    50      harness       1032      68      3.1     335.9  2.2         0.4         0.2          2.6
    100     schemathesis  319       0       39.3    8.1    5.9         0.4         0.3          38.0
    100     harness       1032      68      4.7     221.7  2.2         0.4         0.3          4.2

    rtt ms  harness/st req/s  harness wall / loopback  st wall / loopback
    0       10.9x             1.0x                     1.0x
    10      15.2x             1.2x                     1.7x
    50      23.9x             1.9x                     4.3x
    100     27.3x             2.9x                     7.4x

Both goals at 50 ms are met, with little margin on the wall ratio (1.9x to 2.0x from run to
run), and on loopback the harness sends 10.1x to 10.9x Schemathesis' requests per second
(Schemathesis itself between 59 and 64).  What is left at 50 ms is the longest chain of round
trips that must follow one another: the isolation phase (6), then an operation whose provider
states concern the whole operation (its scenarios, about 18).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench_mock import cpu_seconds
from bench_vs_schemathesis import (
    HOOKS,
    BenchError,
    CountingApp,
    Credentials,
    execute,
    harness_run_command,
    schemathesis_engine_seconds,
    st_command,
    st_run_command,
    table,
    tool_environment,
)

from harness.contract import load_contracts
from harness.mock import create_app
from harness.mock.server import serve_in_thread

PROXY = Path(__file__).resolve().parent / "latency_proxy.py"
TOOLS = ("schemathesis", "harness")
#: A tool run is ended (and reported) past this; sending one request at a time at 100 ms
#: the harness needs about two minutes.
RUN_TIMEOUT_SECONDS = 900.0


@dataclass
class Measure:
    """One tool run at one distance: what reached the mock, and what it cost."""

    tool: str
    rtt_ms: float
    exit_codes: list[int] = field(default_factory=list)
    requests: int = 0
    states: int = 0
    seconds: float = 0.0
    tool_cpu: float = 0.0
    mock_cpu: float = 0.0
    proxy_cpu: float | None = None
    engine_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def harness_offers_concurrency() -> bool:
    """Whether this harness's ``run`` has ``--concurrency`` (issue 15, item 1)."""
    done = subprocess.run(
        [sys.executable, "-m", "harness", "run", "--help"], capture_output=True, text=True, check=False
    )
    return re.search(r"--concurrency\b", done.stdout) is not None


@contextlib.contextmanager
def proxied(url: str, rtt_ms: float) -> Iterator[tuple[str, int | None]]:
    """``url`` itself for 0 ms, else a latency proxy in front of it: yields the URL to use and
    the proxy's pid."""
    if rtt_ms == 0:
        yield url, None
        return
    upstream = url.removeprefix("http://")
    command = [sys.executable, str(PROXY), "--rtt", f"{rtt_ms:g}", "--upstream", upstream, "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout is not None
        line = child.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        try:
            if found is None:
                raise BenchError(f"the latency proxy did not start: {line.strip() or 'no output'}")
            yield found[1], child.pid
        finally:
            child.terminate()
            child.communicate(timeout=30)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_tool(
    tool: str,
    rtt_ms: float,
    *,
    credentials: Credentials,
    contract_files: list[Path],
    args: argparse.Namespace,
    concurrency: bool,
    workdir: Path,
) -> Measure:
    """One tool against a fresh mock, ``rtt_ms`` away."""
    measure = Measure(tool=tool, rtt_ms=rtt_ms)
    counter = CountingApp(create_app(credentials=credentials.pair()))
    with serve_in_thread(counter) as url, proxied(url, rtt_ms) as (via, proxy_pid):
        proxy_before = cpu_seconds(proxy_pid) if proxy_pid is not None else None
        wall, children, own = time.perf_counter(), _children_cpu(), time.process_time()
        if tool == "harness":
            _harness(measure, via, args=args, concurrency=concurrency, credentials=credentials, workdir=workdir)
        else:
            _schemathesis(measure, via, args=args, credentials=credentials, files=contract_files, workdir=workdir)
        measure.seconds = time.perf_counter() - wall
        measure.tool_cpu = _children_cpu() - children
        measure.mock_cpu = time.process_time() - own
        proxy_after = cpu_seconds(proxy_pid) if proxy_pid is not None else None
        if proxy_before is not None and proxy_after is not None:
            measure.proxy_cpu = proxy_after - proxy_before
    measure.requests = sum(counter.requests.values())
    measure.states = counter.requests["states"]
    return measure


def _harness(
    measure: Measure,
    url: str,
    *,
    args: argparse.Namespace,
    concurrency: bool,
    credentials: Credentials,
    workdir: Path,
) -> None:
    results = workdir / f"harness-{measure.rtt_ms:g}ms.json"
    results.unlink(missing_ok=True)
    command = harness_run_command(url=url, max_examples=args.max_examples, seed=args.seed, results=results)
    if concurrency and args.concurrency:
        command += ["--concurrency", str(args.concurrency)]
    code, output = execute(command, env=tool_environment(credentials), cwd=workdir, timeout=RUN_TIMEOUT_SECONDS)
    measure.exit_codes.append(code)
    if results.exists():
        measure.engine_seconds = float(json.loads(results.read_text(encoding="utf-8")).get("duration_s") or 0.0)
    if code not in (0, 1):
        measure.notes.append(f"exit {code}: {output.strip().splitlines()[-1:]}")


def _schemathesis(
    measure: Measure,
    url: str,
    *,
    args: argparse.Namespace,
    credentials: Credentials,
    files: list[Path],
    workdir: Path,
) -> None:
    env = {**tool_environment(credentials), "SCHEMATHESIS_HOOKS": str(HOOKS)}
    for file in files:
        report = workdir / f"st-{measure.rtt_ms:g}ms-{file.stem}.ndjson"
        report.unlink(missing_ok=True)
        command = st_run_command(file, url=url, max_examples=args.max_examples, seed=args.seed, report=report)
        if args.st_workers > 1:
            command += ["--workers", str(args.st_workers)]
        code, output = execute(command, env=env, cwd=workdir, timeout=RUN_TIMEOUT_SECONDS)
        measure.exit_codes.append(code)
        measure.engine_seconds += schemathesis_engine_seconds(report)
        if code not in (0, 1):
            measure.notes.append(f"{file.name}: exit {code}: {output.strip().splitlines()[-1:]}")


# --------------------------------------------------------------------------- report


def _cpu(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def measures_table(measures: list[Measure]) -> str:
    header = ["rtt ms", "tool", "requests", "states", "wall s", "req/s", "tool cpu s", "mock cpu s", "proxy cpu s"]
    header += ["engine s", "exit"]
    rows = [
        [
            f"{m.rtt_ms:g}",
            m.tool,
            str(m.requests),
            str(m.states),
            f"{m.seconds:.1f}",
            f"{m.rate:.1f}",
            f"{m.tool_cpu:.1f}",
            f"{m.mock_cpu:.1f}",
            _cpu(m.proxy_cpu),
            f"{m.engine_seconds:.1f}",
            ",".join(str(code) for code in sorted(set(m.exit_codes))),
        ]
        for m in measures
    ]
    return table(header, rows)


def ratios_table(measures: list[Measure]) -> str:
    by = {(m.tool, m.rtt_ms): m for m in measures}
    loopback = {tool: by.get((tool, 0.0)) for tool in TOOLS}
    rows = []
    for rtt in sorted({m.rtt_ms for m in measures}):
        harness, st = by.get(("harness", rtt)), by.get(("schemathesis", rtt))
        cells = [f"{rtt:g}"]
        cells.append(f"{harness.rate / st.rate:.1f}x" if harness and st and st.rate else "-")
        for tool, run in (("harness", harness), ("schemathesis", st)):
            base = loopback[tool]
            cells.append(f"{run.seconds / base.seconds:.1f}x" if run and base and base.seconds else "-")
        rows.append(cells)
    header = ["rtt ms", "harness/st req/s", "harness wall / loopback", "st wall / loopback"]
    return table(header, rows)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="harness run and st run against the same mock, 0 to 100 ms away.")
    parser.add_argument("--rtts", default="0,10,50,100", help="round trips, ms, comma-separated (default: %(default)s)")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated (default: %(default)s)")
    parser.add_argument("--max-examples", type=int, default=100, help="for both tools (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="for both tools (default 0)")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=0,
        help="harness run --concurrency, when it has the option (default 0: its own default)",
    )
    parser.add_argument("--st-workers", type=int, default=1, help="st run --workers (default 1, its own default)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the tools' reports in DIR")
    args = parser.parse_args(argv)
    try:
        args.rtts = [float(value) for value in args.rtts.split(",") if value.strip()]
    except ValueError:
        parser.error(f"--rtts must be numbers of milliseconds separated by commas, got {args.rtts!r}")
    if not args.rtts or any(rtt < 0 or rtt > 10_000 for rtt in args.rtts):
        parser.error("--rtts must name at least one round trip, each 0 to 10000 ms")
    args.tools = [tool.strip() for tool in args.tools.split(",") if tool.strip()]
    unknown = [tool for tool in args.tools if tool not in TOOLS]
    if unknown or not args.tools:
        parser.error(f"--tools takes {', '.join(TOOLS)}; got {', '.join(unknown) or 'none'}")
    if args.max_examples < 1 or args.concurrency < 0 or args.st_workers < 1:
        parser.error("--max-examples and --st-workers must be at least 1, --concurrency at least 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if "schemathesis" in args.tools:
        try:
            st_command()
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 2
    # Schemathesis' deliberately broken requests make uvicorn log warnings; keep errors only.
    logging.getLogger("uvicorn.error").addFilter(lambda record: record.levelno >= logging.ERROR)
    concurrency = harness_offers_concurrency()
    contract_files = sorted(contract.file for contract in load_contracts().values())
    credentials = Credentials.made_up()
    started, load_before = time.perf_counter(), os.getloadavg()
    measures: list[Measure] = []
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            workdir = args.keep.resolve()
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-remote-")))
        # Unmeasured: one small run of each tool fills Hypothesis' caches in the work directory
        # (its Unicode tables: a second of CPU in a directory that has none), which the first
        # measured run would pay for alone.
        warm_up = argparse.Namespace(**{**vars(args), "max_examples": 1})
        for tool in args.tools:
            print(f"... {tool}: warming up", file=sys.stderr, flush=True)
            run_tool(
                tool,
                0.0,
                credentials=credentials,
                contract_files=contract_files,
                args=warm_up,
                concurrency=concurrency,
                workdir=workdir,
            )
        for rtt in args.rtts:
            for tool in args.tools:
                print(f"... {tool} at {rtt:g} ms", file=sys.stderr, flush=True)
                try:
                    measure = run_tool(
                        tool,
                        rtt,
                        credentials=credentials,
                        contract_files=contract_files,
                        args=args,
                        concurrency=concurrency,
                        workdir=workdir,
                    )
                except BenchError as exc:
                    print(f"bench: {exc}", file=sys.stderr)
                    return 2
                measures.append(measure)
                print(
                    f"    {measure.requests} requests in {measure.seconds:.1f} s ({measure.rate:.1f}/s)",
                    file=sys.stderr,
                    flush=True,
                )
    load_after = os.getloadavg()
    sending = (
        f"--concurrency {args.concurrency}"
        if concurrency and args.concurrency
        else "its default concurrency"
        if concurrency
        else "one request at a time (this harness run has no --concurrency)"
    )
    print(
        f"\nharness run: {sending}; st run: {args.st_workers} worker(s); --max-examples {args.max_examples}, "
        f"--seed {args.seed}; load average {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end "
        f"({os.cpu_count()} CPUs)\n"
    )
    print(measures_table(measures))
    print()
    print("requests: counted by the mock (states: provider-state calls among them); wall s: process start to exit;")
    print("cpu s: user + system; engine s: the run's duration as the tool reports it; 0 ms: no proxy.\n")
    print(ratios_table(measures))
    print("\nissue 15's goals at 50 ms: harness wall / loopback at most 2x; harness/st req/s at least 10x")
    for measure in measures:
        for note in measure.notes:
            print(f"note: {measure.tool} at {measure.rtt_ms:g} ms: {note}")
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
