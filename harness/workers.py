"""``--workers N``: one run split over N processes, merged into one results document.

Each worker process runs every operation with ``RunOptions.shard_index`` set: it sends its
share of the deterministic cases and of the generated examples.  The stateful phases
(idempotency, provider states) run in one more process once every worker is done, so no
state is set while a worker's cases are sent; that process prepares the stateless phases
without sending them, so its bodies are the ones a single process would have.  Workers share
Hypothesis' example database, so a failure one worker finds is tried first by the others' later
phases.  Processes are started with ``spawn`` (the parent may run the mock in a thread, which
``fork`` would copy half-alive); each builds its run with :func:`harness.runner.run_engine`.
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any

from harness.contract import load_contracts
from harness.engine import RunOptions
from harness.importer import find_contract
from harness.reporting.merge import merge
from harness.runner import RunPlan, run_engine


def _work(plan: RunPlan, operations: list[str], options: RunOptions) -> dict[str, Any]:
    contracts = load_contracts(plan.contracts_dir)  # an operation without a file is imported again here
    return run_engine(replace(plan, contracts=[find_contract(contracts, o) for o in operations]), options)


def run_in_workers(plan: RunPlan, options: RunOptions) -> dict[str, Any]:
    """The merged results document of ``plan.workers`` processes sharing the run."""
    started = time.monotonic()
    workers = plan.workers
    operations = [c.id for c in plan.contracts]
    portable = replace(plan, contracts=())  # each process loads the contracts itself
    with tempfile.TemporaryDirectory(prefix="harness-examples-") as shared:
        database = options.example_db or shared
        shards = [
            replace(options, shard_index=i, shard_count=workers, example_db=database, stateful="never")
            for i in range(workers)
        ]
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(_work, portable, operations, shard) for shard in shards]
            documents = [future.result() for future in futures]
            # the states a scenario sets (throttled, internal failure, ...) would change the answers
            # to other workers' cases: they run once every worker is done
            stateful = replace(options, example_db=database, stateful="only")
            documents.append(pool.submit(_work, portable, operations, stateful).result())
    merged = merge(documents)
    merged["target"] = documents[0]["target"]
    merged["seed"] = options.seed
    merged["workers"] = workers
    merged["duration_s"] = round(time.monotonic() - started, 2)
    merged.pop("merged_from", None)
    return merged


__all__ = ["run_in_workers"]
