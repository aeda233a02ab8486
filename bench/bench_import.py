r"""``harness import`` measured: every operation written, and how much later an imported
operation's contract is loaded than a curated one's.

Run:  .venv/bin/python bench/bench_import.py [--repeat 7] [--load]

1. ``harness import --all --out TMP`` as a process of its own: the wall time, from start to
   exit (goal: under 60 s on the project's 2-core machine).
2. From process start to contracts loaded for ``--operation ID``: a fresh interpreter runs
   ``harness run``'s own loading (``load_contracts`` and ``select``) for an imported
   operation (no file: imported in memory) and for a curated one, ``--repeat`` times each,
   alternating; the medians and their difference (goal: within 0.3 s).
3. ``--load``: every operation the whole way, as ``tests/test_import_botocore.py`` takes a
   sample of 2,000: its file's text loaded through the contract loader, every constraint a
   rule's, and a valid input (an example, else a generated one) validated.

Figures on the 2-core machine shared with other jobs (botocore 1.44.8, 17,452 operations of
419 services; load average 3.4 for (1), 2 to 3 for the rest):

    harness import --all                   22.4 s wall (17.1 s at load 1, 31.5 s at load 2 with
                                           the other sessions' tests), 17,452 files, 784 MB,
                                           976 with importNotes
    start to loaded, curated (median)      0.29 s    (networkflowmonitor:CreateScope)
    start to loaded, imported (median)     0.33 s    (scheduler:CreateSchedule, in memory): +0.03 s
    start to loaded, imported (median)     0.39 s    (sagemaker:CreateTrainingJob, in memory): +0.09 s
    --load: every operation                loaded 17,451, 1 failure, 144 s: a valid input of
                                           fsx:CopySnapshotAndUpdateVolume could not be generated
                                           (its SourceSnapshotARN pattern rests on look-aheads,
                                           which generation drops and then filters by)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / ".venv" / "bin" / "harness"
#: A small model and the largest one (sagemaker's model is 2.5 MB of JSON to read first).
IMPORTED = ("scheduler:CreateSchedule", "sagemaker:CreateTrainingJob")
CURATED = "networkflowmonitor:CreateScope"

#: What `harness run --operation ID` does before the engine starts, in a fresh interpreter.
LOADING = """
import time, sys
from harness.cli.run import select
from harness.contract import load_contracts
contracts = select(load_contracts(), [sys.argv[1]])
contracts[0].request_validator  # the first case needs it: part of "loaded"
"""


def import_all() -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        done = subprocess.run(
            [str(HARNESS), "import", "--all", "--out", folder, "--quiet"], capture_output=True, text=True, check=False
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"harness import --all failed ({done.returncode}): {done.stderr}")
        files = list(Path(folder).glob("*.json"))
        size = sum(f.stat().st_size for f in files)
        print(
            f"harness import --all                   {elapsed:.1f} s wall, {len(files):,} files, {size / 1e6:,.0f} MB"
        )
        print(f"  {done.stdout.strip()}")


def start_to_loaded(operation: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", LOADING, operation], check=True, capture_output=True)
    return time.perf_counter() - started


def loading_times(repeat: int) -> None:
    start_to_loaded(CURATED)  # warm the file cache
    times: dict[str, list[float]] = {operation: [] for operation in (CURATED, *IMPORTED)}
    for _ in range(repeat):
        for operation in times:
            times[operation].append(start_to_loaded(operation))
    curated = statistics.median(times[CURATED])
    print(f"start to loaded, curated (median)      {curated:.2f} s    ({CURATED})")
    for operation in IMPORTED:
        imported = statistics.median(times[operation])
        print(
            f"start to loaded, imported (median)     {imported:.2f} s    ({operation}, in memory): "
            f"{imported - curated:+.2f} s (goal: within 0.3 s)"
        )


def load_everything() -> None:
    sys.path.insert(0, str(ROOT))
    from harness.contract import contract_from_document
    from harness.errors import HarnessError
    from harness.generation.values import ValueStrategies, draw
    from harness.importer import ServiceImporter, document_bytes, json_service_names
    from tests.import_models import unowned_constraints

    started = time.perf_counter()
    loaded, failures = 0, {}
    for service in json_service_names():
        importer = ServiceImporter(service)
        for operation in importer.operation_ids:
            try:
                document = json.loads(document_bytes(importer.document(operation)))
                contract = contract_from_document(document, file=Path(f"{operation}.json"))
                unowned = unowned_constraints(contract)
                if unowned:
                    raise AssertionError(f"constraints without a rule: {unowned[:3]}")
                inputs = [e.input for e in contract.examples] or [
                    draw(ValueStrategies(contract).body(), seed_value=12, index=0)
                ]
                for value in inputs:
                    violations = contract.request_validator.violations(value)
                    if violations:
                        raise AssertionError(f"a valid input is invalid: {violations[0].describe()}")
                loaded += 1
            except (HarnessError, AssertionError, Exception) as exc:  # every failure is counted and shown
                failures[operation] = f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - started
    print(f"--load: every operation                loaded {loaded:,}, {len(failures)} failures, {elapsed:.0f} s")
    for operation, why in list(failures.items())[:20]:
        print(f"  {operation}: {why[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=7, help="start-to-loaded runs of each operation (default 7)")
    parser.add_argument("--load", action="store_true", help="also load every operation the whole way (minutes)")
    args = parser.parse_args()
    import_all()
    loading_times(args.repeat)
    if args.load:
        load_everything()


if __name__ == "__main__":
    main()
