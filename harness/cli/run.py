"""``harness run``: prove an implementation against the contracts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from harness.cli.progress import Progress
from harness.config import configure_run
from harness.contract import Contract, load_contracts
from harness.errors import UsageError
from harness.runner import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, RunPlan, execute
from harness.target.http import DEFAULT_MAX_BODY, DEFAULT_TIMEOUT

EXIT_CONFORMANT = 0
EXIT_NONCONFORMANT = 1
#: Used when neither the command line nor [tool.harness] of pyproject.toml sets them.
DEFAULTS = {
    "operation": [],
    "seed": 0,
    "max_examples": 100,
    "timeout": DEFAULT_TIMEOUT,
    "concurrency": DEFAULT_CONCURRENCY,
}

EXAMPLES = """\
examples:
  harness run --target mock --report report.html
  harness run --target http://localhost:4566 --provider-states http://localhost:4566/_states \\
              --operation detective:StartMonitoringMember --junit conformance.xml
  harness run --replay cassettes/mock-run --report replay.html

exit status: 0 conformant, 1 nonconformant, 2 could not run
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="send generated requests to a target and judge its answers against the contracts",
        description=(
            "Generate valid requests and requests aimed at every documented constraint, send "
            "them (SigV4-signed) to a target, and check every answer against the contracts."
        ),
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    where = parser.add_mutually_exclusive_group()  # one is required: run() checks, after [tool.harness]
    where.add_argument(
        "--target", metavar="URL|mock", help="the implementation to test, or 'mock' for the bundled reference mock"
    )
    where.add_argument(
        "--replay",
        metavar="DIR",
        type=Path,
        help="answer from the cassettes in DIR instead of a live target (offline); the recording's "
        "seed, examples, region and provider states are used, those options are ignored",
    )
    parser.add_argument(
        "--provider-states", metavar="URL", help="the target's provider-states endpoint (SPEC section 5)"
    )
    parser.add_argument(
        "--operation",
        metavar="ID",
        action="append",
        default=None,
        help="run only this operation (repeatable), e.g. detective:StartMonitoringMember",
    )
    parser.add_argument("--region", help="SigV4 region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)")
    parser.add_argument(
        "--seed", type=int, default=None, help="seed of the generated cases; the same seed repeats the run (default 0)"
    )
    parser.add_argument(
        "--max-examples",
        type=_positive,
        default=None,
        metavar="N",
        help="generated bodies per operation and kind (default 100)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"per-request timeout (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-body",
        type=_positive,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help="largest answer read (default 1 MiB)",
    )
    parser.add_argument("--report", type=Path, metavar="FILE.html", help="write the HTML compliance report")
    parser.add_argument("--junit", type=Path, metavar="FILE.xml", help="write JUnit XML for CI")
    parser.add_argument("--json", type=Path, metavar="FILE.json", help="write every result (documented format)")
    parser.add_argument("--record", type=Path, metavar="DIR", help="record every exchange as vcrpy cassettes in DIR")
    parser.add_argument(
        "--contracts", type=Path, metavar="DIR", help="load contracts from DIR instead of the bundled ones"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read [tool.harness] from FILE (default: the nearest pyproject.toml); the command line overrides it",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="split the run over N processes (default 1); idempotency and provider states run after them, "
        "in one more process; results are merged",
    )
    parser.add_argument(
        "--concurrency",
        type=_concurrency,
        default=None,
        metavar="N",
        help=f"independent requests in flight at once, 1 to {MAX_CONCURRENCY} (default {DEFAULT_CONCURRENCY}); "
        "retries, scenarios and the cases sent while a state is set keep their order, and the verdicts "
        "do not depend on it",
    )
    parser.add_argument(
        "--max-duration",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="a time budget: once spent, no new request is sent, those in flight finish and every output "
        "is written; what was not sent is reported as not exercised",
    )
    parser.add_argument(
        "--shard",
        type=_shard,
        default=None,
        metavar="K/N",
        help="run the K-th of N deterministic parts of the run (by operation where there are at least N, "
        "else by case); the report command merges the --json files of the parts into one verdict",
    )
    parser.add_argument(
        "--checks",
        type=_names,
        default=None,
        metavar="NAME,...",
        help="run only these checks (the names the list command prints; default: every check)",
    )
    parser.add_argument(
        "--exclude-checks",
        type=_names,
        default=None,
        metavar="NAME,...",
        help="leave these checks out, e.g. unauthenticated_rejected for an emulator that checks no signature",
    )
    parser.add_argument(
        "--example-db",
        metavar="DIR|redis://HOST",
        help="Hypothesis example database shared by workers and runs: failures found before are tried first",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _concurrency(text: str) -> int:
    value = _positive(text)
    if value > MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"expected at most {MAX_CONCURRENCY} requests in flight, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text}")
    return value


def _shard(text: str) -> tuple[int, int]:
    part, slash, parts = text.partition("/")
    if not slash or not part.strip().isdigit() or not parts.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected K/N, such as 1/3 (the first of three parts), got {text!r}")
    k, n = int(part), int(parts)
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"K must be from 1 to N (the K-th of N parts), got {text}")
    return k, n


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected check names separated by commas, got {text!r}")
    return names


def select(contracts: dict[str, Contract], wanted: list[str]) -> list[Contract]:
    """The contracts named by ``--operation`` (all when none is named); an operation of
    botocore's without a contract file is imported in memory, which standard error says."""
    from harness.cli.validate import say_imported
    from harness.importer import find_contract  # one place for "unknown operation, did you mean"

    if not wanted:
        return list(contracts.values())
    return [find_contract(contracts, name, on_import=lambda c: say_imported("run", c)) for name in wanted]


def run(args: argparse.Namespace) -> int:
    configure_run(args, defaults=DEFAULTS)  # [tool.harness] of pyproject.toml, under the command line
    contracts = select(load_contracts(args.contracts, only=args.operation or ()), args.operation)
    if args.target == "mock" and not args.operation:
        contracts = _served_by_the_mock(contracts)
    plan = RunPlan(
        contracts=contracts,
        operations=tuple(args.operation or ()) if args.replay is not None else (),
        target=args.target,
        replay=args.replay,
        provider_states=args.provider_states,
        region=args.region,
        seed=args.seed,
        max_examples=args.max_examples,
        timeout=args.timeout,
        max_body=args.max_body,
        record=args.record,
        workers=args.workers,
        example_db=args.example_db,
        contracts_dir=args.contracts,
        checks=args.checks,
        exclude_checks=tuple(args.exclude_checks or ()),
        concurrency=args.concurrency,
        max_duration=args.max_duration,
        shard=args.shard,
    )
    if plan.workers > 1 and plan.replay is None:
        print(f"harness: running in {plan.workers} worker processes", file=sys.stderr)
    progress = Progress(quiet=args.quiet)
    try:
        document = execute(plan, listener=progress.listener(), note=_note)
    finally:
        progress.close()
    _write_outputs(args, document)
    return EXIT_NONCONFORMANT if document["verdict"] == "nonconformant" else EXIT_CONFORMANT


def _served_by_the_mock(contracts: list[Contract]) -> list[Contract]:
    """The bundled mock implements the curated operations: imported contracts in the same
    folder are left out of a run against it, unless named (``--operation``)."""
    left_out = [c.id for c in contracts if c.imported is not None]
    if left_out:
        _note(
            f"the bundled mock implements the curated operations only: {len(left_out)} imported contract"
            f"{'s' if len(left_out) != 1 else ''} left out ({', '.join(left_out[:3])}"
            f"{', ...' if len(left_out) > 3 else ''}); name one with --operation to run it against the mock anyway"
        )
    return [c for c in contracts if c.imported is None]


def _note(text: str) -> None:
    print(f"harness run: note: {text}", file=sys.stderr)


def _write_outputs(args: argparse.Namespace, document: dict[str, Any]) -> None:
    from harness.reporting.console import color_wanted, render_console

    print(render_console(document, color=color_wanted(sys.stdout)), end="")
    for path in (args.json, args.junit, args.report):
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot create the folder of {path}: {exc.strerror}") from None
    if args.json:
        from harness.reporting.json_file import write_json

        write_json(document, args.json)
        print(f"results written to {args.json}")
    if args.junit:
        from harness.reporting.junit import write_junit

        write_junit(document, args.junit)
        print(f"JUnit XML written to {args.junit}")
    if args.report:
        from harness.reporting.html import write_html

        write_html(document, args.report)
        print(f"HTML report written to {args.report}")
