"""``--workers N``: one run split over N processes, merged into one results document.

Each worker process runs every operation with ``RunOptions.shard_index`` set: it sends its
share of the deterministic cases and of the generated examples.  The stateful scenarios
(idempotency, provider states) run in one more process once every worker is done, so no
state is set while a worker's cases are sent.  Workers share Hypothesis' example database,
so a failure one worker finds is tried first by the others' later phases.  Processes are
started with ``spawn`` (the parent may run the mock in a thread, which ``fork`` would copy
half-alive).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness.contract import load_contracts
from harness.engine import Engine, RunOptions
from harness.reporting.merge import merge
from harness.target.http import HttpTransport


def _work(
    options: RunOptions, operations: list[str], contracts_dir: str | None, timeout: float, max_body: int
) -> dict[str, Any]:
    contracts = load_contracts(Path(contracts_dir) if contracts_dir else None)
    transport = HttpTransport(timeout=timeout, max_body=max_body)
    try:
        return Engine(contracts=[contracts[o] for o in operations], transport=transport, options=options).run()
    finally:
        transport.close()


def run_in_workers(
    *,
    workers: int,
    options: RunOptions,
    operations: list[str],
    contracts_dir: Path | None,
    timeout: float,
    max_body: int,
) -> dict[str, Any]:
    """The merged results document of ``workers`` processes sharing the run."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="harness-examples-") as shared:
        database = options.example_db or shared
        shards = [
            replace(options, shard_index=i, shard_count=workers, example_db=database, stateful="never")
            for i in range(workers)
        ]
        directory = str(contracts_dir) if contracts_dir else None
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_work, shard, operations, directory, timeout, max_body) for shard in shards]
            documents = [future.result() for future in futures]
            # the states a scenario sets (throttled, internal failure, ...) would change the answers
            # to other workers' cases: they run once every worker is done
            stateful = replace(options, example_db=database, stateful="only")
            documents.append(pool.submit(_work, stateful, operations, directory, timeout, max_body).result())
    merged = merge(documents)
    merged["target"] = documents[0]["target"]
    merged["seed"] = options.seed
    merged["workers"] = workers
    merged["duration_s"] = round(time.monotonic() - started, 2)
    merged.pop("merged_from", None)
    return merged
