"""Benchmark: what one ``harness run`` sends to the bundled mock, and how long it takes.

Run from the project root (about 10 s a repeat on the 2-core machine)::

    .venv/bin/python bench/bench_run.py [--repeat 3] [--max-examples 100] [--seed 0]

The mock runs in a process of its own (``harness.mock.process``, as ``--target mock`` starts
it); the engine runs here, over a transport that counts every request it sends, provider-state
calls and shrinking steps included: requests, bytes sent, the largest request (its body and its
case), per operation.  Run time is the engine's (``Engine.run``, the fastest of the repeats) and
the results document's ``duration_s``.  Timing is never a pass/fail test: this script only
reports, and exits 0 whatever it measured.

To compare with an earlier state of the project, run the same script with that tree first on
the path (``git archive COMMIT | tar -x -C /tmp/before``, then ``PYTHONPATH=/tmp/before``).
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from harness.aws import SigningKey
from harness.contract import load_contracts
from harness.engine import Engine, RunOptions
from harness.mock import STATES_PATH
from harness.mock.process import mock_process
from harness.result import Response, SentRequest
from harness.target.http import HttpTransport


@dataclass
class Counted:
    """Every request one run sent."""

    requests: Counter[str] = field(default_factory=Counter)  # by path
    sent_bytes: int = 0
    largest: tuple[int, str] = (0, "")  # body size, method and path

    def add(self, request: SentRequest) -> None:
        path = urlsplit(request.url).path
        self.requests[path] += 1
        self.sent_bytes += len(request.body) + sum(len(k) + len(v) + 4 for k, v in request.headers.items())
        if len(request.body) > self.largest[0]:
            self.largest = (len(request.body), f"{request.method} {path}")


class CountingTransport:
    def __init__(self, inner: HttpTransport, counted: Counted) -> None:
        self.inner = inner
        self.counted = counted

    def send(self, request: SentRequest) -> Response:
        self.counted.add(request)
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


def one_run(*, seed: int, max_examples: int) -> tuple[float, float, int, Counted]:
    """Engine seconds, the document's duration, its cases, and what was sent."""
    credentials = ("AKIABENCH" + secrets.token_hex(5).upper(), secrets.token_urlsafe(30))
    contracts = list(load_contracts().values())
    counted = Counted()
    with mock_process(credentials=credentials) as url:
        options = RunOptions(
            base_url=url,
            key=SigningKey(credentials[0], credentials[1], "us-east-1"),
            provider_states=url + STATES_PATH,
            seed=seed,
            max_examples=max_examples,
            target_label="mock",
        )
        transport = CountingTransport(HttpTransport(), counted)
        started = time.perf_counter()
        document = Engine(contracts=contracts, transport=transport, options=options).run()
        elapsed = time.perf_counter() - started
        transport.close()
    if document["verdict"] != "conformant":
        print(f"note: the run was {document['verdict']}: the figures are of a run that found failures")
    return elapsed, float(document["duration_s"]), int(document["counts"]["cases"]), counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    runs = [one_run(seed=arguments.seed, max_examples=arguments.max_examples) for _ in range(arguments.repeat)]
    fastest = min(runs, key=lambda run: run[0])
    engine_s, duration_s, cases, counted = fastest
    print(f"runs: {arguments.repeat} (seed {arguments.seed}, {arguments.max_examples} examples); the fastest:")
    print(f"  engine s       {engine_s:.2f}   (each run: {', '.join(f'{r[0]:.2f}' for r in runs)})")
    print(f"  duration_s     {duration_s:.2f}")
    print(f"  cases          {cases}")
    print(f"  requests       {sum(counted.requests.values())}")
    for path, count in sorted(counted.requests.items()):
        print(f"    {path:38} {count}")
    print(f"  bytes sent     {counted.sent_bytes:,}")
    print(f"  largest body   {counted.largest[0]:,} bytes ({counted.largest[1]})")


if __name__ == "__main__":
    main()
