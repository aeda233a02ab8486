r"""A run of the moto operations at default settings, timed: ``harness run`` against moto's
server over the operations of ``tests/moto_server.py`` (23: restJson1, awsJson1.0 and 1.1),
``--exclude-checks unauthenticated_rejected`` and nothing else changed (100 examples, 8
requests in flight).

Run from the repository root:

    .venv/bin/python bench/bench_moto.py [--repeat 3] [--concurrency N] [--max-examples N]

Each repeat starts a moto server of its own (an empty one) on a free loopback port and stops it
by its process id. It prints, per repeat, the wall time of ``harness run`` from start to exit
(goal: under 120 s on the project's 2-core machine), the harness's own CPU time, the requests
moto served (its log has a line for each) and requests/s, and the operations that took longest
(from the progress lines, each operation's first line to the next one's). Timing is never
asserted by the test suite.

Figures on the 2-core machine shared with other jobs (moto 5.2.5, botocore 1.44.8, load average
1.0 to 1.7), ``--repeat 3``:

    repeat 1: 23 operations in 59.9 s wall (goal 120 s), harness CPU 40.2 s, 8,055 requests, 134 requests/s
    repeat 2: 23 operations in 60.5 s wall (goal 120 s), harness CPU 40.6 s, 8,055 requests, 133 requests/s
    repeat 3: 23 operations in 59.7 s wall (goal 120 s), harness CPU 41.0 s, 8,058 requests, 135 requests/s
      slowest: lambda:CreateFunction 9.9 s, kms:CreateKey 7.8 s, scheduler:CreateSchedule 7.6 s,
               ecr:CreateRepository 6.0 s, events:CreateEventBus 4.7 s
    median 59.9 s, best 59.7 s of 3

Most of a slow operation is the harness building its probes (lambda:CreateFunction 7.9 s,
scheduler:CreateSchedule 6.6 s with nothing sent: ``generation.values.minimal`` looking for
strings of one length under a pattern) or moto making RSA keys (kms:CreateKey).
secretsmanager:CreateSecret is not among the operations: its probes alone take 20 s to build.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.moto_server import OPERATION_IDS, TimedRun, timed_run  # noqa: E402

GOAL_SECONDS = 120.0
_STARTED = re.compile(r"^harness: (\S+): ")


def per_operation(run: TimedRun) -> list[tuple[str, float]]:
    """Seconds per operation: from its first progress line to the next operation's (the last:
    to the exit of harness run, which includes writing the outputs)."""
    starts: list[tuple[str, float]] = []
    for at, line in run.progress:
        match = _STARTED.match(line)
        if match and (not starts or starts[-1][0] != match.group(1)) and match.group(1) in OPERATION_IDS:
            starts.append((match.group(1), at))
    ends = [at for _, at in starts[1:]] + [run.seconds]
    return [(operation, end - at) for (operation, at), end in zip(starts, ends, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=None, help="default: the harness's (8)")
    parser.add_argument("--max-examples", type=int, default=None, help="default: the harness's (100)")
    args = parser.parse_args()
    arguments: list[str] = []
    if args.concurrency is not None:
        arguments += ["--concurrency", str(args.concurrency)]
    if args.max_examples is not None:
        arguments += ["--max-examples", str(args.max_examples)]
    walls = []
    for repeat in range(1, args.repeat + 1):
        load = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="bench-moto-") as scratch:
            run = timed_run(OPERATION_IDS, arguments=[*arguments, "--json", f"{scratch}/results.json"],
                            moto_log=Path(scratch) / "moto.log")  # fmt: skip
        if run.code not in (0, 1):
            print("\n".join(line for _, line in run.progress[-20:]), file=sys.stderr)
            return 2
        walls.append(run.seconds)
        slowest = sorted(per_operation(run), key=lambda item: -item[1])[:5]
        print(
            f"repeat {repeat}: {len(OPERATION_IDS)} operations in {run.seconds:.1f} s wall "
            f"(goal {GOAL_SECONDS:.0f} s), harness CPU {run.cpu_seconds:.1f} s, {run.requests:,} requests, "
            f"{run.requests / run.seconds:.0f} requests/s, load average {load:.1f} at the start"
        )
        print("  slowest: " + ", ".join(f"{operation} {seconds:.1f} s" for operation, seconds in slowest))
    if len(walls) > 1:
        print(f"median {statistics.median(walls):.1f} s, best {min(walls):.1f} s of {len(walls)}")
    return 0 if min(walls) < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
